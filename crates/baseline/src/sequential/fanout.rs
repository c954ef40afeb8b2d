//! fanout, sequentially: the protocol's shape, with calls where the other models
//! send messages.
//!
//! A worker is a plain value (its item count and partial sum), and "sending it a
//! job" is calling [`Worker::take`] with the job's range. The producer walks the
//! spec's job ranges and deals them round-robin to `workers` such values; once the
//! jobs are dealt, each worker's partial sum goes to the collector, again by a
//! call. So the counts the harness checks (job messages == jobs, result messages ==
//! workers) are counts of those calls: nothing crosses a thread, a queue or a lock,
//! and `workers` buys no parallelism. What remains is every job run once, in item
//! order, on one core, plus one call per job and per worker: the reference every
//! parallel model's speedup is quoted against.

use std::ops::Range;

use harness::ModelError;
use harness::spec::{FanoutOutcome, FanoutSpec, run_job};

// ## worker

/// One worker's state: what it has summed so far. A value, not a task: a job
/// "arrives" when the producer calls [`Worker::take`], and the result message is
/// the value itself, read by the collector.
#[derive(Debug, Clone, Copy, Default)]
struct Worker {
    count: u64,
    sum: u64,
}

impl Worker {
    /// A job arrives: run the fixed job on each of its items.
    fn take(&mut self, job: Range<u64>) {
        let (count, sum) = run_job(job);
        self.count += count;
        self.sum = self.sum.wrapping_add(sum);
    }
}

// ## run

pub(crate) fn run(spec: &FanoutSpec) -> Result<FanoutOutcome, ModelError> {
    if spec.workers == 0 {
        return Err(ModelError::unsupported(
            "a fanout with 0 workers has no one to run its jobs",
        ));
    }
    // No runtime to build: the work starts with the workers' states.
    spec.probe.begin();
    let mut workers = vec![Worker::default(); spec.workers];
    let out = produce(spec, &mut workers);
    Ok(collect(spec, workers, out))
}

// ## produce

/// Deals the jobs round-robin, one call per job message. Nothing to close: the
/// workers have no inbox to wait on.
fn produce(spec: &FanoutSpec, workers: &mut [Worker]) -> FanoutOutcome {
    let mut out = FanoutOutcome::default();
    for (j, job) in spec.job_ranges().enumerate() {
        workers[j % workers.len()].take(job);
        out.job_messages += 1;
    }
    out
}

// ## collect

/// One result per worker, as the protocol has it.
fn collect(spec: &FanoutSpec, workers: Vec<Worker>, mut out: FanoutOutcome) -> FanoutOutcome {
    for w in workers {
        out.add_result(w.count, w.sum);
    }
    spec.probe.end();
    out
}
