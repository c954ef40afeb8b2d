//! fairness with callbacks: the ticker is a timer callback that re-arms itself,
//! each hog a callback on the ready queue that runs one chunk; a hog yields by
//! queueing itself again as a new callback.
//!
//! What a callback loop does differently: nothing can take the thread back from
//! a running callback. The loop is the caller, and it gets control only when the
//! callback returns; there is no scheduler tick, no signal, no preemption point.
//! So with `yield_every = 0` each hog is one callback that runs its whole job, and
//! since every hog was queued before the pass began, the pass runs them back to
//! back: the ticker's timer, due after a millisecond, fires only after all of
//! them, late by their sum. That is Node's "don't block the event loop", measured.
//!
//! Yielding is cutting the work into callbacks, as Node code does with
//! `setImmediate`: the hog runs one chunk, then `call_soon`s itself and returns.
//! A pass runs only the callbacks queued before it began, and each pass starts
//! with the expired timers (see `event_loop.rs`), so between two rounds of chunks
//! the ticker gets its turn: a tick is late by at most one chunk of each hog. A
//! yield costs a queue push and an indirect call, no system call while the queue
//! is not empty, and the chunk's state (the hog's position and running sum) lives
//! in the loop's state, not on a stack.
//!
//! The ticker sleeps the loop's way: a `call_later` on the timer heap; the loop
//! polls with a timeout to the next deadline when nothing else is queued.

use std::iter::Peekable;
use std::ops::Range;
use std::time::Instant;

use harness::ModelError;
use harness::spec::{FairnessOutcome, FairnessSpec, HogResult, lateness_ns};

use crate::event_loop::EventLoop;

/// The ticker's key (it has one piece of state, so the key is never read).
const TICKER: usize = usize::MAX;

/// The ticker's and the hogs' state, owned by the loop.
struct Fair<'s> {
    spec: &'s FairnessSpec,
    /// When the ticker's first sleep began.
    ticker_started: Option<Instant>,
    /// When its current sleep began.
    asked: Instant,
    lateness_ns: Vec<u64>,
    hogs: Vec<Hog>,
}

/// A hog between two of its callbacks: the chunks it has left and its tally.
struct Hog {
    chunks: Peekable<Box<dyn Iterator<Item = Range<u64>>>>,
    result: HogResult,
}

type Loop<'s> = EventLoop<Fair<'s>>;

// ## ticker

// The ticker is not a loop that sleeps: `ticker` is its first step and `on_tick`
// every later one. Each records the wake-up's lateness and, while ticks are left,
// parks the next on the timer heap; the last one parks nothing, and the ticker is
// done.

/// The ticker's first step: it marks its start and takes its first sleep.
fn ticker(lp: &mut Loop<'_>, _: usize) {
    let now = Instant::now();
    lp.state.ticker_started = Some(now);
    if lp.state.spec.ticks > 0 {
        sleep(lp, now);
    }
}

/// One sleep of `tick`, asked for at `asked`: a timer on the loop's heap.
fn sleep(lp: &mut Loop<'_>, asked: Instant) {
    lp.state.asked = asked;
    lp.call_later(lp.state.spec.tick, TICKER, on_tick);
}

/// The timer fired: record how late, and sleep again while ticks are left.
fn on_tick(lp: &mut Loop<'_>, _: usize) {
    let st = &mut lp.state;
    st.lateness_ns.push(lateness_ns(st.asked, st.spec.tick));
    if (st.lateness_ns.len() as u64) < st.spec.ticks {
        sleep(lp, Instant::now());
    }
}

// ## hog

// A hog is a callback that runs one chunk, never more: between two chunks it
// yields by queueing itself again and returning to the loop, and the loop, which
// never interrupts a callback, decides who runs next. With `yield_every = 0` the
// one chunk is the whole job, and the loop waits for it.

/// Hog `h`'s next chunk; then, if another follows, the yield.
fn hog(lp: &mut Loop<'_>, h: usize) {
    let me = &mut lp.state.hogs[h];
    // A hog is queued only while it has a chunk left.
    let Some(chunk) = me.chunks.next() else {
        return;
    };
    me.result.run_chunk(chunk);
    if me.chunks.peek().is_some() {
        me.result.yields += 1;
        lp.call_soon(h, hog);
    }
}

// ## run

// Starting a task is queueing its first callback: the ticker first, then every
// hog, all before the loop runs, so the first pass runs them in that order.
// Joining them is running the loop until nothing is queued or timed.

pub(crate) fn run(spec: &FairnessSpec) -> Result<FairnessOutcome, ModelError> {
    let hogs = (0..spec.hogs)
        .map(|h| Hog {
            chunks: (Box::new(spec.hog_chunks(h)) as Box<dyn Iterator<Item = _>>).peekable(),
            result: HogResult::start(h),
        })
        .collect();
    let mut lp = EventLoop::new(Fair {
        spec,
        ticker_started: None,
        asked: Instant::now(),
        lateness_ns: Vec::with_capacity(usize::try_from(spec.ticks).unwrap_or(0)),
        hogs,
    })
    .map_err(|e| ModelError::failed(format!("cannot create the event loop: {e}")))?;
    spec.probe.begin();
    lp.call_soon(TICKER, ticker);
    for h in 0..spec.hogs {
        lp.call_soon(h, hog);
    }
    lp.run()
        .map_err(|e| ModelError::failed(format!("the event loop failed: {e}")))?;
    spec.probe.end();
    let st = lp.state;
    let ticker_started = st
        .ticker_started
        .ok_or_else(|| ModelError::failed("the ticker never ran"))?;
    Ok(FairnessOutcome {
        ticker_started,
        lateness_ns: st.lateness_ns,
        hogs: st.hogs.into_iter().map(|h| h.result).collect(),
    })
}
