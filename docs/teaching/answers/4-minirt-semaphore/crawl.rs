//! crawl on minirt: the seeds' crawler, with `await` where the seeds `yield` a
//! future, and asyncio's way of bounding it: one task per path, each holding a
//! [`Semaphore`] permit from before it connects until its fetch has ended, so at
//! most `concurrency` requests are in flight. A fetch is connect, write the
//! request, read until the [`ResponseReader`] says done; every wait is a `Pending`
//! that hands the thread back to the loop, which parks in `epoll_wait` until some
//! socket or timer is ready.
//!
//! Every task reads into one buffer. A read fills it inside
//! [`TcpStream::async_io`], and the bytes are in the task's `ResponseReader`
//! before the task next awaits, so before any other task runs: 10,000 waiting
//! requests hold no buffer each, as in tokio's `readable()` and `try_read` crawl.
//!
//! A timeout drops the fetch future, which drops its socket: cancellation is just
//! `Drop`. The timeout covers the request only, not the wait for a permit. Each
//! task's handle is awaited in path order, so the results come back in order.

use std::cell::RefCell;
use std::io::Read;
use std::net::SocketAddr;
use std::pin::pin;
use std::rc::Rc;
use std::time::Duration;

use harness::ModelError;
use harness::http::{FetchError, FetchResult, Progress, READ_BUF_BYTES, ResponseReader, request};
use harness::spec::{CrawlOutcome, CrawlSpec};

use crate::rt::{self, JoinHandle, Semaphore, TcpStream, spawn};
use crate::{panicked, runtime};

/// The read buffer every task shares.
type Buf = RefCell<[u8; READ_BUF_BYTES]>;

// ## fetch
// The read is `async_io`, into the buffer every worker shares, not tokio's
// `readable().await` and then `try_read` into a stack buffer: minirt keeps no
// readiness state, so its read waits inside the call. The feed follows in the same
// poll (no `.await` in between), so no other task can reuse the buffer first.
/// GET `path`: the seeds' `fetch` coroutine, bounded as a whole by `timeout`.
#[expect(
    clippy::manual_async_fn,
    reason = "an `async fn` keeps its arguments twice in its state machine \
              (rust-lang/rust#62958): a worker of 616 bytes against 584 with this block"
)]
fn fetch(
    addr: SocketAddr,
    path: &str,
    timeout: Duration,
    buf: &Buf,
) -> impl Future<Output = FetchResult> {
    async move {
        // Pinned here and lent to `timeout`: passed by value, it would sit in
        // `timeout`'s state twice, as its argument and pinned (rust-lang/rust#62958).
        let get = pin!(async {
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
        });
        rt::timeout(timeout, get)
            .await
            .unwrap_or(Err(FetchError::Timeout))
    }
}

// ## worker
/// One path's task: waits for a permit, then fetches with it held.
#[expect(
    clippy::manual_async_fn,
    reason = "an `async fn` keeps its arguments twice in its state machine \
              (rust-lang/rust#62958)"
)]
fn worker(
    addr: SocketAddr,
    paths: Rc<[String]>,
    i: usize,
    timeout: Duration,
    buf: Rc<Buf>,
    permits: Semaphore,
) -> impl Future<Output = FetchResult> {
    async move {
        let _permit = permits.acquire().await;
        fetch(addr, &paths[i], timeout, &buf).await
    }
}

// ## run
pub(crate) fn run(spec: &CrawlSpec) -> Result<CrawlOutcome, ModelError> {
    let in_flight = spec.reserve_sockets()?;
    let (addr, timeout) = (spec.addr, spec.timeout);
    let paths: Rc<[String]> = spec.paths.iter().cloned().collect();
    let rt = runtime()?;
    spec.probe.begin();
    let out = rt.block_on(async move {
        let permits = Semaphore::new(in_flight);
        let buf = Rc::new(RefCell::new([0; READ_BUF_BYTES]));
        let tasks: Vec<_> = (0..paths.len())
            .map(|i| {
                let (paths, buf, permits) = (Rc::clone(&paths), Rc::clone(&buf), permits.clone());
                spawn(worker(addr, paths, i, timeout, buf, permits))
            })
            .collect();
        collect(tasks).await
    });
    spec.probe.end();
    out
}

// ## collect
/// Awaits every path's task, in path order. This runs inside the main task, so
/// `probe.end()` is `run`'s, once `block_on` has handed the outcome back.
async fn collect(tasks: Vec<JoinHandle<FetchResult>>) -> Result<CrawlOutcome, ModelError> {
    let mut results = Vec::with_capacity(tasks.len());
    for task in tasks {
        results.push(task.await.map_err(panicked)?);
    }
    Ok(CrawlOutcome { results })
}
