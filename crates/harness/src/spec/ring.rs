//! ring: the Benchmarks Game thread-ring.
//!
//! The rules are pingpong's: one message per hop on the library's standard
//! unbounded channel or mailbox (one per task), the primitive named in every row,
//! and a stop message around the ring when the token reaches 0, so every task ends.
//! Building the ring (spawning its `tasks` tasks) is inside the measured phase, as
//! the Benchmarks Game counts it; the per-hop figure is a slope across sizes in
//! `docs/measuring.md`, which shows what the ring's build adds.

use super::{Probe, VerifyError, check, default_threads};

/// The Benchmarks Game thread-ring: `tasks` tasks numbered 1..=tasks in a ring; task
/// 1 gets a token holding `hops`; a task that receives a token of 0 is the holder,
/// otherwise it passes the token minus one to the next task.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RingSpec {
    pub tasks: usize,
    pub hops: u64,
    pub threads: usize,
    /// Where the model marks its measured phase.
    pub probe: Probe,
}

impl RingSpec {
    /// The Benchmarks Game's ring size.
    pub const DEFAULT_TASKS: usize = 503;

    pub fn new(tasks: usize, hops: u64) -> Self {
        Self {
            tasks,
            hops,
            threads: default_threads(),
            probe: Probe::default(),
        }
    }

    /// The id (1-based) of the task that must end up holding the token.
    pub fn expected_holder(&self) -> usize {
        // `hops % tasks` is below `tasks`, a usize.
        (self.hops % self.tasks as u64) as usize + 1
    }

    pub fn verify(&self, outcome: &RingOutcome) -> Result<(), VerifyError> {
        let want = self.expected_holder();
        check(outcome.holder == want, || {
            format!(
                "task {} holds the token after {} hops in a ring of {}; want task {want}",
                outcome.holder, self.hops, self.tasks
            )
        })
    }
}

/// The 1-based id of the task that received the token at 0.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct RingOutcome {
    pub holder: usize,
}
