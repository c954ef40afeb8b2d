//! fanout on minirt: the producer and the collector run on the loop; the workers
//! are OS threads, because the jobs are CPU work and a single-threaded loop
//! running them would do one at a time and stall everything else on it. This is
//! tokio's `spawn_blocking` idea by hand: keep the loop for waiting, and give
//! computing to threads.
//!
//! The protocol is the harness's (`harness::spec::FanoutSpec`): the producer deals
//! `spec.jobs()` job messages, each a range of `spec.batch` items, round-robin into
//! one unbounded std channel per worker; threads block on it, as threads may, and
//! minirt has no channel of its own between threads (its channels either stay on
//! the loop or lead into it). When its queue closes, each worker sends its one
//! result, (count, sum), back over a [`thread_channel`], whose `wake()` reaches the
//! loop through the runtime's cross-thread wake path, and the collector awaits the
//! results and adds them up.
//!
//! The worker threads are minirt's CPU pool: they are started, and wait on their
//! queues, before the measured phase begins, as a tokio runtime's threads are.
//! `--threads` does not apply: there are `spec.workers` of them, one per worker.

use std::ops::Range;
use std::sync::mpsc;
use std::thread;

use harness::ModelError;
use harness::spec::{FanoutOutcome, FanoutSpec, run_job};

use crate::rt::thread_channel;
use crate::runtime;

/// Stack of each worker thread: a job needs a few hundred bytes.
const STACK_BYTES: usize = 64 * 1024;

// ## worker
/// One worker: runs every job it is dealt, then reports its count and sum once.
fn worker(jobs: mpsc::Receiver<Range<u64>>, results: thread_channel::Sender<(u64, u64)>) {
    let (mut count, mut sum) = (0u64, 0u64);
    for job in jobs {
        let (c, s) = run_job(job);
        count += c;
        sum = sum.wrapping_add(s);
    }
    // Fails only if the collector is gone, and it waits for every worker's message.
    let _ = results.send((count, sum));
}

// ## run
// The workers are OS threads, minirt's CPU pool, so they start before
// `probe.begin()`, as a tokio runtime's worker threads exist at its begin, and the
// scope joins them after `probe.end()`, as dropping a runtime joins its threads.
pub(crate) fn run(spec: &FanoutSpec) -> Result<FanoutOutcome, ModelError> {
    if spec.workers == 0 {
        return Err(ModelError::failed("fanout needs at least one worker"));
    }
    let limit = harness::limits::os_threads();
    if spec.workers > limit.max {
        return Err(ModelError::unsupported(format!(
            "{} worker threads, but this machine can start about {}: {}",
            spec.workers, limit.max, limit.reason
        )));
    }
    let (workers, jobs) = (spec.workers, spec.job_ranges());
    let rt = runtime()?;
    thread::scope(|s| {
        let (to_collector, results) = thread_channel::channel();
        let mut inboxes = Vec::with_capacity(workers);
        for w in 0..workers {
            let (tx, inbox) = mpsc::channel();
            inboxes.push(tx);
            let to_collector = to_collector.clone();
            let started = thread::Builder::new()
                .name("fanout-worker".into())
                .stack_size(STACK_BYTES)
                .spawn_scoped(s, move || worker(inbox, to_collector));
            if let Err(e) = started {
                // Returning drops `inboxes`, which closes the started workers'
                // queues: they send their (empty) results and end, and the scope
                // joins them.
                return Err(ModelError::unsupported(format!(
                    "started {w} of {workers} worker threads before the system refused: {e}"
                )));
            }
        }
        // The collector's loop ends when the last sender is gone: only the workers
        // may hold one.
        drop(to_collector);
        spec.probe.begin();
        let out = rt.block_on(async move {
            let out = produce(jobs, inboxes);
            collect(out, results).await
        });
        spec.probe.end();
        Ok(out)
    })
}

// ## produce
/// Deals the jobs round-robin, one unbounded std queue per worker (minirt has no
/// channel of its own between threads), then drops the senders, which closes every
/// queue. A send never waits.
fn produce(
    jobs: impl Iterator<Item = Range<u64>>,
    inboxes: Vec<mpsc::Sender<Range<u64>>>,
) -> FanoutOutcome {
    let mut out = FanoutOutcome::default();
    for (job, inbox) in jobs.zip(inboxes.iter().cycle()) {
        // Fails only if that worker ended early (panicked): the job is not
        // counted, and the scope reports the panic when it joins.
        if inbox.send(job).is_ok() {
            out.job_messages += 1;
        }
    }
    out
}

// ## collect
/// One result message per worker, until the last worker's sender is gone. This
/// runs inside the main task, so `probe.end()` is `run`'s, and the threads are
/// joined by `run`'s scope after it.
async fn collect(
    mut out: FanoutOutcome,
    mut results: thread_channel::Receiver<(u64, u64)>,
) -> FanoutOutcome {
    while let Some((count, sum)) = results.recv().await {
        out.add_result(count, sum);
    }
    out
}
