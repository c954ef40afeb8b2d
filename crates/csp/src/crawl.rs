//! crawl in CSP: a worker pool fed by a job channel, as Go programs build one.
//!
//! Every job is known up front, so the job channel (crossbeam's `unbounded`) is
//! filled and closed before a worker starts. `concurrency` worker processes
//! (fewer if there are fewer paths) each loop over the job channel, fetch with
//! blocking sockets, and send `(index, result)` on the report channel; a worker
//! whose channel has run dry sees it closed and returns. The run's own thread is the
//! collector: it puts each result at its index, so the outcome is in path order
//! whatever order the fetches finish in, and it stops when the report channel
//! closes, which is when the last worker has returned.
//!
//! At most `concurrency` requests are in flight because there are that many workers
//! and each does one fetch at a time. The fetch is this crate's own, on std's
//! blocking sockets (the same code as the `threads` model's: both are OS threads
//! blocked in `read`): it bounds each whole request by `spec.timeout` with socket
//! timeouts taken from one deadline, and types every failure (`connect`, `timeout`,
//! `reset`, `protocol`, `status`); a failed path is just a result like any other, so
//! it never stops the rest.

use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};

use crossbeam_channel::{Receiver, Sender, unbounded};
use harness::ModelError;
use harness::http::{
    FetchError, FetchResult, Progress, READ_BUF_BYTES, ResponseReader, remaining, request,
};
use harness::spec::{CrawlOutcome, CrawlSpec};

use crate::process::{self, check_budget, go, spawn_failed};

// ## fetch

/// GET `path` from `addr` with blocking std sockets, within `timeout` in all.
///
/// The calling OS thread blocks in `connect`, `write` and `read`, with socket
/// timeouts set from one deadline so that the whole request, not each call, is
/// bounded.
fn fetch(addr: SocketAddr, path: &str, timeout: Duration) -> FetchResult {
    let deadline = Instant::now() + timeout;
    let stream = TcpStream::connect_timeout(&addr, timeout).map_err(|e| FetchError::connect(&e))?;
    exchange(&stream, addr, path, deadline)
}

/// The request and its response on a connected `stream`, by `deadline`: the half of
/// [`fetch`] after `connect`, which cancel shares (between the two, a cancel
/// request hands a clone of its stream to the process that will shut it down).
pub(crate) fn exchange(
    mut stream: &TcpStream,
    addr: SocketAddr,
    path: &str,
    deadline: Instant,
) -> FetchResult {
    stream
        .set_write_timeout(Some(remaining(deadline)?))
        .map_err(|e| FetchError::io(&e))?;
    stream
        .write_all(&request(addr, path))
        .map_err(|e| FetchError::io(&e))?;
    let mut reader = ResponseReader::new();
    let mut buf = [0u8; READ_BUF_BYTES];
    loop {
        stream
            .set_read_timeout(Some(remaining(deadline)?))
            .map_err(|e| FetchError::io(&e))?;
        match stream.read(&mut buf) {
            Ok(0) => return reader.eof(),
            Ok(n) => {
                if let Progress::Done(page) = reader.feed(&buf[..n])? {
                    return Ok(page);
                }
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(FetchError::io(&e)),
        }
    }
}

// ## worker

// CSP: the shared cursor is a channel. `next` holds every `(index, path)` and is
// closed before the workers start, so "no more paths" is the loop ending, and each
// result goes back on `report` as soon as it is known: no atomic, no `mine` kept
// for a join.
/// One worker process: fetch every job it receives until the job channel is closed
/// and empty; stop early if the collector has gone.
fn worker(
    addr: SocketAddr,
    next: &Receiver<(usize, &str)>,
    timeout: Duration,
    report: &Sender<(usize, FetchResult)>,
) {
    for (i, path) in next {
        if report.send((i, fetch(addr, path, timeout))).is_err() {
            return;
        }
    }
}

// ## run

pub(crate) fn run(spec: &CrawlSpec) -> Result<CrawlOutcome, ModelError> {
    check_budget(spec.in_flight())?;
    let workers = spec.reserve_sockets()?;
    // No runtime to start: a process is an OS thread.
    spec.probe.begin();
    let (send_job, next) = unbounded();
    for job in spec.paths.iter().map(String::as_str).enumerate() {
        // The channel is unbounded and its receiver is alive: cannot fail.
        let _ = send_job.send(job);
    }
    // Closed before the workers start: an empty channel now means "no more work".
    drop(send_job);
    // Unbounded, so no worker ever waits on the collector.
    let (report, reports) = unbounded();
    process::scope(|s| {
        for w in 0..workers {
            let (next, report) = (next.clone(), report.clone());
            let started = go(s, "crawl", move || {
                worker(spec.addr, &next, spec.timeout, &report);
            });
            match started {
                Ok(()) => {}
                // The workers already running drain the whole job channel.
                Err(_) if w > 0 => break,
                Err(e) => return Err(spawn_failed(0, workers, &e)),
            }
        }
        // Now only the workers hold senders: the channel closes after the last one.
        drop(report);
        collect(spec, &reports)
    })
}

// ## collect

// CSP: nothing is joined here; the report channel closing says every worker has
// returned, and the scope in `run` joins the threads after the answer is known.
fn collect(
    spec: &CrawlSpec,
    reports: &Receiver<(usize, FetchResult)>,
) -> Result<CrawlOutcome, ModelError> {
    let mut results: Vec<Option<FetchResult>> = vec![None; spec.paths.len()];
    for (i, result) in reports {
        results[i] = Some(result);
    }
    // The answer is known; what is left is the threads' exit and join.
    spec.probe.end();
    CrawlOutcome::from_slots(results)
}
