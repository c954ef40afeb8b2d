//! spawn: `n` tasks that each sleep, all alive at once (the "1 million tasks" test).
//!
//! The rules: every task is a task of the model's own kind (a future, a coroutine,
//! an actor, a thread), and holds an [`Alive`](crate::probe::Alive) from
//! `spec.probe.enter()` from its first step to its last, sleep included. `verify`
//! requires that all `n` were alive at the same moment: a model that starts tasks
//! more slowly than they sleep measures fewer tasks than it claims, and its memory
//! per task means nothing. Memory per task is counted from the probe's `begin`
//! (the runtime is up, no task exists yet), so the runtime's own set-up is not
//! charged to the tasks.

use std::time::Duration;

use super::{Counted, Probe, VerifyError, check, default_threads};

/// Spawn `n` tasks; each sleeps `sleep` and then reports; join them all. All `n` must
/// report, and all `n` must have been alive at once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpawnSpec {
    pub n: usize,
    pub sleep: Duration,
    pub threads: usize,
    /// Where the model marks its measured phase, and the gauge its tasks hold.
    pub probe: Probe,
}

impl SpawnSpec {
    pub fn new(n: usize, sleep: Duration) -> Self {
        Self {
            n,
            sleep,
            threads: default_threads(),
            probe: Probe::default(),
        }
    }

    /// Checks the count the model reported and the probe's peak of tasks alive.
    pub fn verify(&self, outcome: &Counted) -> Result<(), VerifyError> {
        check(outcome.count == self.n as u64, || {
            format!("{} of {} tasks reported", outcome.count, self.n)
        })?;
        let peak = self.probe.peak_alive();
        check(peak == self.n as u64, || {
            format!(
                "at most {peak} of {} tasks were alive at once (each task must hold \
                 spec.probe.enter() while it lives); if the model starts tasks more \
                 slowly than they sleep, raise --sleep-ms",
                self.n
            )
        })
    }
}
