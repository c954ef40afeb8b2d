//! fairness on minirt: a ticker task among hog tasks, on one thread that only
//! ever runs one of them at a time. Scheduling is cooperative: the loop gets the
//! thread back only when a task returns `Pending`, so a hog that never awaits runs
//! its whole job while the ticker's timer falls due and waits. With `yield_every
//! = 0` that is the measurement: each tick waits for a whole hog.
//!
//! A hog that yields awaits [`rt::yield_now`] between chunks: asyncio's `await
//! sleep(0)`, tokio's `yield_now`. It returns `Pending` once, having woken itself,
//! and minirt holds that wake until the loop has fired due timers and looked at
//! I/O, so a due tick runs before the hogs go on: one chunk per hog at most. (A
//! wake straight onto the ready queue would make the ticker wait for the loop's
//! budget of 61 polls instead: see `rt/executor.rs`.) Every yield is a `Pending`,
//! a push and a poll, no system call, but one `epoll_wait(0)` per round of hogs.
//!
//! tokio's multi-thread runtime also has other workers to run the ticker and a
//! cooperative budget inside its own resources; minirt has one thread and neither,
//! and `--threads` does not apply.

use std::ops::Range;
use std::time::{Duration, Instant};

use harness::ModelError;
use harness::spec::{FairnessOutcome, FairnessSpec, HogResult, lateness_ns};

use crate::rt::{self, spawn};
use crate::{panicked, runtime};

// ## ticker
/// The ticker: `ticks` sleeps of `tick`, each one's lateness, and when the first
/// began.
async fn ticker(tick: Duration, ticks: u64) -> (Instant, Vec<u64>) {
    let mut late = Vec::with_capacity(usize::try_from(ticks).unwrap_or(0));
    let started = Instant::now();
    for _ in 0..ticks {
        let asked = Instant::now();
        rt::sleep(tick).await;
        late.push(lateness_ns(asked, tick));
    }
    (started, late)
}

// ## hog
/// Hog `h`: its chunks back to back, a `yield_now` between two. Nothing inside a
/// chunk awaits, so nothing else on the loop runs until the chunk is done.
async fn hog(h: usize, chunks: impl Iterator<Item = Range<u64>>) -> HogResult {
    let mut r = HogResult::start(h);
    for (i, chunk) in chunks.enumerate() {
        if i > 0 {
            rt::yield_now().await;
            r.yields += 1;
        }
        r.run_chunk(chunk);
    }
    r
}

// ## run
pub(crate) fn run(spec: &FairnessSpec) -> Result<FairnessOutcome, ModelError> {
    let rt = runtime()?;
    spec.probe.begin();
    let out = rt.block_on(async {
        // Spawned first, so polled first (the queue is FIFO): its timer is filed
        // before any hog runs.
        let ticker = spawn(ticker(spec.tick, spec.ticks));
        let hogs: Vec<_> = (0..spec.hogs)
            .map(|h| spawn(hog(h, spec.hog_chunks(h))))
            .collect();
        let (ticker_started, lateness_ns) = ticker.await.map_err(panicked)?;
        let mut done = Vec::with_capacity(hogs.len());
        for hog in hogs {
            done.push(hog.await.map_err(panicked)?);
        }
        Ok(FairnessOutcome {
            ticker_started,
            lateness_ns,
            hogs: done,
        })
    });
    spec.probe.end();
    out
}
