//! crawl with tokio: one spawned task per request, at most `concurrency` of them in
//! a `JoinSet` at once, each bounded as a whole by `tokio::time::timeout`, each
//! joined as soon as the set is full.
//!
//! Each request is [`harness::http::fetch_tokio`]: it reads like the blocking
//! version (connect, write, read until done), but every `.await` is a point where
//! the task hands the thread back to the runtime until the socket is ready. It lives
//! in the harness because actix, which runs on tokio, fetches the same way, as the
//! thread models share `fetch_blocking`.
//!
//! The `JoinSet` is the limit. The driver spawns requests until the set holds
//! `concurrency` of them, then takes one finished request out (`join_next`) before
//! it spawns the next, and at the end drains the rest. A task in the set is either
//! running its one request or finished and waiting to be joined, so no more than
//! `concurrency` sockets are ever open, and no more than `concurrency` finished
//! tasks are ever kept. (A `Semaphore` permit released inside each task would bound
//! the sockets just as well, but a set joined only at the end keeps every finished
//! task's cell, its output and its `JoinSet` entry until then: with `n` far above
//! `concurrency` the memory grows with `n` instead of staying flat: 10,000 pages
//! with 100 in flight peaked at 15.5 MiB that way, and at 5.7 MiB joined as they
//! go; `docs/models/stackless.md` has the runs.) Each result carries its path's
//! index, which puts it in its place.
//!
//! Why tasks and not `stream::iter(..).buffer_unordered(concurrency)` inside one
//! task, the other common idiom: measured in one quiet session on this project's
//! 2-core machine, crawling 10,000 pages with a 100 ms delay took 0.91–1.01 s on
//! the multi-thread runtime with a task per request, against 1.26–1.27 s with
//! `buffer_unordered` (1.00 s against 1.20–1.24 s on the current-thread runtime),
//! and about 15 % less CPU per request. A spawned task is woken straight into the
//! scheduler and, on the multi-thread runtime, may run on either worker; futures
//! inside one task share that task's single waker and worker, and every readiness
//! event re-polls the parent through `FuturesUnordered`'s own ready queue.

use std::future::Future;
use std::net::SocketAddr;
use std::time::Duration;

use harness::ModelError;
use harness::http::{FetchResult, fetch_tokio};
use harness::spec::{CrawlOutcome, CrawlSpec};
use tokio::task::JoinSet;

use crate::runtime::{self, Flavor};

/// One request: its path's index, to put the result in its place, and the result.
#[expect(
    clippy::manual_async_fn,
    reason = "an `async fn` keeps its arguments twice in its state machine \
              (rust-lang/rust#62958): 648 bytes against this block's 624, in each task"
)]
fn request(
    i: usize,
    addr: SocketAddr,
    path: String,
    timeout: Duration,
) -> impl Future<Output = (usize, FetchResult)> {
    async move { (i, fetch_tokio(addr, &path, timeout).await) }
}

pub(crate) fn run(spec: &CrawlSpec, flavor: Flavor) -> Result<CrawlOutcome, ModelError> {
    let in_flight = spec.reserve_sockets()?;
    let (addr, timeout) = (spec.addr, spec.timeout);
    let paths = spec.paths.clone();
    let n = paths.len();
    runtime::run(flavor, &spec.probe, async move {
        let requests = paths.into_iter().enumerate();
        let requests = requests.map(move |(i, path)| request(i, addr, path, timeout));
        let mut results: Vec<Option<FetchResult>> = vec![None; n];
        at_most(in_flight, requests, |(i, result)| results[i] = Some(result)).await?;
        CrawlOutcome::from_slots(results)
    })
}

/// Runs each of `tasks` as a spawned task, with at most `limit` in the `JoinSet` at
/// once (running or finished), and hands each output to `collect` as it is joined.
async fn at_most<F, T>(
    limit: usize,
    tasks: impl IntoIterator<Item = F>,
    mut collect: impl FnMut(T),
) -> Result<(), ModelError>
where
    F: Future<Output = T> + Send + 'static,
    T: Send + 'static,
{
    let limit = limit.max(1);
    let mut set = JoinSet::new();
    for task in tasks {
        // Full: make room by joining the next one to finish.
        while set.len() >= limit {
            let Some(joined) = set.join_next().await else {
                break; // unreachable: a full set has a task to join
            };
            collect(joined.map_err(runtime::joined)?);
        }
        set.spawn(task);
        // Spawning never waits, so below the limit (all of a crawl with
        // `concurrency = n`) the driver would spawn every request before the first
        // one ran. Spending a unit of the coop budget per spawn hands the thread
        // back every 128 spawns, so requests start connecting while the rest are
        // spawned (on `tokio-current` at n=10,000: 3.5 MiB less peak RSS).
        tokio::task::consume_budget().await;
    }
    while let Some(joined) = set.join_next().await {
        collect(joined.map_err(runtime::joined)?);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use harness::Probe;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    /// One finished task's output that has not been collected yet; counts how
    /// many exist at once.
    struct Uncollected(Arc<Gauge>);

    #[derive(Default)]
    struct Gauge {
        now: AtomicUsize,
        peak: AtomicUsize,
    }

    impl Uncollected {
        fn new(gauge: &Arc<Gauge>) -> Self {
            let now = gauge.now.fetch_add(1, Ordering::SeqCst) + 1;
            gauge.peak.fetch_max(now, Ordering::SeqCst);
            Self(Arc::clone(gauge))
        }
    }

    impl Drop for Uncollected {
        fn drop(&mut self) {
            self.0.now.fetch_sub(1, Ordering::SeqCst);
        }
    }

    /// Runs 200 instant tasks with a limit of 4 and returns how many outputs were
    /// waiting to be collected at the worst moment, and how many were collected.
    fn peak_uncollected(flavor: Flavor) -> (usize, usize) {
        let gauge = Arc::new(Gauge::default());
        let tasks = {
            let gauge = Arc::clone(&gauge);
            (0..200).map(move |_| {
                let gauge = Arc::clone(&gauge);
                async move { Uncollected::new(&gauge) }
            })
        };
        let collected = runtime::run(flavor, &Probe::default(), async move {
            let mut collected = 0;
            at_most(4, tasks, |output| {
                drop(output);
                collected += 1;
            })
            .await?;
            Ok(collected)
        })
        .expect("instant tasks do not fail");
        (gauge.peak.load(Ordering::SeqCst), collected)
    }

    /// Finished requests are collected as the crawl goes: with `n` far above the
    /// limit, no more than the limit are ever kept waiting in the set.
    #[test]
    fn finished_tasks_do_not_pile_up() {
        for flavor in [Flavor::CurrentThread, Flavor::MultiThread { workers: 2 }] {
            let (peak, collected) = peak_uncollected(flavor);
            assert_eq!(collected, 200, "{flavor:?}");
            assert!(
                peak <= 4,
                "{flavor:?}: {peak} finished outputs kept at once"
            );
        }
    }
}
