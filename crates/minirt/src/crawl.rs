//! crawl on minirt: the seeds' crawler, with `await` where the seeds `yield` a
//! future. `concurrency` worker tasks share a cursor into the path list; each
//! takes the next path, fetches it under `timeout`, and keeps `(index, result)`.
//! A fetch is connect, write the request, read until the [`ResponseReader`] says
//! done; every wait is a `Pending` that hands the thread back to the loop, which
//! parks in `epoll_wait` until some socket or timer is ready.
//!
//! Every worker reads into one buffer. A read borrows it only inside
//! [`TcpStream::async_io`]'s closure, which runs to the end without awaiting, and
//! the bytes are in the worker's `ResponseReader` before any other task runs: so
//! 10,000 waiting requests hold no buffer each, as in tokio's `readable()` and
//! `try_read` crawl.
//!
//! A timeout drops the fetch future, which drops its socket: cancellation is just
//! `Drop`. The results are put back in path order at the end.

use std::cell::{Cell, RefCell};
use std::io::Read;
use std::net::SocketAddr;
use std::pin::pin;
use std::rc::Rc;

use harness::ModelError;
use harness::http::{self, FetchError, FetchResult, Progress, READ_BUF_BYTES, ResponseReader};
use harness::spec::{CrawlOutcome, CrawlSpec};

use crate::rt::{TcpStream, spawn, timeout};
use crate::{panicked, runtime};

pub(crate) fn run(spec: &CrawlSpec) -> Result<CrawlOutcome, ModelError> {
    let workers = spec.reserve_sockets()?;
    let paths: Rc<[String]> = spec.paths.iter().cloned().collect();
    let (addr, limit) = (spec.addr, spec.timeout);
    let mut results: Vec<Option<FetchResult>> = vec![None; paths.len()];
    let rt = runtime()?;
    spec.probe.begin();
    rt.block_on(async {
        let next = Rc::new(Cell::new(0));
        let buf = Rc::new(RefCell::new([0; READ_BUF_BYTES]));
        let handles: Vec<_> = (0..workers)
            .map(|_| {
                let (paths, next, buf) = (Rc::clone(&paths), Rc::clone(&next), Rc::clone(&buf));
                spawn(async move {
                    let mut mine = Vec::new();
                    loop {
                        let i = next.get();
                        let Some(path) = paths.get(i) else { break };
                        next.set(i + 1);
                        // Pinned here and lent to `timeout`: passed by value, the fetch
                        // would sit in `timeout`'s state twice, as its argument and as
                        // its pinned copy (an async fn cost, rust-lang/rust#62958).
                        let fetch = pin!(fetch(addr, path, &buf));
                        let result = timeout(limit, fetch).await;
                        mine.push((i, result.unwrap_or(Err(FetchError::Timeout))));
                    }
                    mine
                })
            })
            .collect();
        for handle in handles {
            for (i, result) in handle.await.map_err(panicked)? {
                results[i] = Some(result);
            }
        }
        Ok::<_, ModelError>(())
    })?;
    spec.probe.end();
    CrawlOutcome::from_slots(results)
}

/// GET `path`: the seeds' `fetch` coroutine.
async fn fetch(addr: SocketAddr, path: &str, buf: &RefCell<[u8; READ_BUF_BYTES]>) -> FetchResult {
    let mut stream = TcpStream::connect(addr)
        .await
        .map_err(|e| FetchError::connect(&e))?;
    stream
        .write_all(&http::request(addr, path))
        .await
        .map_err(|e| FetchError::io(&e))?;
    let mut reader = ResponseReader::new();
    loop {
        // Read and feed in one go, so the shared buffer is free again at once.
        // `None`: the response needs more bytes.
        let step = stream.async_io(|io| {
            let buf = &mut *buf.borrow_mut();
            Ok(match io.read(buf)? {
                0 => Some(reader.eof()),
                n => match reader.feed(&buf[..n]) {
                    Ok(Progress::More) => None,
                    Ok(Progress::Done(page)) => Some(Ok(page)),
                    Err(e) => Some(Err(e)),
                },
            })
        });
        if let Some(result) = step.await.map_err(|e| FetchError::io(&e))? {
            return result;
        }
    }
}
