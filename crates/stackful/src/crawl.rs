//! crawl on may: `concurrency` coroutines, each fetching paths one after another
//! with code that reads exactly like a blocking fetch.
//!
//! [`fetch`] is `harness::http::fetch_blocking` line for line, with may's
//! `TcpStream` in place of std's. That is the stackful promise: `connect`,
//! `write_all` and `read` look blocking, but when the socket is not ready may
//! registers it with its epoll loop, parks the coroutine and runs another one on
//! the worker thread. The timeouts are may's too: `set_read_timeout` and
//! `set_write_timeout` arm a timer on may's selector that resumes the coroutine
//! with `TimedOut`, and they are set before every call from one deadline, so the
//! whole request, not each call, is bounded by `spec.timeout`.
//!
//! The coroutines share one atomic cursor into the path list, as the `threads`
//! model's threads do, and hand their `(index, result)` pairs back through their
//! scoped join handles; the caller puts them in path order. At most
//! `concurrency` coroutines exist, so at most that many requests are in flight,
//! and a failed path is just that path's `Err`.

use std::io::{self, Read, Write};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use harness::ModelError;
use harness::http::{
    FetchError, FetchResult, Progress, READ_BUF_BYTES, ResponseReader, remaining, request,
};
use harness::spec::{CrawlOutcome, CrawlSpec};
use may::coroutine;
use may::net::TcpStream;

use crate::runtime;

/// Stack of each fetching coroutine. A fetch keeps its 4 KiB read buffer on the
/// stack, with httparse's header array and may's I/O calls on top: 7.1 KiB deep
/// in a release build, 13.5 KiB in a debug one (measured by painting the stack).
/// 32 KiB keeps more than twice the debug depth in reserve; the memory cost is
/// the pages a fetch reaches (two) plus the bottom one may paints, whatever the
/// size.
const STACK_BYTES: usize = 32 * 1024;

/// Stacks this workload asks may's pool to hold ahead: none, since the pool only
/// holds stacks of may's default size and a fetch needs a bigger one.
const POOLED: usize = 0;

pub(crate) fn run(spec: &CrawlSpec) -> Result<CrawlOutcome, ModelError> {
    let workers = spec.reserve_sockets()?;
    runtime::check_stacks(workers, "a crawl with this many requests in flight")?;
    runtime::start(spec.threads, POOLED);
    spec.probe.begin();
    let next = AtomicUsize::new(0);
    let next = &next;
    let per_worker = runtime::contained(|| {
        coroutine::scope(|s| {
            let handles: Vec<_> = (0..workers)
                .map(|_| {
                    // SAFETY: the closure borrows the spec and the cursor, which the
                    // scope outlives; it touches no thread-local storage (may's
                    // sockets and timers park the coroutine, not the thread), and a
                    // fetch uses at most 14 KiB of the 32 KiB stack.
                    unsafe {
                        s.spawn_with_builder(
                            move || {
                                let mut mine = Vec::new();
                                // Relaxed: the cursor only hands out distinct indices;
                                // the results travel back through the join.
                                loop {
                                    let i = next.fetch_add(1, Ordering::Relaxed);
                                    let Some(path) = spec.paths.get(i) else { break };
                                    mine.push((i, fetch(spec.addr, path, spec.timeout)));
                                }
                                mine
                            },
                            runtime::builder(STACK_BYTES),
                        )
                    }
                })
                .collect();
            handles.into_iter().map(|h| h.join()).collect::<Vec<_>>()
        })
    });
    spec.probe.end();
    let per_worker = per_worker?;
    let mut results: Vec<Option<FetchResult>> = vec![None; spec.paths.len()];
    for (i, result) in per_worker.into_iter().flatten() {
        results[i] = Some(result);
    }
    CrawlOutcome::from_slots(results)
}

/// GET `path` from `addr` within `timeout` in all, on may's sockets.
fn fetch(addr: SocketAddr, path: &str, timeout: Duration) -> FetchResult {
    let deadline = Instant::now() + timeout;
    let mut stream =
        TcpStream::connect_timeout(&addr, timeout).map_err(|e| FetchError::connect(&e))?;
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
