//! fairness with tokio: a ticker task that sleeps with `tokio::time::sleep`, and
//! hog tasks that compute, yielding with `tokio::task::yield_now().await` between
//! chunks when asked to.
//!
//! Nothing preempts a tokio task. A task gives its thread back only when a poll
//! returns `Pending`, at an `.await` on something not ready; a loop of pure
//! computation has none, so with `--yield-every 0` a hog holds the thread it was
//! polled on from its first item to its last. tokio says so itself (its docs on
//! CPU-bound tasks and blocking; Alice Ryhl's "Async: What is blocking?" puts
//! the budget at 10 to 100 µs between awaits), and its coop budget does not
//! help: it only makes tokio's own resources (sockets, channels, timers) answer
//! `Pending` after 128 operations, and a hog touches none of them.
//!
//! What that does to the ticker, by runtime (tokio 1.54's scheduler source):
//! - current-thread: one thread runs every task, and it turns to the timer only
//!   between two polls (every 61st, or when the run queue is empty). A hog that
//!   never yields runs to its end first, then the next queued hog, so the
//!   ticker's wake-up waits for every hog queued ahead of it.
//! - multi-thread: a hog stalls one worker, not the runtime. The other workers
//!   steal the tasks queued behind it (except the one in its LIFO slot, the
//!   task it spawned or woke last, which no other worker may steal), and the
//!   timer is driven by whichever worker parks on the driver, or checks it
//!   every 61 polls. So with fewer hogs than `--threads` an idle worker fires
//!   the ticker's timer on time and runs it; with as many hogs as workers no
//!   worker parks or polls between tasks, no one drives the timer, and the
//!   ticker waits for a hog to end.
//!
//! `yield_now` does more than re-queue the hog: it hands its waker to the
//! scheduler, which wakes it only after the worker has polled its driver (a
//! zero-timeout park), so a yield lets the timer fire and the ticker run before
//! the hog's next chunk, on either runtime.
//!
//! Measured on this project's 2-core machine, shared with other builds (read the
//! ratios, not the figures), with the default sizes (2 hogs of 50 ms, a 1 ms
//! tick) and `--yield-every 0`: `tokio` on 2 workers, worst tick 56 to 139 ms
//! late, about as long as the hogs ran; with `--hogs 1`, 1.2 to 5.0 ms;
//! `tokio-current`, 114 to 159 ms, both hogs one after the other. With
//! `--yield-every 1000` the worst tick was 3.8 to 6.2 ms (`tokio`) and 2.6 to
//! 10.2 ms (`tokio-current`).
//!
//! The other cure tokio offers is to move the computation off the workers:
//! `tokio::task::spawn_blocking` (its own pool of threads, which the OS
//! preempts) or a CPU pool beside the runtime, as tokio's docs advise for long
//! CPU-bound work. It is not used here: this workload measures what a hog does
//! to the scheduler it runs in, so every hog is a task.
//!
//! The ticker reports its first sleep's start over a `oneshot` before any hog
//! exists, so it is first by construction. tokio's timer wheel has millisecond
//! slots and rounds a deadline up to the next one, so even an idle ticker wakes
//! up to a millisecond late.

use std::ops::Range;
use std::time::{Duration, Instant};

use harness::ModelError;
use harness::spec::{FairnessOutcome, FairnessSpec, HogResult, lateness_ns};
use tokio::sync::oneshot;
use tokio::task::{JoinHandle, JoinSet};

use crate::runtime::{self, Flavor};

// ## ticker
/// The ticker: `ticks` sleeps of `tick`, each wake-up's lateness in order.
/// Sends when its first sleep began before that sleep, and returns the rest.
async fn ticker(tick: Duration, ticks: u64, started: oneshot::Sender<Instant>) -> Vec<u64> {
    let mut lateness = Vec::with_capacity(usize::try_from(ticks).unwrap_or(0));
    let mut started = Some(started);
    for _ in 0..ticks {
        let asked = Instant::now();
        if let Some(started) = started.take() {
            // The run waits for this before it spawns a hog.
            let _ = started.send(asked);
        }
        tokio::time::sleep(tick).await;
        lateness.push(lateness_ns(asked, tick));
    }
    lateness
}

// ## hog
/// Hog `h`: the fanout job over its chunks, with a yield between two chunks and
/// nowhere else (no sleep, no channel inside a chunk).
async fn hog(h: usize, chunks: impl Iterator<Item = Range<u64>>) -> HogResult {
    let mut r = HogResult::start(h);
    for (i, chunk) in chunks.enumerate() {
        if i > 0 {
            tokio::task::yield_now().await;
            r.yields += 1;
        }
        r.run_chunk(chunk);
    }
    r
}

// ## run
pub(crate) fn run(spec: &FairnessSpec, flavor: Flavor) -> Result<FairnessOutcome, ModelError> {
    let (tick, ticks) = (spec.tick, spec.ticks);
    let hogs: Vec<_> = (0..spec.hogs).map(|h| spec.hog_chunks(h)).collect();
    let rt = runtime::start(flavor)?;
    spec.probe.begin();
    let out = rt.run(async move {
        let (started, ticker_started) = oneshot::channel();
        let ticker = tokio::spawn(ticker(tick, ticks, started));
        // An error means the ticker ended without sending: its join says why.
        let ticker_started = ticker_started.await.ok();
        let mut pool = JoinSet::new();
        for (h, chunks) in hogs.into_iter().enumerate() {
            pool.spawn(hog(h, chunks));
        }
        collect(ticker, ticker_started, pool).await
    });
    spec.probe.end();
    let (ticker_started, lateness_ns, hogs) = out?;
    Ok(FairnessOutcome {
        // Only a ticker with no ticks sends nothing (the spec asks for at least
        // 20); it then slept not at all, and the run's start stands in.
        ticker_started: ticker_started
            .or(spec.probe.begun_at())
            .unwrap_or_else(Instant::now),
        lateness_ns,
        hogs,
    })
}

// ## helpers
/// Joins every hog, then the ticker. This runs inside the measured task, so
/// `probe.end()` is `run`'s, once the runtime has handed the results back.
async fn collect(
    ticker: JoinHandle<Vec<u64>>,
    ticker_started: Option<Instant>,
    mut pool: JoinSet<HogResult>,
) -> Result<(Option<Instant>, Vec<u64>, Vec<HogResult>), ModelError> {
    let mut hogs = Vec::with_capacity(pool.len());
    while let Some(joined) = pool.join_next().await {
        hogs.push(joined.map_err(runtime::joined)?);
    }
    let lateness = ticker.await.map_err(runtime::joined)?;
    Ok((ticker_started, lateness, hogs))
}
