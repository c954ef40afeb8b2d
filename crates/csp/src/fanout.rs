//! fanout in CSP: producer -> workers -> collector, the canonical pipeline.
//!
//! The producer sends the items one by one down a bounded job channel and returns,
//! which closes it; each worker `for`-loops over that channel, runs the job on
//! every item it receives and keeps a running sum; when the job channel is closed
//! and empty, the worker sends its `(items, sum)` to the collector and returns. The
//! run's own thread is the collector, adding up the parts until the result channel
//! closes, which happens when the last worker has returned. Nothing is shared: the
//! workers do not know each other, the producer does not know how many workers
//! there are, and closing a channel is the only "we are done" there is.
//!
//! The `threads` baseline does the same job with one shared atomic cursor and
//! per-thread sums handed back through join handles; here the cursor is the job
//! channel and the join handles are the result channel. Each item crosses one
//! channel: a job is about two microseconds of CPU, so sending every result on as
//! well would double the channel traffic for nothing the collector needs. The job
//! channel buffers 64 items per worker, so a worker finishing a job usually finds
//! the next one waiting instead of sleeping until the producer runs.

use crossbeam_channel::bounded;
use harness::ModelError;
use harness::spec::{FanoutOutcome, FanoutSpec, fanout_job};

use crate::process::{self, check_budget, go, spawn_failed};

/// Items queued per worker on the job channel (see the module doc).
const BUFFER_PER_WORKER: usize = 64;

pub(crate) fn run(spec: &FanoutSpec) -> Result<FanoutOutcome, ModelError> {
    // The workers, plus the producer; the collector is this thread.
    check_budget(spec.workers.saturating_add(1))?;
    let buffer = spec.workers.max(1).saturating_mul(BUFFER_PER_WORKER);
    let (send_job, jobs) = bounded::<u64>(buffer);
    let (send_result, results) = bounded::<FanoutOutcome>(spec.workers);
    let items = spec.items;
    process::scope(|s| {
        for w in 0..spec.workers {
            let (jobs, send_result) = (jobs.clone(), send_result.clone());
            go(s, "worker", move || {
                let (mut count, mut sum) = (0u64, 0u64);
                for item in &jobs {
                    count += 1;
                    sum = sum.wrapping_add(fanout_job(item));
                }
                // The collector lives until the scope ends.
                let _ = send_result.send(FanoutOutcome { items: count, sum });
            })
            // Returning drops `send_job`: the workers already started see the job
            // channel close and return.
            .map_err(|e| spawn_failed(w, spec.workers + 1, &e))?;
        }
        // Only the workers hold these now, so the channels close when they should:
        // jobs when the producer is done, results when the last worker is.
        drop((jobs, send_result));
        go(s, "producer", move || {
            for item in 0..items {
                // Fails only if every worker is gone; then there is no one to feed.
                if send_job.send(item).is_err() {
                    return;
                }
            }
        })
        .map_err(|e| spawn_failed(spec.workers, spec.workers + 1, &e))?;
        let mut out = FanoutOutcome { items: 0, sum: 0 };
        for part in &results {
            out.items += part.items;
            out.sum = out.sum.wrapping_add(part.sum);
        }
        Ok(out)
    })
}
