//! ring in CSP: the Benchmarks Game thread-ring as processes and channels.
//!
//! Task `i` owns one channel end to read (its inbox) and one to write (the next
//! task's inbox), and nothing else. The run sends the token into task 1's inbox;
//! every task decrements and forwards it. Only one process is ever runnable, so
//! every hop has to get an OS thread that is not running going again; how that
//! happens, and what it costs, is the last paragraph below.
//!
//! Shutting down is a message round the ring, as in every model: the task that
//! receives the token at 0 sends `Stop` on and waits for it to come back; each
//! other task forwards `Stop` and returns; the holder reports its id on `done` once
//! `Stop` is home, so when the answer arrives every other task has finished its
//! part. Closing still unwinds a half-built ring: if the system refuses a thread,
//! the run returns, dropping the ends not handed out yet, so the first task's inbox
//! closes, its `for` loop ends, which drops *its* sender, and so on round the ring.
//!
//! The inboxes are crossbeam's `unbounded`, the equal-work rule (one token, or one
//! `Stop`, is ever in flight, so no send would wait anyway). That has a price here:
//! a crossbeam `recv` spins and yields for a while before it parks, betting that a
//! value is about to arrive, and in a ring the next token is `tasks` hops away, so
//! every process that has just passed the token burns CPU in `sched_yield` beside
//! the one process that has work. `docs/models/csp.md` has the measurement (a
//! rendezvous channel, which parks at once, is what this crate used before the
//! rule).

use crossbeam_channel::{Receiver, Sender, unbounded};
use harness::ModelError;
use harness::spec::{RingOutcome, RingSpec};

use crate::process::{self, check_budget, go, spawn_failed};

// ## message

/// What travels round the ring.
enum Msg {
    /// The token, with the hops still to go.
    Token(u64),
    /// The run is over: forward this and return.
    Stop,
}

// ## task

/// One task of the ring: pass the token on, minus one, until it arrives at 0.
/// Returns `Some(id)` if this task is the holder (once `Stop` has been round),
/// `None` once `Stop` has passed through it or the ring has come apart.
fn task(id: usize, inbox: &Receiver<Msg>, next: &Sender<Msg>) -> Option<usize> {
    for msg in inbox {
        match msg {
            Msg::Token(0) => {
                next.send(Msg::Stop).ok()?;
                // Every other task forwards Stop and returns; when it is back, the
                // ring has ended.
                return match inbox.recv() {
                    Ok(Msg::Stop) => Some(id),
                    _ => None,
                };
            }
            Msg::Token(left) => next.send(Msg::Token(left - 1)).ok()?,
            Msg::Stop => {
                // The holder is waiting for this, so the send cannot fail.
                let _ = next.send(Msg::Stop);
                return None;
            }
        }
    }
    None
}

// ## run

pub(crate) fn run(spec: &RingSpec) -> Result<RingOutcome, ModelError> {
    if spec.tasks == 0 {
        return Err(ModelError::failed("a ring needs at least one task"));
    }
    check_budget(spec.tasks)?;
    // No runtime to start: a process is an OS thread.
    spec.probe.begin();
    let (report, done) = unbounded();
    process::scope(|s| {
        let (mut nexts, inboxes): (Vec<_>, Vec<_>) =
            (0..spec.tasks).map(|_| unbounded::<Msg>()).unzip();
        // The run's own way into the ring, dropped once the token is in.
        let start = nexts[0].clone();
        // Task i writes to inbox i + 1, and the last task to the first.
        nexts.rotate_left(1);
        for (id, (inbox, next)) in (1..).zip(inboxes.into_iter().zip(nexts)) {
            let report = report.clone();
            go(s, "ring", move || {
                if let Some(holder) = task(id, &inbox, &next) {
                    // The receiver lives until the scope ends.
                    let _ = report.send(holder);
                }
            })
            // Returning drops the ends not handed out yet, which starts the cascade
            // that lets the tasks already started return.
            .map_err(|e| spawn_failed(id - 1, spec.tasks, &e))?;
        }
        drop(report);
        // Every inbox has a sender and a receiver still, so this cannot fail.
        let _ = start.send(Msg::Token(spec.hops));
        drop(start);
        collect(spec, &done)
    })
}

// ## collect

// CSP: nothing is joined here; the holder reports its id on `done`, and the scope
// in `run` joins the threads after the answer is known.
fn collect(spec: &RingSpec, done: &Receiver<usize>) -> Result<RingOutcome, ModelError> {
    // An error here means every task returned without one being the holder.
    let holder = done.recv().ok();
    // The answer is known; what is left is the threads' exit and join.
    spec.probe.end();
    holder
        .map(|holder| RingOutcome { holder })
        .ok_or_else(|| ModelError::failed("no task received the token at 0"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_ring_of_one_passes_the_token_to_itself() {
        // The one ring whose task sends to itself, Stop included.
        for hops in [0, 1, 5] {
            let spec = RingSpec::new(1, hops);
            assert_eq!(run(&spec), Ok(RingOutcome { holder: 1 }));
            assert!(spec.probe.phases().is_some(), "both marks made");
        }
    }

    #[test]
    fn an_empty_ring_is_an_error_not_a_panic() {
        assert!(run(&RingSpec::new(0, 3)).is_err());
    }
}
