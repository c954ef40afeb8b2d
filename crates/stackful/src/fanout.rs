//! fanout on may: a producer coroutine, `workers` worker coroutines, the caller
//! as collector.
//!
//! The producer sends the job messages (`spec.batch` items each, the ranges of
//! `spec.job_ranges()`) down one may `mpmc` channel, which every worker receives
//! from, so each job goes to exactly one worker; then it drops its sender, which
//! closes the channel, and returns the outcome with its count of job messages.
//! Each worker runs every job it receives, keeps its own count and sum, and when
//! the channel is closed and empty sends its one result message on a may `mpsc`
//! channel to the collector (the calling thread: may's channels block a plain
//! thread as well as a coroutine), which adds up the results until the last worker
//! has dropped its sender. Both channels are unbounded, the equal-work rule: the
//! producer never waits for room.
//!
//! The job is pure computation and nothing preempts a coroutine, so a worker
//! holds its thread until it next waits on the channel: the parallelism is may's
//! worker-thread count (`spec.threads`), however many worker coroutines there are.

use std::ops::Range;

use harness::ModelError;
use harness::spec::{FanoutOutcome, FanoutSpec, run_job};
use may::coroutine::JoinHandle;
use may::sync::{mpmc, mpsc};

use crate::runtime;

/// Stack of each coroutine: a channel call, or the job (a loop over two
/// registers): 1.4 KiB deep in a release build, 3.6 KiB in a debug one (measured
/// by painting the stack). It gets may's pooled size (8 KiB), which still holds
/// twice the debug depth, so every coroutine comes from the pool.
const STACK_BYTES: usize = runtime::POOLED_STACK_BYTES;

// ## worker
/// A worker: run every job until the channel closes, then send one result.
fn worker(jobs: &mpmc::Receiver<Range<u64>>, results: &mpsc::Sender<(u64, u64)>) {
    let (mut count, mut sum) = (0u64, 0u64);
    for job in jobs {
        let (c, part) = run_job(job);
        count += c;
        sum = sum.wrapping_add(part);
    }
    // The collector receives until every worker has sent: it is there.
    let _ = results.send((count, sum));
}

// ## run
pub(crate) fn run(spec: &FanoutSpec) -> Result<FanoutOutcome, ModelError> {
    // The workers and the producer; the collector is this thread.
    let coroutines = spec.workers.saturating_add(1);
    runtime::check_stacks(coroutines, "this many fanout workers")?;
    runtime::start(spec.threads, coroutines);
    spec.probe.begin();
    let (send_job, jobs) = mpmc::channel::<Range<u64>>();
    let (send_result, results) = mpsc::channel::<(u64, u64)>();
    let mut workers = Vec::with_capacity(spec.workers);
    let mut failed = None;
    for w in 0..spec.workers {
        let (jobs, send_result) = (jobs.clone(), send_result.clone());
        // SAFETY: the closure owns a receiver and a sender; it touches no
        // thread-local storage, and its deepest call (a channel receive, or the
        // job) uses at most 4 KiB of its 8 KiB stack.
        let spawned =
            unsafe { runtime::builder(STACK_BYTES).spawn(move || worker(&jobs, &send_result)) };
        match spawned {
            Ok(handle) => workers.push(handle),
            Err(e) => {
                failed = Some(ModelError::failed(format!(
                    "could not spawn fanout worker {} of {}: {e}",
                    w + 1,
                    spec.workers
                )));
                break;
            }
        }
    }
    // Only the workers may keep these open: the job channel closes when the
    // producer returns, the result channel when the last worker does.
    drop((jobs, send_result));
    let ranges = spec.job_ranges();
    // SAFETY: the closure owns the sender and an iterator of ranges; no
    // thread-local storage, at most 4 KiB of its 8 KiB stack used. After a failed
    // worker spawn it still runs, so the workers already started get their jobs
    // and their channel closes; the run then answers with the error.
    let producer =
        unsafe { runtime::builder(STACK_BYTES).spawn(move || produce(ranges, send_job)) }
            .map_err(|e| ModelError::failed(format!("could not spawn the producer: {e}")));
    collect(spec, &results, producer, workers, failed)
}

// ## produce
/// Sends every job message, counting them, then closes the job channel. The
/// producer is a coroutine of its own, not the calling thread, for the reason
/// tokio runs its producer in a task: a send from a plain thread that wakes a
/// parked worker pushes it on one of may's global queues and wakes that worker
/// thread through its selector, where a send from a coroutine puts it on this
/// worker's own run queue. (That is what may's scheduler code does; what the
/// difference costs here is not measured.)
fn produce(
    ranges: impl Iterator<Item = Range<u64>>,
    send_job: mpmc::Sender<Range<u64>>,
) -> FanoutOutcome {
    let mut out = FanoutOutcome::default();
    for job in ranges {
        // Fails only if every worker is gone; then there is no one to feed.
        if send_job.send(job).is_err() {
            break;
        }
        out.job_messages += 1;
    }
    // The last sender: each worker returns once it has drained the channel.
    drop(send_job);
    out
}

// ## collect
/// Joins the producer for its count, adds up one result message per worker,
/// then joins the workers; the first failure, if any, wins.
fn collect(
    spec: &FanoutSpec,
    results: &mpsc::Receiver<(u64, u64)>,
    producer: Result<JoinHandle<FanoutOutcome>, ModelError>,
    workers: Vec<JoinHandle<()>>,
    mut failed: Option<ModelError>,
) -> Result<FanoutOutcome, ModelError> {
    // The producer never waits (the job channel is unbounded), and no result
    // comes before it has closed the channel, so joining it first holds up nothing.
    let mut out = match producer.and_then(runtime::join) {
        Ok(out) => out,
        Err(e) => {
            failed = failed.or(Some(e));
            FanoutOutcome::default()
        }
    };
    // A failed producer spawn dropped its sender: the workers see the channel
    // close, send what they have and return, and this loop ends too. (may's
    // channels block a plain thread as well as a coroutine.)
    for (count, sum) in results {
        out.add_result(count, sum);
    }
    for handle in workers {
        if let Err(e) = runtime::join(handle) {
            failed = failed.or(Some(e));
        }
    }
    spec.probe.end();
    match failed {
        Some(e) => Err(e),
        None => Ok(out),
    }
}
