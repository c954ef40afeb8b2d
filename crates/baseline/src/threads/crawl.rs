//! crawl with threads: `concurrency` OS threads, each blocking in its own fetch.
//!
//! The fetch is this model's own: the calling thread blocks in `connect`, `write`
//! and `read`, where tokio awaits and callbacks return to the loop. The workers
//! share one atomic cursor into the path list (the "queue") and each hands its
//! `(index, result)` pairs back through its join handle; the caller puts them in
//! path order. One blocked thread per request in flight is the model's promise and
//! its price: a 1-second page costs a sleeping kernel thread and its stack for that
//! second.

use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread::{self, ScopedJoinHandle};
use std::time::{Duration, Instant};

use harness::ModelError;
use harness::http::{
    FetchError, FetchResult, Progress, READ_BUF_BYTES, ResponseReader, remaining, request,
};
use harness::spec::{CrawlOutcome, CrawlSpec};

use super::{builder, check_thread_budget, join, spawn_failed};

// ## fetch

/// GET `path` from `addr` with blocking std sockets, within `timeout` in all.
///
/// The calling OS thread blocks in `connect`, `write` and `read`, with socket
/// timeouts set from one deadline so the whole request, not each call, is bounded.
/// The buffer is on this thread's stack, which [`STACK_BYTES`](super::STACK_BYTES)
/// sizes for it. `sequential` fetches with this function too.
pub(crate) fn fetch(addr: SocketAddr, path: &str, timeout: Duration) -> FetchResult {
    let deadline = Instant::now() + timeout;
    let stream = TcpStream::connect_timeout(&addr, timeout).map_err(|e| FetchError::connect(&e))?;
    exchange(&stream, addr, path, deadline)
}

/// The request and its response on a connected `stream`, by `deadline`: the half of
/// [`fetch`] after `connect`, which cancel shares (it keeps a clone of the stream
/// between the two, to shut it down from outside).
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

/// One worker thread: fetch the next path nobody has taken, until none is left.
fn worker(
    addr: SocketAddr,
    paths: &[String],
    next: &AtomicUsize,
    timeout: Duration,
) -> Vec<(usize, FetchResult)> {
    let mut mine = Vec::new();
    loop {
        // Relaxed is enough: the cursor only hands out distinct indices; the
        // results travel back through the join, which synchronises.
        let i = next.fetch_add(1, Ordering::Relaxed);
        let Some(path) = paths.get(i) else { break };
        mine.push((i, fetch(addr, path, timeout)));
    }
    mine
}

// ## run

pub(crate) fn run(spec: &CrawlSpec) -> Result<CrawlOutcome, ModelError> {
    check_thread_budget(spec.in_flight())?;
    let workers = spec.reserve_sockets()?;
    // No runtime to build: the work starts with the first thread.
    spec.probe.begin();
    let next = AtomicUsize::new(0);
    thread::scope(|s| {
        let mut pool = Vec::with_capacity(workers);
        for w in 0..workers {
            let started = builder("crawl")
                .spawn_scoped(s, || worker(spec.addr, &spec.paths, &next, spec.timeout));
            match started {
                Ok(h) => pool.push(h),
                // The threads already started finish the whole list on their own.
                Err(_) if w > 0 => break,
                Err(e) => return Err(spawn_failed(w, workers, &e)),
            }
        }
        collect(spec, pool)
    })
}

// ## collect

/// Joins the workers and puts every result in its path's slot.
fn collect(
    spec: &CrawlSpec,
    pool: Vec<ScopedJoinHandle<'_, Vec<(usize, FetchResult)>>>,
) -> Result<CrawlOutcome, ModelError> {
    let mut results: Vec<Option<FetchResult>> = vec![None; spec.paths.len()];
    for h in pool {
        for (i, result) in join(h)? {
            results[i] = Some(result);
        }
    }
    spec.probe.end();
    CrawlOutcome::from_slots(results)
}
