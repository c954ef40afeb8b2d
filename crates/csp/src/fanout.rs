//! fanout in CSP: producer -> workers -> collector, the canonical pipeline.
//!
//! The producer sends the job messages (`spec.batch` items each, the ranges of
//! `spec.job_ranges()`) down one shared job channel, reports how many it sent, and
//! returns, which closes the channel; each worker `for`-loops over that channel,
//! runs every job it receives and keeps a running count and sum; when the job
//! channel is closed and empty, the worker sends its one result message `(count,
//! sum)` to the collector and returns. The run's own thread is the collector,
//! adding up the results until the result channel closes, which happens when the
//! last worker has returned. Nothing is shared: the workers do not know each other,
//! the producer does not know how many workers there are, and closing a channel is
//! the only "we are done" there is.
//!
//! The `threads` baseline does the same job with shared state; here the queue is the
//! job channel and the join handles are the result channel. Every channel is
//! crossbeam's `unbounded`, the equal-work rule: the producer never waits for room,
//! so with the default batch the job channel holds every job at once (one `Range`
//! each, 16 bytes), and a worker finishing a job always finds the next one waiting.

use std::ops::Range;

use crossbeam_channel::unbounded;
use harness::ModelError;
use harness::spec::{FanoutOutcome, FanoutSpec, run_job};

use crate::process::{self, check_budget, go, spawn_failed};

pub(crate) fn run(spec: &FanoutSpec) -> Result<FanoutOutcome, ModelError> {
    // The workers, plus the producer; the collector is this thread.
    check_budget(spec.workers.saturating_add(1))?;
    spec.probe.begin();
    let (send_job, jobs) = unbounded::<Range<u64>>();
    let (send_result, results) = unbounded::<(u64, u64)>();
    let (report_sent, sent) = unbounded::<u64>();
    let ranges = spec.job_ranges();
    process::scope(|s| {
        for w in 0..spec.workers {
            let (jobs, send_result) = (jobs.clone(), send_result.clone());
            go(s, "worker", move || {
                let (mut count, mut sum) = (0u64, 0u64);
                for job in &jobs {
                    let (c, part) = run_job(job);
                    count += c;
                    sum = sum.wrapping_add(part);
                }
                // The collector lives until the scope ends.
                let _ = send_result.send((count, sum));
            })
            // Returning drops `send_job`: the workers already started see the job
            // channel close and return.
            .map_err(|e| spawn_failed(w, spec.workers + 1, &e))?;
        }
        // Only the workers hold these now, so the channels close when they should:
        // jobs when the producer is done, results when the last worker is.
        drop((jobs, send_result));
        go(s, "producer", move || {
            let mut job_messages = 0;
            for job in ranges {
                // Fails only if every worker is gone; then there is no one to feed.
                if send_job.send(job).is_err() {
                    break;
                }
                job_messages += 1;
            }
            drop(send_job);
            // The collector lives until the scope ends.
            let _ = report_sent.send(job_messages);
        })
        .map_err(|e| spawn_failed(spec.workers, spec.workers + 1, &e))?;
        let mut out = FanoutOutcome::default();
        for (count, sum) in &results {
            out.add_result(count, sum);
        }
        // The producer reports before it returns, so this does not wait long.
        out.job_messages = sent.recv().unwrap_or(0);
        // The answer is known; what is left is the threads' exit and join.
        spec.probe.end();
        Ok(out)
    })
}
