//! ring in CSP: the Benchmarks Game thread-ring as processes and channels.
//!
//! Task `i` owns one channel end to read (its inbox) and one to write (the next
//! task's inbox), and nothing else. The run sends the token into task 1's inbox;
//! every task decrements and forwards it; the one that receives 0 reports its id on
//! `done` and returns. Only one process is ever runnable, so every hop wakes a
//! sleeping OS thread: a futex wake-up and a context switch, which is what a hop
//! costs here.
//!
//! Shutting down is done by closing, not by a stop message: the holder's return
//! drops its sender, so the next task's inbox closes and its `for` loop ends, which
//! drops *its* sender, and so on round the ring until every process has returned.
//! The same cascade unwinds a half-built ring if the system refuses a thread.
//!
//! Rendezvous channels (`bounded(0)`), Hoare's original kind. Here the choice is
//! not about buffering (one token is ever in flight) but about waiting: a
//! crossbeam buffered channel's `recv` spins and yields for a while before it
//! parks, betting that a value is about to arrive, while a rendezvous `recv` parks
//! at once. In a ring the next token is 503 hops away, so the bet always loses:
//! with `bounded(1)` every process burns CPU in `sched_yield` after each hop,
//! competing with the one process that has work. On the 2-core development machine
//! (shared, loaded) 50,000 hops of the plain reference ring took about half the CPU
//! time and 0.7x the wall time with `bounded(0)` (median 21 us per hop against 32).
//! The one exception is a ring of one task, which sends to itself: a rendezvous
//! with yourself never happens, so that ring gets a slot of 1.

use crossbeam_channel::bounded;
use harness::ModelError;
use harness::spec::{RingOutcome, RingSpec};

use crate::process::{self, check_budget, go, spawn_failed};

/// Rendezvous inboxes (see the module doc); a ring of one needs a slot to send
/// to itself.
fn capacity(tasks: usize) -> usize {
    if tasks == 1 { 1 } else { 0 }
}

pub(crate) fn run(spec: &RingSpec) -> Result<RingOutcome, ModelError> {
    if spec.tasks == 0 {
        return Err(ModelError::failed("a ring needs at least one task"));
    }
    check_budget(spec.tasks)?;
    let (report, done) = bounded(1);
    let capacity = capacity(spec.tasks);
    process::scope(|s| {
        let (mut nexts, inboxes): (Vec<_>, Vec<_>) =
            (0..spec.tasks).map(|_| bounded::<u64>(capacity)).unzip();
        // The run's own way into the ring, dropped once the token is in.
        let start = nexts[0].clone();
        // Task i writes to inbox i + 1, and the last task to the first.
        nexts.rotate_left(1);
        for (id, (inbox, next)) in (1..).zip(inboxes.into_iter().zip(nexts)) {
            let report = report.clone();
            go(s, "ring", move || {
                for token in &inbox {
                    if token == 0 {
                        // The receiver lives until the scope ends.
                        let _ = report.send(id);
                        return;
                    }
                    if next.send(token - 1).is_err() {
                        return;
                    }
                }
            })
            // Returning drops the ends not handed out yet, which starts the cascade
            // that lets the tasks already started return.
            .map_err(|e| spawn_failed(id - 1, spec.tasks, &e))?;
        }
        drop(report);
        // Every inbox has a sender and a receiver still, so this cannot fail.
        let _ = start.send(spec.hops);
        drop(start);
        done.recv()
            .map(|holder| RingOutcome { holder })
            .map_err(|_| ModelError::failed("no task received the token at 0"))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_ring_of_one_passes_the_token_to_itself() {
        // The one ring whose inbox is buffered: a rendezvous with itself would hang.
        for hops in [0, 1, 5] {
            let spec = RingSpec::new(1, hops);
            assert_eq!(run(&spec), Ok(RingOutcome { holder: 1 }));
        }
    }

    #[test]
    fn an_empty_ring_is_an_error_not_a_panic() {
        assert!(run(&RingSpec::new(0, 3)).is_err());
    }
}
