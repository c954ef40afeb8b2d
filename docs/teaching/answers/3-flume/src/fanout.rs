//! fanout in `flume`: a producer, `workers` worker processes that all receive from
//! one job channel, and a collector reading one result message per worker.
//!
//! A flume `Receiver` is `Clone`: every worker holds a clone of the one job
//! receiver and takes whichever job comes next (multi-consumer, which std's mpsc
//! receiver is not). Closing the job channel (dropping its sender) is "no more
//! work"; each worker then sends its count and partial sum once. Both channels are
//! `flume::unbounded`, so the producer never waits for room.

use std::ops::Range;

use flume::{Receiver, Sender};
use harness::ModelError;
use harness::spec::{FanoutOutcome, FanoutSpec, run_job};

use crate::process;

// ## worker

/// One worker: runs every job it receives, then sends one result message.
fn worker(jobs: &Receiver<Range<u64>>, results: &Sender<(u64, u64)>) {
    let (mut count, mut sum) = (0, 0u64);
    for job in jobs.iter() {
        let (c, s) = run_job(job);
        count += c;
        sum = sum.wrapping_add(s);
    }
    // The collector reads until every worker has hung up, so this lands.
    let _ = results.send((count, sum));
}

// ## run

pub(crate) fn run(spec: &FanoutSpec) -> Result<FanoutOutcome, ModelError> {
    if spec.workers == 0 {
        return Err(ModelError::failed("a fanout needs at least one worker"));
    }
    process::check_budget(spec.workers, "a fanout with this many workers")?;
    let (job_tx, job_rx) = flume::unbounded();
    let (result_tx, result_rx) = flume::unbounded();
    process::scope(move |s| {
        spec.probe.begin();
        for started in 0..spec.workers {
            let (jobs, results) = (job_rx.clone(), result_tx.clone());
            process::go(s, "fanout", move || worker(&jobs, &results))
                .map_err(|e| process::refused(started, spec.workers, &e))?;
        }
        // Only the workers hold these now.
        drop((job_rx, result_tx));
        let job_messages = produce(spec, &job_tx);
        // Closing the job channel tells the workers there is no more.
        drop(job_tx);
        Ok(collect(spec, job_messages, &result_rx))
    })
}

// ## produce

/// Sends `spec.job_ranges()` as the job messages; returns how many went.
fn produce(spec: &FanoutSpec, jobs: &Sender<Range<u64>>) -> u64 {
    let mut sent = 0;
    for job in spec.job_ranges() {
        // Fails only if every worker is gone (they panicked); the scope says so.
        if jobs.send(job).is_err() {
            break;
        }
        sent += 1;
    }
    sent
}

// ## collect

/// Adds up one result message per worker, until the last worker has hung up.
fn collect(spec: &FanoutSpec, job_messages: u64, results: &Receiver<(u64, u64)>) -> FanoutOutcome {
    let mut out = FanoutOutcome {
        job_messages,
        ..FanoutOutcome::default()
    };
    for (count, sum) in results.iter() {
        out.add_result(count, sum);
    }
    spec.probe.end();
    out
}
