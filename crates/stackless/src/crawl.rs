//! crawl with tokio: one `async fn` per request, at most `concurrency` of them in
//! flight through `buffer_unordered`, each bounded as a whole by `tokio::time::timeout`.
//!
//! [`fetch`] reads like the blocking version (connect, write, read until done), but
//! every `.await` is a point where the task hands the thread back to the runtime
//! until the socket is ready. The paths become a stream of those futures;
//! `buffer_unordered(concurrency)` keeps that many polled at once and yields each as
//! it finishes, tagged with its index, and the index puts it in its place. The
//! ordered `buffered` would keep finished results queued behind a slow first one
//! and count them against the limit, so a stalled page would hold back new requests.
//!
//! The read buffer lives only between `readable().await` and `try_read`, never
//! across an await, so it sits on the polling thread's stack and not inside each of
//! the 10,000 request futures: a request in flight holds its socket, the response
//! reader and little else.

use std::net::SocketAddr;

use futures::StreamExt;
use futures::stream;
use harness::ModelError;
use harness::http::{FetchError, FetchResult, Progress, READ_BUF_BYTES, ResponseReader, request};
use harness::limits;
use harness::spec::{CrawlOutcome, CrawlSpec};
use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;

use crate::runtime::{self, Flavor};

/// Open files beyond the crawl's sockets: stdio, the runtime's epoll and wake fds,
/// the binary and its libraries.
const SPARE_FILES: u64 = 64;

pub(crate) fn run(spec: &CrawlSpec, flavor: Flavor) -> Result<CrawlOutcome, ModelError> {
    let in_flight = spec.concurrency.clamp(1, spec.paths.len().max(1));
    limits::ensure_nofile(
        in_flight as u64 + SPARE_FILES,
        &format!("a crawl with {in_flight} requests in flight"),
    )
    .map_err(ModelError::unsupported)?;
    let (addr, timeout) = (spec.addr, spec.timeout);
    let paths = spec.paths.clone();
    runtime::run(flavor, async move {
        let mut results: Vec<Option<FetchResult>> = vec![None; paths.len()];
        let mut done = stream::iter(paths.into_iter().enumerate())
            .map(|(i, path)| async move {
                let result = tokio::time::timeout(timeout, fetch(addr, &path))
                    .await
                    .unwrap_or(Err(FetchError::Timeout));
                (i, result)
            })
            .buffer_unordered(in_flight);
        while let Some((i, result)) = done.next().await {
            results[i] = Some(result);
        }
        CrawlOutcome::from_slots(results)
    })
}

/// GET `path` from `addr`: connect, send the request, feed every read to a
/// [`ResponseReader`] until it has the whole response or the peer closes.
async fn fetch(addr: SocketAddr, path: &str) -> FetchResult {
    let mut stream = TcpStream::connect(addr)
        .await
        .map_err(|e| FetchError::connect(&e))?;
    stream
        .write_all(&request(addr, path))
        .await
        .map_err(|e| FetchError::io(&e))?;
    let mut reader = ResponseReader::new();
    loop {
        stream.readable().await.map_err(|e| FetchError::io(&e))?;
        let mut buf = [0u8; READ_BUF_BYTES];
        match stream.try_read(&mut buf) {
            Ok(0) => return reader.eof(),
            Ok(n) => {
                if let Progress::Done(page) = reader.feed(&buf[..n])? {
                    return Ok(page);
                }
            }
            // Readiness was stale (another reader, or a spurious wake-up): wait again.
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(FetchError::io(&e)),
        }
    }
}
