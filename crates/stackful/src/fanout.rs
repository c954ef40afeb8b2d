//! fanout on may: a producer coroutine, `workers` worker coroutines, the caller
//! as collector.
//!
//! The producer sends the job messages (`spec.batch` items each, the ranges of
//! `spec.job_ranges()`) down one may `mpmc` channel, which every worker receives
//! from, so each job goes to exactly one worker; it returns how many it sent, and
//! returning drops its sender, which closes the channel. Each worker runs every job
//! it receives, keeps its own count and sum, and when the channel is closed and
//! empty sends its one result message on a may `mpsc` channel to the collector (the
//! calling thread: may's channels block a plain thread as well as a coroutine),
//! which adds up the results until the last worker has dropped its sender. Both
//! channels are unbounded, the equal-work rule: the producer never waits for room.
//!
//! The job is pure computation and nothing preempts a coroutine, so a worker
//! holds its thread until it next waits on the channel: the parallelism is may's
//! worker-thread count (`spec.threads`), however many worker coroutines there are.

use std::ops::Range;

use harness::ModelError;
use harness::spec::{FanoutOutcome, FanoutSpec, run_job};
use may::sync::{mpmc, mpsc};

use crate::runtime;

/// Stack of each coroutine: a channel call, or the job (a loop over two
/// registers): 1.4 KiB deep in a release build, 3.6 KiB in a debug one (measured
/// by painting the stack). It gets may's pooled size (8 KiB), which still holds
/// twice the debug depth, so every coroutine comes from the pool.
const STACK_BYTES: usize = runtime::POOLED_STACK_BYTES;

/// A worker: run every job until the channel closes, then send one result.
fn worker(jobs: &mpmc::Receiver<Range<u64>>, results: &mpsc::Sender<(u64, u64)>) {
    let (mut count, mut sum) = (0u64, 0u64);
    for job in jobs.iter() {
        let (c, part) = run_job(job);
        count += c;
        sum = sum.wrapping_add(part);
    }
    // The collector receives until every worker has sent: it is there.
    let _ = results.send((count, sum));
}

/// The producer: send every job; how many went out.
fn producer(ranges: impl Iterator<Item = Range<u64>>, jobs: mpmc::Sender<Range<u64>>) -> u64 {
    let mut sent = 0;
    for job in ranges {
        // Fails only if every worker is gone; then there is no one to feed.
        if jobs.send(job).is_err() {
            break;
        }
        sent += 1;
    }
    // Dropping `jobs` here closes the channel: the workers' loops end.
    sent
}

pub(crate) fn run(spec: &FanoutSpec) -> Result<FanoutOutcome, ModelError> {
    // The workers and the producer; the collector is this thread.
    let coroutines = spec.workers.saturating_add(1);
    runtime::check_stacks(coroutines, "this many fanout workers")?;
    runtime::start(spec.threads, coroutines);
    spec.probe.begin();
    let (send_job, jobs) = mpmc::channel::<Range<u64>>();
    let (send_result, results) = mpsc::channel::<(u64, u64)>();
    let mut handles = Vec::with_capacity(spec.workers);
    let mut failed = None;
    for w in 0..spec.workers {
        let (jobs, send_result) = (jobs.clone(), send_result.clone());
        // SAFETY: the closure owns a receiver and a sender; it touches no
        // thread-local storage, and its deepest call (a channel receive, or the
        // job) uses at most 4 KiB of its 8 KiB stack.
        let spawned =
            unsafe { runtime::builder(STACK_BYTES).spawn(move || worker(&jobs, &send_result)) };
        match spawned {
            Ok(handle) => handles.push(handle),
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
        unsafe { runtime::builder(STACK_BYTES).spawn(move || producer(ranges, send_job)) }
            .map_err(|e| ModelError::failed(format!("could not spawn the producer: {e}")));
    let mut out = FanoutOutcome::default();
    // A failed producer spawn dropped its sender: the workers see the channel
    // close, send what they have and return, and this loop ends too.
    for (count, sum) in results.iter() {
        out.add_result(count, sum);
    }
    let sent = producer.and_then(runtime::join);
    for handle in handles {
        if let Err(e) = runtime::join(handle) {
            failed = failed.or(Some(e));
        }
    }
    spec.probe.end();
    out.job_messages = sent?;
    match failed {
        Some(e) => Err(e),
        None => Ok(out),
    }
}
