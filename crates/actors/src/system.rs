//! The actor system each run lives in: its Arbiters, the measured phase, and the
//! clean shutdown.
//!
//! Every run builds its own actix `System` on the calling thread (that thread becomes
//! the System's Arbiter) and starts `threads - 1` more Arbiters, each one OS thread
//! running one single-threaded tokio runtime. The workload gets the handles of all
//! of them, the System's own first, and places its actors on them. [`run`] marks the
//! probe around the workload's future, so the runtimes and Arbiter threads are
//! start-up and the per-operation figures are the work alone; then it stops every
//! Arbiter, stops the System, and joins the Arbiter threads. When [`run`] returns,
//! no actor, Arbiter or runtime it started is left.

use std::future::Future;

use actix::{Actor, Addr, Arbiter, ArbiterHandle, System};
use harness::spec::Probe;
use harness::{ModelError, limits};
use tokio::sync::oneshot;

/// The Arbiters worth starting for `actors` actors when `--threads` asks for
/// `threads`: never more than there are actors to place, since an Arbiter with no
/// actor on it is an OS thread that does nothing but inflate the thread count.
pub(crate) fn arbiters_for(threads: usize, actors: usize) -> usize {
    threads.clamp(1, actors.max(1))
}

/// The Arbiter the `i`-th actor of a workload lives on: round-robin, the System's
/// own Arbiter first.
pub(crate) fn placed(arbiters: &[ArbiterHandle], i: usize) -> &ArbiterHandle {
    &arbiters[i % arbiters.len()]
}

/// One current-thread tokio runtime, as actix builds for every Arbiter; built here
/// so that a failure is an error and not a panic inside actix.
fn runtime(whose: &str) -> Result<tokio::runtime::Runtime, ModelError> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| ModelError::failed(format!("cannot start {whose} runtime: {e}")))
}

/// Runs `work` in a fresh System of `threads` Arbiters (at least one: the System's
/// own), whose handles `work` receives, the System's first. `probe` is begun once
/// every Arbiter is up, just before `work` starts its first actor, and ended when
/// `work` has its answer, before anything is stopped. Everything is stopped and
/// joined before returning.
pub(crate) fn run<T, Fut>(
    threads: usize,
    probe: &Probe,
    work: impl FnOnce(Vec<ArbiterHandle>) -> Fut,
) -> Result<T, ModelError>
where
    Fut: Future<Output = Result<T, ModelError>>,
{
    let extra = threads.max(1) - 1;
    // `Arbiter::with_tokio_rt` panics when the OS refuses a thread: ask the limits
    // first. (Its runtime is built here, where a failure is an error.)
    let limit = limits::os_threads();
    if extra > limit.max {
        return Err(ModelError::unsupported(format!(
            "{extra} Arbiter threads, but this machine can start about {}: {}",
            limit.max, limit.reason
        )));
    }
    let rt = runtime("the System's")?;
    let runner = System::with_tokio_rt(move || rt);
    let system = System::current();
    let mut arbiters: Vec<Arbiter> = Vec::with_capacity(extra);
    let mut started = Ok(());
    for _ in 0..extra {
        match runtime("an Arbiter's") {
            // `with_tokio_rt` returns once the Arbiter's thread runs its loop.
            Ok(rt) => arbiters.push(Arbiter::with_tokio_rt(move || rt)),
            Err(e) => {
                started = Err(e);
                break;
            }
        }
    }
    let outcome = match started {
        Ok(()) => {
            let handles: Vec<ArbiterHandle> = arbiters.iter().map(Arbiter::handle).collect();
            let probe = probe.clone();
            // `work` is called inside `block_on` so that the actors it starts
            // synchronously find the System's Arbiter (actix starts an actor on the
            // current one).
            runner.block_on(async move {
                let mut all = Vec::with_capacity(handles.len() + 1);
                all.push(Arbiter::current());
                all.extend(handles);
                probe.begin();
                let outcome = work(all).await;
                probe.end();
                outcome
            })
        }
        Err(e) => Err(e),
    };
    for arbiter in &arbiters {
        arbiter.stop();
    }
    // Stop the System's own Arbiter; `run` returns at once because the stop is
    // already queued, and dropping the runner drops every actor still on it.
    system.stop();
    let stopped = runner.run();
    let mut panicked = 0;
    for arbiter in arbiters {
        panicked += usize::from(arbiter.join().is_err());
    }
    stopped.map_err(|e| ModelError::failed(format!("the System did not stop cleanly: {e}")))?;
    if panicked > 0 {
        return Err(ModelError::failed(format!(
            "{panicked} Arbiter thread(s) panicked"
        )));
    }
    outcome
}

/// Awaits `answer` from the actor at `actor`, holding that address until it comes.
///
/// actix stops an actor by itself once no address of it is left and nothing is
/// spawned in its context, and it checks that after it has drained its mailbox. A
/// last sender on another Arbiter that queues its message and then drops its
/// address between the drain and the check leaves that message unread: the actor
/// stops, and its answer never comes (the conformance suite's slow-client case hit
/// this once in a few runs). An address the run holds keeps the mailbox connected,
/// so the actor stops only when it stops itself, after answering.
pub(crate) async fn hold<A: Actor, T>(
    actor: Addr<A>,
    answer: oneshot::Receiver<T>,
    what: &str,
) -> Result<T, ModelError> {
    let answered = answer.await;
    drop(actor);
    answered.map_err(|e| lost(&format!("the {what} stopped without an answer"), e))
}

/// A mailbox that closed before it answered: the actor behind it stopped or died.
pub(crate) fn lost(what: &str, err: impl std::fmt::Display) -> ModelError {
    ModelError::failed(format!("{what}: {err}"))
}

/// An Arbiter that took no more work: its thread has ended, so the run cannot be
/// completed as placed.
pub(crate) fn arbiter_gone() -> ModelError {
    ModelError::failed("an Arbiter stopped before the run placed its actors on it")
}
