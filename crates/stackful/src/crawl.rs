//! crawl on may: `concurrency` worker coroutines, each fetching paths one after
//! another with code that reads exactly like a blocking fetch.
//!
//! [`fetch`] is `harness::http::fetch_blocking` line for line, with may's
//! `TcpStream` in place of std's, and tokio's fetch step for step: connect, write
//! the request, then a loop that reads and feeds the `ResponseReader`. That is
//! the stackful promise: `connect`, `write_all` and `read` look blocking, but
//! when the socket is not ready may registers it with its epoll loop, parks the
//! coroutine and runs another one on the worker thread. The timeouts are may's
//! too: `set_read_timeout` and `set_write_timeout` arm a timer on may's selector
//! that resumes the coroutine with `TimedOut`, and they are set before every call
//! from one deadline, so the whole request, not each call, is bounded by
//! `spec.timeout`.
//!
//! The workers share one atomic cursor into the path list, as the `threads`
//! model's threads do, and hand their `(index, result)` pairs back through their
//! scoped join handles; `collect` puts them in path order. At most `concurrency`
//! workers exist, so at most that many requests are in flight, and a failed path
//! is just that path's `Err`.

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

/// Stack of each worker. A fetch keeps its 4 KiB read buffer on the stack, with
/// httparse's header array and may's I/O calls on top: 7.1 KiB deep in a release
/// build, 13.5 KiB in a debug one (measured by painting the stack). 32 KiB keeps
/// more than twice the debug depth in reserve; the memory cost is the pages a
/// fetch reaches (two) plus the bottom one may paints, whatever the size.
pub(crate) const STACK_BYTES: usize = 32 * 1024;

/// Stacks this workload asks may's pool to hold ahead: none, since the pool only
/// holds stacks of may's default size and a fetch needs a bigger one.
const POOLED: usize = 0;

// ## fetch
/// GET `path` from `addr` within `timeout` in all, on may's sockets.
///
/// tokio's steps in tokio's order, two of them in may's idiom. The read is both
/// `readable().await` and `try_read`: with no bytes there, may parks the
/// coroutine until there are or the read timeout fires. And the buffer is made
/// once, before the loop: it sits in this coroutine's stack for the whole fetch
/// wherever it is declared (it is what `STACK_BYTES` pays for), where tokio's
/// must not cross an `.await` to stay out of the task's future.
pub(crate) fn fetch(addr: SocketAddr, path: &str, timeout: Duration) -> FetchResult {
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

// ## worker
/// One worker: fetches the next path not taken yet until none is left, and
/// returns its `(index, result)` pairs.
fn worker(
    addr: SocketAddr,
    paths: &[String],
    next: &AtomicUsize,
    timeout: Duration,
) -> Vec<(usize, FetchResult)> {
    let mut mine = Vec::new();
    loop {
        // Relaxed: the cursor only hands out distinct indices; the results
        // travel back through the join.
        let i = next.fetch_add(1, Ordering::Relaxed);
        let Some(path) = paths.get(i) else { break };
        mine.push((i, fetch(addr, path, timeout)));
    }
    mine
}

// ## run
/// The workers are spawned on a `coroutine::scope`, may's `thread::scope`: it
/// joins every coroutine spawned on it before it returns, so they borrow the
/// cursor and the paths, and `collect` joins them inside it.
pub(crate) fn run(spec: &CrawlSpec) -> Result<CrawlOutcome, ModelError> {
    let workers = spec.reserve_sockets()?;
    runtime::check_stacks(workers, "a crawl with this many requests in flight")?;
    runtime::start(spec.threads, POOLED);
    spec.probe.begin();
    let next = AtomicUsize::new(0);
    let (addr, paths, next, timeout) = (spec.addr, spec.paths.as_slice(), &next, spec.timeout);
    // may panics, rather than failing, when it cannot map a stack, and a scoped
    // join re-raises a worker's panic: `contained` makes either an error.
    runtime::contained(|| {
        coroutine::scope(|s| {
            let handles: Vec<_> = (0..workers)
                .map(|_| {
                    // SAFETY: the closure borrows the cursor and the paths, which
                    // the scope outlives; it touches no thread-local storage (may's
                    // sockets and timers park the coroutine, not the thread), and
                    // a fetch uses at most 14 KiB of the 32 KiB stack.
                    unsafe {
                        s.spawn_with_builder(
                            move || worker(addr, paths, next, timeout),
                            runtime::builder(STACK_BYTES),
                        )
                    }
                })
                .collect();
            collect(spec, handles.into_iter().map(|handle| handle.join()))
        })
    })
    .and_then(|crawled| crawled)
}

// ## collect
/// Joins the workers one by one (`joined` joins each as it is taken), puts every
/// result in its path's place.
fn collect(
    spec: &CrawlSpec,
    joined: impl Iterator<Item = Vec<(usize, FetchResult)>>,
) -> Result<CrawlOutcome, ModelError> {
    let mut results: Vec<Option<FetchResult>> = vec![None; spec.paths.len()];
    for mine in joined {
        for (i, result) in mine {
            results[i] = Some(result);
        }
    }
    spec.probe.end();
    CrawlOutcome::from_slots(results)
}
