//! fanout: a producer, job messages of `batch` items, `workers` workers doing a
//! fixed CPU job per item, one partial sum per worker, a collector.
//!
//! The rules, the same protocol in every model:
//! - the producer sends `ceil(items / batch)` job messages, each a contiguous range
//!   of at most `batch` item numbers (`--batch 1`: one message per item, which
//!   measures the hand-over; a large batch measures throughput);
//! - job channels are the library's own unbounded channel or mailbox (threads: std
//!   only), one shared queue or one per worker dealt round-robin (the jobs all cost
//!   the same, so both balance); the producer never waits for room;
//! - each worker runs [`fanout_job`] on every item of every job it receives, and
//!   when its queue is closed sends exactly one result message (its count and
//!   wrapping sum) to the collector;
//! - the outcome counts the job messages sent and the result messages received,
//!   and `verify` checks both.

use super::{Probe, VerifyError, check, default_threads};
use crate::pages::splitmix64;

/// A producer sends items `0..items` to `workers` workers in jobs of `batch`
/// items; each worker runs [`fanout_job`] on each item it receives; a collector sums
/// the workers' partial sums (wrapping).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FanoutSpec {
    pub items: u64,
    pub workers: usize,
    /// Items per job message (the last job may hold fewer).
    pub batch: u64,
    pub threads: usize,
    /// Where the model marks its measured phase.
    pub probe: Probe,
}

impl FanoutSpec {
    /// Items per job message unless `--batch` says otherwise: about 30 µs of work,
    /// enough to spread a hand-over's cost, small enough to balance two workers.
    pub const DEFAULT_BATCH: u64 = 32;

    pub fn new(items: u64, workers: usize) -> Self {
        Self {
            items,
            workers,
            batch: Self::DEFAULT_BATCH,
            threads: default_threads(),
            probe: Probe::default(),
        }
    }

    /// The job messages the producer must send: `ceil(items / batch)`.
    pub fn jobs(&self) -> u64 {
        self.items.div_ceil(self.batch.max(1))
    }

    /// The job ranges in the order the producer sends them.
    pub fn job_ranges(&self) -> impl Iterator<Item = std::ops::Range<u64>> + use<> {
        let (items, batch) = (self.items, self.batch.max(1));
        (0..self.jobs()).map(move |j| j * batch..((j + 1) * batch).min(items))
    }

    /// The sum every model must reach, computed in O(items) without running the jobs
    /// (see [`fanout_job`]), so verifying costs nothing next to the work itself.
    pub fn expected_sum(&self) -> u64 {
        job_sum(0..self.items)
    }

    pub fn verify(&self, outcome: &FanoutOutcome) -> Result<(), VerifyError> {
        check(outcome.items == self.items, || {
            format!("{} of {} items collected", outcome.items, self.items)
        })?;
        let want = self.expected_sum();
        check(outcome.sum == want, || {
            format!(
                "sum {:#018x} over {} items; want {want:#018x}",
                outcome.sum, self.items
            )
        })?;
        check(outcome.job_messages == self.jobs(), || {
            format!(
                "{} job messages for {} items in batches of {}; the protocol sends {}",
                outcome.job_messages,
                self.items,
                self.batch,
                self.jobs()
            )
        })?;
        check(outcome.result_messages == self.workers as u64, || {
            format!(
                "{} result messages from {} workers; the protocol sends one per worker",
                outcome.result_messages, self.workers
            )
        })
    }
}

/// The collector's result: how many items it summed, the wrapping sum, and the
/// messages that carried them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
pub struct FanoutOutcome {
    pub items: u64,
    pub sum: u64,
    /// Job messages the producer sent.
    pub job_messages: u64,
    /// Result messages the collector received.
    pub result_messages: u64,
}

impl FanoutOutcome {
    /// Adds one worker's result message: its item count and partial sum.
    pub fn add_result(&mut self, count: u64, sum: u64) {
        self.items += count;
        self.sum = self.sum.wrapping_add(sum);
        self.result_messages += 1;
    }
}

/// The wrapping sum of [`fanout_job`] over `items`, in O(items) without running
/// the jobs: each job is one affine map of its seed, jumped in closed form.
pub fn job_sum(items: std::ops::Range<u64>) -> u64 {
    let (a, c) = lcg_jump(FANOUT_JOB_STEPS);
    items.fold(0u64, |sum, item| {
        let mut seed = item;
        let x = splitmix64(&mut seed);
        sum.wrapping_add(a.wrapping_mul(x).wrapping_add(c))
    })
}

/// Runs the fanout job on every item of one job message and returns the count and
/// wrapping sum: what a worker adds to its partial sum per job.
pub fn run_job(job: std::ops::Range<u64>) -> (u64, u64) {
    let count = job.end - job.start;
    let sum = job.fold(0u64, |s, item| s.wrapping_add(fanout_job(item)));
    (count, sum)
}

/// Steps of the linear congruential generator each fanout job runs: about 0.6 µs
/// on the reference machine. LLVM unrolls the loop by 8 and folds each 8 steps into
/// one multiply-add with precomputed constants (the same jump the verifier makes),
/// so a job is 512 dependent multiply-adds; every model calls the same function, so
/// the work is the same for all.
pub const FANOUT_JOB_STEPS: u32 = 4096;
const LCG_A: u64 = 6_364_136_223_846_793_005; // Knuth's MMIX multiplier
const LCG_C: u64 = 1_442_695_040_888_963_407;

/// The fixed CPU job of the fanout workload: seed from the item, then step an LCG
/// [`FANOUT_JOB_STEPS`] times. Each step depends on the last, so the work cannot be
/// vectorised or spread over cores; the verifier jumps ahead in closed form instead.
pub fn fanout_job(item: u64) -> u64 {
    let mut seed = item;
    let mut x = splitmix64(&mut seed);
    // black_box keeps the step count opaque so the loop is not specialised away.
    for _ in 0..std::hint::black_box(FANOUT_JOB_STEPS) {
        x = x.wrapping_mul(LCG_A).wrapping_add(LCG_C);
    }
    x
}

/// The affine map `x -> a*x + c` equal to `steps` LCG steps (square and multiply).
fn lcg_jump(mut steps: u32) -> (u64, u64) {
    let (mut acc_a, mut acc_c) = (1u64, 0u64);
    let (mut a, mut c) = (LCG_A, LCG_C);
    while steps > 0 {
        if steps & 1 == 1 {
            acc_a = acc_a.wrapping_mul(a);
            acc_c = acc_c.wrapping_mul(a).wrapping_add(c);
        }
        c = c.wrapping_mul(a).wrapping_add(c);
        a = a.wrapping_mul(a);
        steps >>= 1;
    }
    (acc_a, acc_c)
}
