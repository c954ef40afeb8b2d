//! crawl in CSP: a worker pool fed by a job channel, as Go programs build one.
//!
//! Every job is known up front, so the job channel (crossbeam's `unbounded`) is
//! filled and closed before a worker starts. `concurrency` worker processes
//! (fewer if there are fewer paths) each loop over the job channel, fetch with
//! blocking sockets, and send `(index, result)` on the result channel; a worker
//! whose channel has run dry sees it closed and returns. The run's own thread is the
//! collector: it puts each result at its index, so the outcome is in path order
//! whatever order the fetches finish in, and it stops when the result channel
//! closes, which is when the last worker has returned.
//!
//! At most `concurrency` requests are in flight because there are that many workers
//! and each does one fetch at a time. `harness::http::fetch_blocking` bounds each
//! whole request by `spec.timeout` with socket timeouts taken from one deadline, and
//! types every failure (`connect`, `timeout`, `reset`, `protocol`, `status`); a
//! failed path is just a result like any other, so it never stops the rest.

use crossbeam_channel::unbounded;
use harness::ModelError;
use harness::http::{FetchResult, fetch_blocking};
use harness::spec::{CrawlOutcome, CrawlSpec};

use crate::process::{self, check_budget, go, spawn_failed};

pub(crate) fn run(spec: &CrawlSpec) -> Result<CrawlOutcome, ModelError> {
    let n = spec.paths.len();
    let workers = spec.in_flight();
    check_budget(workers)?;
    spec.reserve_sockets()?;
    spec.probe.begin();
    let (send_job, jobs) = unbounded();
    for job in spec.paths.iter().enumerate() {
        // The channel is unbounded and its receiver is alive: cannot fail.
        let _ = send_job.send(job);
    }
    // Closed before the workers start: an empty channel now means "no more work".
    drop(send_job);
    // Unbounded, so no worker ever waits on the collector.
    let (send_result, results) = unbounded::<(usize, FetchResult)>();
    let mut slots: Vec<Option<FetchResult>> = vec![None; n];
    process::scope(|s| {
        for w in 0..workers {
            let (jobs, send_result) = (jobs.clone(), send_result.clone());
            let started = go(s, "crawl", move || {
                for (i, path) in &jobs {
                    let result = fetch_blocking(spec.addr, path, spec.timeout);
                    if send_result.send((i, result)).is_err() {
                        return;
                    }
                }
            });
            match started {
                Ok(()) => {}
                // The workers already running drain the whole job channel.
                Err(_) if w > 0 => break,
                Err(e) => return Err(spawn_failed(0, workers, &e)),
            }
        }
        // Now only the workers hold senders: the channel closes after the last one.
        drop(send_result);
        for (i, result) in &results {
            slots[i] = Some(result);
        }
        // The answer is known; what is left is the threads' exit and join.
        spec.probe.end();
        Ok(())
    })?;
    CrawlOutcome::from_slots(slots)
}
