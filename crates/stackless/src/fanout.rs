//! fanout with tokio: worker tasks fed by the producer over `tokio::sync::mpsc`
//! unbounded channels, one result message each to the collector.
//!
//! The measured task is the producer: it deals the spec's job ranges (`batch` items
//! each) round-robin into one unbounded channel per worker (tokio's `mpsc` has a
//! single consumer, and the jobs all cost the same, so dealing evenly balances as
//! well as a shared queue would). Unbounded, the producer never waits for room: it
//! sends every job and drops the senders, which closes the inboxes. Each worker
//! task runs [`run_job`] on every job it receives and keeps a private count and
//! sum; when its inbox is closed and empty it sends them, as one message, on a
//! shared unbounded results channel. The collector is the measured task again,
//! adding up the result messages until every worker's sender is gone, then joining
//! the workers so that a panic is reported as one.
//!
//! The CPU work runs on the worker tasks themselves. A job of 32 items takes some
//! tens of microseconds, within the 10 to 100 µs tokio asks a task to run between
//! awaits, so it is not "blocking" in tokio's sense; moving it to `spawn_blocking`
//! or a pool of plain threads would add a cross-thread hand-over per job and threads
//! the runtime does not schedule. The multi-thread runtime's workers are the CPU
//! pool, so `--threads` sets the parallelism; on the current-thread runtime the
//! workers take turns on one thread, which is that runtime's promise and its limit.
//!
//! Each `recv` spends from the task's coop budget, so a worker whose inbox never runs
//! dry still yields every 128 jobs and cannot starve the others on its thread.

use std::ops::Range;

use harness::ModelError;
use harness::spec::{FanoutOutcome, FanoutSpec, run_job};
use tokio::sync::mpsc::{self, UnboundedReceiver, UnboundedSender};
use tokio::task::JoinSet;

use crate::runtime::{self, Flavor};

// ## worker
/// One worker: runs every job it is dealt, then reports its count and sum once.
async fn worker(mut jobs: UnboundedReceiver<Range<u64>>, results: UnboundedSender<(u64, u64)>) {
    let (mut count, mut sum) = (0u64, 0u64);
    while let Some(job) = jobs.recv().await {
        let (c, s) = run_job(job);
        count += c;
        sum = sum.wrapping_add(s);
    }
    // Fails only if the collector is gone, and it waits for every worker's message.
    let _ = results.send((count, sum));
}

// ## run
pub(crate) fn run(spec: &FanoutSpec, flavor: Flavor) -> Result<FanoutOutcome, ModelError> {
    if spec.workers == 0 {
        return Err(ModelError::failed("fanout needs at least one worker"));
    }
    let (workers, jobs) = (spec.workers, spec.job_ranges());
    let rt = runtime::start(flavor)?;
    spec.probe.begin();
    let out = rt.run(async move {
        let (to_collector, results) = mpsc::unbounded_channel();
        let mut pool = JoinSet::new();
        let mut inboxes = Vec::with_capacity(workers);
        for _ in 0..workers {
            let (tx, inbox) = mpsc::unbounded_channel();
            inboxes.push(tx);
            pool.spawn(worker(inbox, to_collector.clone()));
        }
        // The collector's loop ends when the last sender is gone: only the workers
        // may hold one.
        drop(to_collector);
        let out = produce(jobs, inboxes);
        collect(out, results, pool).await
    });
    spec.probe.end();
    out
}

// ## produce
/// Deals the jobs round-robin, one unbounded inbox per worker (tokio's `mpsc` has a
/// single consumer), then drops the senders, which closes every inbox.
fn produce(
    jobs: impl Iterator<Item = Range<u64>>,
    inboxes: Vec<UnboundedSender<Range<u64>>>,
) -> FanoutOutcome {
    let mut out = FanoutOutcome::default();
    for (job, inbox) in jobs.zip(inboxes.iter().cycle()) {
        // Fails only if that worker ended early (panicked): the job is not
        // counted, and the join reports the panic.
        if inbox.send(job).is_ok() {
            out.job_messages += 1;
        }
    }
    out
}

// ## collect
/// One result message per worker, then the joins, so that a panicked worker is
/// reported as one. This runs inside the measured task, so `probe.end()` is
/// `run`'s, once the runtime has handed `out` back.
async fn collect(
    mut out: FanoutOutcome,
    mut results: UnboundedReceiver<(u64, u64)>,
    mut pool: JoinSet<()>,
) -> Result<FanoutOutcome, ModelError> {
    while let Some((count, sum)) = results.recv().await {
        out.add_result(count, sum);
    }
    while let Some(joined) = pool.join_next().await {
        joined.map_err(runtime::joined)?;
    }
    Ok(out)
}
