//! fanout in CSP: producer -> workers -> collector, the canonical pipeline.
//!
//! The run's own thread is the producer and then the collector, as in Go's worker
//! pool (`go worker(jobs, results)` for each worker, then the main goroutine fills
//! and closes `jobs` and reads `results`). It sends the job messages (`spec.batch`
//! items each, the ranges of `spec.job_ranges()`) down one shared job channel,
//! counting them, and drops its sender, which closes the channel; each worker
//! `for`-loops over that channel, runs every job it receives and keeps a running
//! count and sum; when the job channel is closed and empty, the worker sends its one
//! result message `(count, sum)` and returns. The collector adds up the results
//! until the result channel closes, which happens when the last worker has
//! returned. Nothing is shared: the workers do not know each other, the producer
//! does not know how many workers there are, and closing a channel is the only "we
//! are done" there is.
//!
//! The `threads` baseline does the same job with shared state; here the queue is the
//! job channel and the join handles are the result channel. Every channel is
//! crossbeam's `unbounded`, the equal-work rule: the producer never waits for room,
//! so with the default batch the job channel holds every job at once (one `Range`
//! each, 16 bytes), and a worker finishing a job always finds the next one waiting.

use std::ops::Range;

use crossbeam_channel::{Receiver, Sender, unbounded};
use harness::ModelError;
use harness::spec::{FanoutOutcome, FanoutSpec, run_job};

use crate::process::{self, check_budget, go, spawn_failed};

// ## worker

/// A worker's life: run every job it receives until the job channel is closed and
/// empty, then send its one result message.
fn worker(jobs: &Receiver<Range<u64>>, results: &Sender<(u64, u64)>) {
    let (mut count, mut sum) = (0u64, 0u64);
    for job in jobs {
        let (c, s) = run_job(job);
        count += c;
        sum = sum.wrapping_add(s);
    }
    // The collector lives until the scope ends.
    let _ = results.send((count, sum));
}

// ## run

pub(crate) fn run(spec: &FanoutSpec) -> Result<FanoutOutcome, ModelError> {
    // The workers; the producer and the collector are this thread.
    check_budget(spec.workers)?;
    // No runtime to start: a process is an OS thread.
    spec.probe.begin();
    let (send_job, jobs) = unbounded::<Range<u64>>();
    let (results, reports) = unbounded::<(u64, u64)>();
    process::scope(|s| {
        for w in 0..spec.workers {
            let (jobs, results) = (jobs.clone(), results.clone());
            go(s, "worker", move || worker(&jobs, &results))
                // Returning drops `send_job`: the workers already started see the
                // job channel close and return.
                .map_err(|e| spawn_failed(w, spec.workers, &e))?;
        }
        // Only the workers hold these now, so the channels close when they should:
        // jobs when the producer is done, results when the last worker is.
        drop((jobs, results));
        let out = produce(spec, send_job);
        collect(spec, &reports, out)
    })
}

// ## produce

/// Sends every job message, counting them, then closes the job channel.
fn produce(spec: &FanoutSpec, send_job: Sender<Range<u64>>) -> FanoutOutcome {
    let mut out = FanoutOutcome::default();
    for job in spec.job_ranges() {
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

// CSP: nothing is joined here; each worker's result is a message, and the result
// channel closing says the last worker has returned; the scope in `run` joins the
// threads after the answer is known.
fn collect(
    spec: &FanoutSpec,
    reports: &Receiver<(u64, u64)>,
    mut out: FanoutOutcome,
) -> Result<FanoutOutcome, ModelError> {
    for (count, sum) in reports {
        out.add_result(count, sum);
    }
    // The answer is known; what is left is the threads' exit and join.
    spec.probe.end();
    Ok(out)
}
