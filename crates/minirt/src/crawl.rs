//! crawl on minirt: the seeds' crawler, with `await` where the seeds `yield` a
//! future. `min(concurrency, n)` worker tasks share a cursor into the path list;
//! each takes the next path, fetches it under `timeout`, and keeps `(index,
//! result)`. A fetch is connect, write the request, read until the
//! [`ResponseReader`] says done; every wait is a `Pending` that hands the thread
//! back to the loop, which parks in `epoll_wait` until some socket or timer is
//! ready.
//!
//! Every worker reads into one buffer. A read fills it inside
//! [`TcpStream::async_io`], and the bytes are in the worker's `ResponseReader`
//! before the worker next awaits, so before any other task runs: 10,000 waiting
//! requests hold no buffer each, as in tokio's `readable()` and `try_read` crawl.
//!
//! A timeout drops the fetch future, which drops its socket: cancellation is just
//! `Drop`. The results are put back in path order at the end.

use std::cell::{Cell, RefCell};
use std::io::Read;
use std::net::SocketAddr;
use std::pin::pin;
use std::rc::Rc;
use std::time::Duration;

use harness::ModelError;
use harness::http::{FetchError, FetchResult, Progress, READ_BUF_BYTES, ResponseReader, request};
use harness::spec::{CrawlOutcome, CrawlSpec};

use crate::rt::{self, JoinHandle, TcpStream, spawn};
use crate::{panicked, runtime};

/// The read buffer every worker shares (and every request of the cancel).
pub(crate) type Buf = RefCell<[u8; READ_BUF_BYTES]>;

// ## fetch
// The read is `async_io`, into the buffer every worker shares, not tokio's
// `readable().await` and then `try_read` into a stack buffer: minirt keeps no
// readiness state, so its read waits inside the call. The feed follows in the same
// poll (no `.await` in between), so no other task can reuse the buffer first.
/// GET `path`: connect, send the request, read until the reader says done. No
/// bound of its own: the crawl puts it under a timeout, the cancel aborts it.
#[expect(
    clippy::manual_async_fn,
    reason = "an `async fn` keeps its arguments twice in its state machine \
              (rust-lang/rust#62958): a worker of 608 bytes against 552 with this block"
)]
pub(crate) fn get(addr: SocketAddr, path: &str, buf: &Buf) -> impl Future<Output = FetchResult> {
    async move {
        let mut stream = TcpStream::connect(addr)
            .await
            .map_err(|e| FetchError::connect(&e))?;
        stream
            .write_all(&request(addr, path))
            .await
            .map_err(|e| FetchError::io(&e))?;
        let mut reader = ResponseReader::new();
        loop {
            let read = stream.async_io(|io| io.read(&mut *buf.borrow_mut())).await;
            let buf = buf.borrow();
            match read {
                Ok(0) => return reader.eof(),
                Ok(n) => {
                    if let Progress::Done(page) = reader.feed(&buf[..n])? {
                        return Ok(page);
                    }
                }
                Err(e) => return Err(FetchError::io(&e)),
            }
        }
    }
}

/// [`get`] bounded as a whole by `timeout`: the seeds' `fetch` coroutine. An
/// `async fn`: its arguments go straight into `get`, so unlike `get` and `worker`
/// it costs nothing to write it the plain way.
async fn fetch(addr: SocketAddr, path: &str, timeout: Duration, buf: &Buf) -> FetchResult {
    // Pinned here and lent to `timeout`: passed by value, it would sit in
    // `timeout`'s state twice, as its argument and pinned (rust-lang/rust#62958).
    let get = pin!(get(addr, path, buf));
    rt::timeout(timeout, get)
        .await
        .unwrap_or(Err(FetchError::Timeout))
}

// ## worker
/// One worker: fetches the next path not taken yet until none is left, and
/// returns its `(index, result)` pairs.
#[expect(
    clippy::manual_async_fn,
    reason = "an `async fn` keeps its arguments twice in its state machine \
              (rust-lang/rust#62958): 632 bytes against this block's 552, in each task"
)]
fn worker(
    addr: SocketAddr,
    paths: Rc<[String]>,
    next: Rc<Cell<usize>>,
    timeout: Duration,
    buf: Rc<Buf>,
) -> impl Future<Output = Vec<(usize, FetchResult)>> {
    async move {
        let mut mine = Vec::new();
        loop {
            // One thread, so the cursor is a `Cell`: `replace` is tokio's `fetch_add`.
            let i = next.replace(next.get() + 1);
            let Some(path) = paths.get(i) else { break };
            mine.push((i, fetch(addr, path, timeout, &buf).await));
        }
        mine
    }
}

// ## run
pub(crate) fn run(spec: &CrawlSpec) -> Result<CrawlOutcome, ModelError> {
    let workers = spec.reserve_sockets()?;
    let (addr, timeout) = (spec.addr, spec.timeout);
    let paths: Rc<[String]> = spec.paths.iter().cloned().collect();
    let rt = runtime()?;
    spec.probe.begin();
    let out = rt.block_on(async move {
        let next = Rc::new(Cell::new(0));
        let buf = Rc::new(RefCell::new([0; READ_BUF_BYTES]));
        let mut pool = Vec::with_capacity(workers);
        for _ in 0..workers {
            let (paths, next, buf) = (Rc::clone(&paths), Rc::clone(&next), Rc::clone(&buf));
            pool.push(spawn(worker(addr, paths, next, timeout, buf)));
        }
        collect(pool, paths.len()).await
    });
    spec.probe.end();
    out
}

// ## collect
/// Joins the workers and puts every result in its path's slot. This runs inside
/// the main task, so `probe.end()` is `run`'s, once `block_on` has handed the
/// outcome back.
async fn collect(
    pool: Vec<JoinHandle<Vec<(usize, FetchResult)>>>,
    n: usize,
) -> Result<CrawlOutcome, ModelError> {
    let mut results: Vec<Option<FetchResult>> = vec![None; n];
    for worker in pool {
        for (i, result) in worker.await.map_err(panicked)? {
            results[i] = Some(result);
        }
    }
    CrawlOutcome::from_slots(results)
}
