//! crawl on minirt: the seeds' crawler, with `await` where the seeds `yield` a
//! future. `concurrency` worker tasks share a cursor into the path list; each
//! takes the next path, fetches it under `timeout`, and keeps `(index, result)`.
//! A fetch is connect, write the request, read until the [`ResponseReader`] says
//! done; every wait is a `Pending` that hands the thread back to the loop, which
//! parks in `epoll_wait` until some socket or timer is ready.
//!
//! A timeout drops the fetch future, which drops its socket: cancellation is just
//! `Drop`. The results are put back in path order at the end.

use std::cell::Cell;
use std::net::SocketAddr;
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
    runtime()?.block_on(async {
        let next = Rc::new(Cell::new(0));
        let handles: Vec<_> = (0..workers)
            .map(|_| {
                let (paths, next) = (Rc::clone(&paths), Rc::clone(&next));
                spawn(async move {
                    let mut buf = vec![0; READ_BUF_BYTES];
                    let mut mine = Vec::new();
                    loop {
                        let i = next.get();
                        let Some(path) = paths.get(i) else { break };
                        next.set(i + 1);
                        let result = timeout(limit, fetch(addr, path, &mut buf)).await;
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
    CrawlOutcome::from_slots(results)
}

/// GET `path`: the seeds' `fetch` coroutine.
async fn fetch(addr: SocketAddr, path: &str, buf: &mut [u8]) -> FetchResult {
    let mut stream = TcpStream::connect(addr)
        .await
        .map_err(|e| FetchError::connect(&e))?;
    stream
        .write_all(&http::request(addr, path))
        .await
        .map_err(|e| FetchError::io(&e))?;
    let mut reader = ResponseReader::new();
    loop {
        match stream.read(buf).await {
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
