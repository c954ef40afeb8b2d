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

/// One worker: runs every job from its queue until the producer closes it, then
/// sends its one result (items done, wrapping sum).
fn worker(queue: mpsc::Receiver<Range<u64>>, results: thread_channel::Sender<(u64, u64)>) {
    let (mut count, mut sum) = (0u64, 0u64);
    for job in queue {
        let (c, s) = run_job(job);
        count += c;
        sum = sum.wrapping_add(s);
    }
    // Fails only if the collector has gone, and then nobody wants the result.
    let _ = results.send((count, sum));
}

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
    let rt = runtime()?;
    let (results, mut collected) = thread_channel::channel::<(u64, u64)>();
    thread::scope(|s| {
        let mut queues = Vec::with_capacity(spec.workers);
        for w in 0..spec.workers {
            let (queue, jobs) = mpsc::channel();
            let results = results.clone();
            let started = thread::Builder::new()
                .name("fanout-worker".into())
                .stack_size(STACK_BYTES)
                .spawn_scoped(s, move || worker(jobs, results));
            if let Err(e) = started {
                // Returning drops `queues`, which closes the started workers' queues:
                // they send their (empty) results and end, and the scope joins them.
                return Err(ModelError::unsupported(format!(
                    "started {w} of {} worker threads before the system refused: {e}",
                    spec.workers
                )));
            }
            queues.push(queue);
        }
        // The workers hold clones; the collector must see the end when they finish.
        drop(results);
        let outcome = spec.probe.measure(|| {
            rt.block_on(async {
                let mut out = FanoutOutcome::default();
                // The producer: deal the jobs round-robin. A send never waits (the
                // queues are unbounded); it fails only if that worker has panicked,
                // which the scope reports when it joins.
                for (job, queue) in spec.job_ranges().zip(queues.iter().cycle()) {
                    if queue.send(job).is_err() {
                        break;
                    }
                    out.job_messages += 1;
                }
                // Closing the queues tells each worker it has had every job.
                drop(queues);
                // The collector: one result per worker, until the last worker's
                // sender is gone.
                while let Some((count, sum)) = collected.recv().await {
                    out.add_result(count, sum);
                }
                out
            })
        });
        Ok(outcome)
    })
}
