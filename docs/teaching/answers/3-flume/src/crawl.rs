//! crawl in `flume`: `concurrency` worker processes, each blocking in its own fetch,
//! all taking paths from one flume job channel and sending results on another.
//!
//! The run puts every path's index on the job channel and closes it; each worker
//! (a clone of the one job `Receiver`) takes the next index, fetches that path with
//! a blocking std `TcpStream` and sends `(index, result)` back. With `concurrency`
//! workers, at most `concurrency` requests are in flight, and with that many paths
//! waiting, exactly that many. The collector puts the results in path order.

use std::net::SocketAddr;
use std::time::Duration;

use flume::{Receiver, Sender};
use harness::ModelError;
use harness::http::{FetchResult, fetch_blocking};
use harness::spec::{CrawlOutcome, CrawlSpec};

use crate::process;

// ## fetch

/// One GET on a blocking std socket: the calling thread waits in `connect`, `write`
/// and `read`, with the whole request bounded by `timeout`. (The harness's helper
/// feeds every read to its `ResponseReader`, as every model's fetch must.)
fn fetch(addr: SocketAddr, path: &str, timeout: Duration) -> FetchResult {
    fetch_blocking(addr, path, timeout)
}

// ## worker

/// One worker: fetches the path of every index it receives, until the job channel
/// is closed and empty.
fn worker(spec: &CrawlSpec, jobs: &Receiver<usize>, results: &Sender<(usize, FetchResult)>) {
    for i in jobs.iter() {
        let result = fetch(spec.addr, &spec.paths[i], spec.timeout);
        if results.send((i, result)).is_err() {
            return;
        }
    }
}

// ## run

pub(crate) fn run(spec: &CrawlSpec) -> Result<CrawlOutcome, ModelError> {
    let workers = spec.reserve_sockets()?;
    process::check_budget(workers, "a crawl with this many requests in flight")?;
    let (job_tx, job_rx) = flume::unbounded();
    let (result_tx, result_rx) = flume::unbounded();
    // Every path is queued before any worker starts, and the queue closed: a worker
    // that finds it empty is done.
    for i in 0..spec.paths.len() {
        // The receiver is alive in this function, so the send cannot fail.
        let _ = job_tx.send(i);
    }
    drop(job_tx);
    process::scope(move |s| {
        spec.probe.begin();
        for w in 0..workers {
            let (jobs, results) = (job_rx.clone(), result_tx.clone());
            let started = process::go(s, "crawl", move || worker(spec, &jobs, &results));
            match started {
                Ok(()) => {}
                // The workers already running fetch every path between them.
                Err(_) if w > 0 => break,
                Err(e) => return Err(process::refused(0, workers, &e)),
            }
        }
        drop((job_rx, result_tx));
        collect(spec, &result_rx)
    })
}

// ## collect

/// Puts every result in its path's slot, until the last worker has hung up.
fn collect(
    spec: &CrawlSpec,
    results: &Receiver<(usize, FetchResult)>,
) -> Result<CrawlOutcome, ModelError> {
    let mut slots: Vec<Option<FetchResult>> = vec![None; spec.paths.len()];
    for (i, result) in results.iter() {
        slots[i] = Some(result);
    }
    spec.probe.end();
    // A path without a result (a worker panicked) is an error, not a gap.
    CrawlOutcome::from_slots(slots)
}
