//! fairness on may: a ticker coroutine that sleeps with `coroutine::sleep`, and
//! hog coroutines that compute, yielding with `coroutine::yield_now()` between
//! chunks when asked to.
//!
//! Nothing preempts a may coroutine. may's caveats (its `docs/may_caveat.md`,
//! "Don't run CPU bound tasks for long time") say it plainly: the scheduler runs
//! coroutines cooperatively, a running coroutine that does not yield occupies its
//! worker thread, and no other coroutine is scheduled on that thread until it
//! does; the cure they give is `coroutine::yield_now()` at appropriate points. So
//! with `--yield-every 0` a hog holds its worker from its first item to its last,
//! and the coroutines queued behind it on that worker wait (an idle worker may
//! steal them: may's workers steal from up to three others' queues). `yield_now`
//! puts the hog at the back of its worker's queue and runs the next one.
//!
//! What the code does not show, and what makes may's ticker different from a
//! tokio task's: a coroutine woken from `coroutine::sleep` is not queued for a
//! worker at all. may's timer thread runs it in place, in its timer handler
//! (`init_scheduler` in may's `scheduler.rs`; `tests/fairness.rs` shows the
//! switch), until it next waits, which for the ticker is its next
//! sleep. So after its first sleep the ticker lives on the timer thread, and
//! hogs that hold every worker do not delay its wake-ups; its lateness is the
//! timer thread's. The price is the other side of the same design: anything a
//! woken coroutine computes before it next waits holds up every timer in the
//! process.
//!
//! The ticker reports its first sleep's start to this thread over a may channel
//! before any hog exists, so it is first by construction; each task reports by
//! returning through its join handle. `spec.threads` is may's worker count: the
//! hogs run on those workers.

use std::time::{Duration, Instant};

use harness::ModelError;
use harness::spec::{FairnessOutcome, FairnessSpec, HogResult, lateness_ns};
use may::coroutine::{self, JoinHandle};
use may::sync::mpsc;

use crate::runtime;

/// Stack of every coroutine: a sleep, a yield or the fanout job (a loop over two
/// registers): 1.5 KiB deep in a release build, 3.6 KiB in a debug one (measured
/// by painting the stack), in may's pooled 8 KiB, so every one comes from the pool.
const STACK_BYTES: usize = runtime::POOLED_STACK_BYTES;

// ## ticker
/// The ticker: `ticks` sleeps of `tick`, each wake-up's lateness in order.
/// Sends when its first sleep began before that sleep, and returns the rest.
fn ticker(tick: Duration, ticks: u64, started: &mpsc::Sender<Instant>) -> Vec<u64> {
    let mut lateness = Vec::with_capacity(usize::try_from(ticks).unwrap_or(0));
    for t in 0..ticks {
        let asked = Instant::now();
        if t == 0 {
            // The run waits for this before it starts a hog.
            let _ = started.send(asked);
        }
        runtime::sleep(tick);
        lateness.push(lateness_ns(asked, tick));
    }
    lateness
}

// ## hog
/// Hog `h`: the fanout job over its chunks, with a yield between two chunks and
/// nowhere else (no sleep, no channel inside a chunk).
fn hog(h: usize, chunks: impl Iterator<Item = std::ops::Range<u64>>) -> HogResult {
    let mut r = HogResult::start(h);
    for (i, chunk) in chunks.enumerate() {
        if i > 0 {
            coroutine::yield_now();
            r.yields += 1;
        }
        r.run_chunk(chunk);
    }
    r
}

// ## run
pub(crate) fn run(spec: &FairnessSpec) -> Result<FairnessOutcome, ModelError> {
    let coroutines = spec.hogs.saturating_add(1);
    runtime::check_stacks(coroutines, "this many hogs")?;
    runtime::start(spec.threads, coroutines);
    spec.probe.begin();
    let (started, ticker_started) = mpsc::channel();
    let (tick, ticks) = (spec.tick, spec.ticks);
    // SAFETY: the closure owns a sender and two numbers; it touches no
    // thread-local storage, and a sleep uses at most 4 KiB of its 8 KiB stack.
    let ticker =
        unsafe { runtime::builder(STACK_BYTES).spawn(move || ticker(tick, ticks, &started)) }
            .map_err(|e| ModelError::failed(format!("could not spawn the ticker: {e}")))?;
    // may's channels block a plain thread as well as a coroutine. An error here
    // means the ticker ended without sending: its join below says why.
    let ticker_started = ticker_started.recv().ok();
    let mut hogs = Vec::with_capacity(spec.hogs);
    let mut failed = None;
    for h in 0..spec.hogs {
        let chunks = spec.hog_chunks(h);
        // SAFETY: the closure owns an iterator of ranges; no thread-local
        // storage, and the job or a yield uses at most 4 KiB of its 8 KiB stack.
        let spawned = unsafe { runtime::builder(STACK_BYTES).spawn(move || hog(h, chunks)) };
        match spawned {
            Ok(handle) => hogs.push(handle),
            Err(e) => {
                failed = Some(ModelError::failed(format!(
                    "could not spawn hog {} of {}: {e}",
                    h + 1,
                    spec.hogs
                )));
                break;
            }
        }
    }
    collect(spec, ticker, ticker_started, hogs, failed)
}

// ## helpers
/// Joins the ticker and every hog (after a failed spawn too: nothing outlives
/// the run); the first failure, if any, wins.
fn collect(
    spec: &FairnessSpec,
    ticker: JoinHandle<Vec<u64>>,
    ticker_started: Option<Instant>,
    hogs: Vec<JoinHandle<HogResult>>,
    mut failed: Option<ModelError>,
) -> Result<FairnessOutcome, ModelError> {
    let mut results = Vec::with_capacity(hogs.len());
    for handle in hogs {
        match runtime::join(handle) {
            Ok(r) => results.push(r),
            Err(e) => failed = failed.or(Some(e)),
        }
    }
    let lateness_ns = match runtime::join(ticker) {
        Ok(lateness_ns) => lateness_ns,
        Err(e) => {
            failed = failed.or(Some(e));
            Vec::new()
        }
    };
    spec.probe.end();
    if let Some(e) = failed {
        return Err(e);
    }
    Ok(FairnessOutcome {
        // Only a ticker with no ticks sends nothing (the spec asks for at least
        // 20); it then slept not at all, and the run's start stands in.
        ticker_started: ticker_started
            .or(spec.probe.begun_at())
            .unwrap_or_else(Instant::now),
        lateness_ns,
        hogs: results,
    })
}
