//! The actor system each run lives in, and its clean shutdown.
//!
//! Every run builds its own actix `System` on the calling thread (that thread becomes
//! the System's Arbiter), optionally starts more Arbiters (one OS thread and one
//! single-threaded tokio runtime each), runs the workload's future to completion,
//! then stops every Arbiter, stops the System, and joins the Arbiter threads. When
//! [`run`] returns, no actor, Arbiter or runtime it started is left.

use std::future::Future;

use actix::{Arbiter, ArbiterHandle, System};
use harness::{ModelError, limits};

/// Runs `work` in a fresh System with `extra` Arbiters besides the System's own,
/// whose handles `work` receives. Everything is stopped and joined before returning.
pub(crate) fn run<T, Fut>(
    extra: usize,
    work: impl FnOnce(Vec<ArbiterHandle>) -> Fut,
) -> Result<T, ModelError>
where
    Fut: Future<Output = Result<T, ModelError>>,
{
    // actix would build this runtime itself and panic if it could not; building it
    // here turns that failure into an error. Current-thread, as every Arbiter is.
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| ModelError::failed(format!("cannot start the System's runtime: {e}")))?;
    let runner = System::with_tokio_rt(move || rt);
    let system = System::current();
    // `Arbiter::new` panics when the OS refuses a thread: ask the limits first.
    let limit = limits::os_threads();
    if extra > limit.max {
        return Err(ModelError::unsupported(format!(
            "{extra} Arbiter threads, but this machine can start about {}: {}",
            limit.max, limit.reason
        )));
    }
    let arbiters: Vec<Arbiter> = (0..extra).map(|_| Arbiter::new()).collect();
    let handles = arbiters.iter().map(Arbiter::handle).collect();
    // `work` is called inside `block_on` so that actors it starts synchronously
    // already find the System's runtime (actix spawns them on the current Arbiter).
    let outcome = runner.block_on(async move { work(handles).await });
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

/// A mailbox that closed before it answered: the actor behind it stopped or died.
pub(crate) fn lost(what: &str, err: impl std::fmt::Display) -> ModelError {
    ModelError::failed(format!("{what}: {err}"))
}
