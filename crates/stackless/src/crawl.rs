//! crawl with tokio: `concurrency` worker tasks share a cursor into the path list;
//! each takes the next path, fetches it, keeps `(index, result)`, and takes the
//! next, until the paths run out (the 500 Lines crawler's `max_tasks` workers). At
//! most `concurrency` workers exist, so at most that many sockets are open, and the
//! measured task puts the results back in path order as it joins the workers.
//!
//! [`fetch`] reads like the blocking version (connect, write, read until done), but
//! every `.await` is a point where the task hands the thread back to the runtime
//! until the socket is ready, and `tokio::time::timeout` bounds the whole request
//! and drops it, closing the socket, when the deadline passes. Dropping a future is
//! tokio's cancellation.
//!
//! Why workers and not a task per request: until issue #15 the driver spawned one
//! task per path into a `JoinSet` of at most `concurrency` and joined each as it
//! finished. Workers do the same job with `concurrency` tasks in all instead of `n`,
//! in the same time and CPU; each keeps its results until it is joined (40 bytes a
//! path, 0.3 to 0.6 MiB more at 10,000; `docs/models/stackless.md` has the runs).
//!
//! Why tasks and not `stream::iter(..).buffer_unordered(concurrency)` inside one
//! task, the other common idiom: measured in one quiet session on this project's
//! 2-core machine, crawling 10,000 pages with a 100 ms delay took 0.91–1.01 s on the
//! multi-thread runtime with a task per request, against 1.26–1.27 s with
//! `buffer_unordered` (1.00 s against 1.20–1.24 s on the current-thread runtime),
//! and about 15 % less CPU per request. A spawned task is woken straight into the
//! scheduler and, on the multi-thread runtime, may run on either worker; futures
//! inside one task share that task's single waker and worker, and every readiness
//! event re-polls the parent through `FuturesUnordered`'s own ready queue.

use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use harness::ModelError;
use harness::http::{FetchError, FetchResult, Progress, READ_BUF_BYTES, ResponseReader, request};
use harness::spec::{CrawlOutcome, CrawlSpec};
use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;
use tokio::task::JoinSet;

use crate::runtime::{self, Flavor};

// ## fetch
/// GET `path` from `addr` within `timeout` in all, on tokio's sockets (the cancel
/// workload's requests are this fetch too).
///
/// The read buffer lives only between `readable().await` and `try_read`, never
/// across an await, so it sits on the polling thread's stack and not inside each
/// waiting worker's future (with `AsyncReadExt::read(&mut buf)` the 4 KiB array
/// would be part of every one of them).
pub(crate) async fn fetch(addr: SocketAddr, path: &str, timeout: Duration) -> FetchResult {
    let get = async {
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
                // Readiness was stale (a spurious wake-up): wait again.
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {}
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(FetchError::io(&e)),
            }
        }
    };
    tokio::time::timeout(timeout, get)
        .await
        .unwrap_or(Err(FetchError::Timeout))
}

// ## worker
/// One worker: fetches the next path not taken yet until none is left, and
/// returns its `(index, result)` pairs.
#[expect(
    clippy::manual_async_fn,
    reason = "an `async fn` keeps its arguments twice in its state machine \
              (rust-lang/rust#62958): 712 bytes against this block's 640, in each worker"
)]
fn worker(
    addr: SocketAddr,
    paths: Arc<[String]>,
    next: Arc<AtomicUsize>,
    timeout: Duration,
) -> impl Future<Output = Vec<(usize, FetchResult)>> {
    async move {
        // Room for one: with `concurrency = n` every worker fetches one path, and
        // `Vec`'s first growth would make room for four (1.2 MiB more at 10,000).
        let mut mine = Vec::with_capacity(1);
        loop {
            // Relaxed: the cursor only hands out distinct indices; the results travel
            // back through the join.
            let i = next.fetch_add(1, Ordering::Relaxed);
            let Some(path) = paths.get(i) else { break };
            mine.push((i, fetch(addr, path, timeout).await));
        }
        mine
    }
}

// ## run
pub(crate) fn run(spec: &CrawlSpec, flavor: Flavor) -> Result<CrawlOutcome, ModelError> {
    let workers = spec.reserve_sockets()?;
    let (addr, timeout) = (spec.addr, spec.timeout);
    let paths: Arc<[String]> = spec.paths.iter().cloned().collect();
    let rt = runtime::start(flavor)?;
    spec.probe.begin();
    let out = rt.run(async move {
        let next = Arc::new(AtomicUsize::new(0));
        let mut pool = JoinSet::new();
        for _ in 0..workers {
            pool.spawn(worker(addr, Arc::clone(&paths), Arc::clone(&next), timeout));
            // Spawning never waits, so with `concurrency = n` the measured task would
            // spawn every worker before the first one ran. Spending a unit of the
            // coop budget per spawn hands the thread back every 128 spawns, so
            // workers start connecting while the rest are spawned.
            tokio::task::consume_budget().await;
        }
        collect(pool, paths.len()).await
    });
    spec.probe.end();
    out
}

// ## collect
/// Joins the workers and puts every result in its path's slot. This runs inside
/// the measured task, so `probe.end()` is `run`'s, once the runtime has handed the
/// outcome back.
async fn collect(
    mut pool: JoinSet<Vec<(usize, FetchResult)>>,
    n: usize,
) -> Result<CrawlOutcome, ModelError> {
    let mut results: Vec<Option<FetchResult>> = vec![None; n];
    while let Some(joined) = pool.join_next().await {
        for (i, result) in joined.map_err(runtime::joined)? {
            results[i] = Some(result);
        }
    }
    CrawlOutcome::from_slots(results)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The cursor hands every index to exactly one worker, and a worker that finds
    /// none left ends: 4 workers over 200 paths, and 8 workers over 3. Nothing
    /// listens on the port, so every fetch fails at once; only the indices count.
    #[test]
    fn every_path_is_fetched_exactly_once() {
        let addr = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free local port");
        for flavor in [Flavor::CurrentThread, Flavor::MultiThread { workers: 2 }] {
            for (workers, n) in [(4, 200), (8, 3)] {
                let paths: Arc<[String]> = (0..n).map(|i| format!("/{i}")).collect();
                let next = Arc::new(AtomicUsize::new(0));
                let rt = runtime::start(flavor).expect("a runtime");
                let per_worker = rt
                    .run(async move {
                        let mut pool = JoinSet::new();
                        for _ in 0..workers {
                            let (paths, next) = (Arc::clone(&paths), Arc::clone(&next));
                            pool.spawn(worker(addr, paths, next, Duration::from_secs(5)));
                        }
                        Ok(pool.join_all().await)
                    })
                    .expect("no worker panics");
                assert_eq!(per_worker.len(), workers, "{flavor:?}");
                let mut seen: Vec<usize> = per_worker.iter().flatten().map(|(i, _)| *i).collect();
                seen.sort_unstable();
                assert_eq!(
                    seen,
                    (0..n).collect::<Vec<_>>(),
                    "{flavor:?}, {workers} workers"
                );
                for (i, result) in per_worker.iter().flatten() {
                    assert!(
                        result.is_err(),
                        "{flavor:?}: path {i} fetched from a closed port"
                    );
                }
            }
        }
    }
}
