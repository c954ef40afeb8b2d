//! fanout with callbacks: the loop produces and collects; `spec.workers` pool threads
//! do the CPU work and post their results back through a `mio::Waker`.
//!
//! CPU work is the one thing a callback must never do on the loop: while it runs,
//! no other callback can. So the loop does what Node does with `crypto.pbkdf2` and
//! libuv with `uv_queue_work`: it hands the job to a [`Pool`], parks `on_results`
//! on the waker's token, and goes back to waiting. Each wake-up drains every result
//! that has arrived, adds them up, and submits as much new work as came back, so
//! the pool always has about [`CHUNKS_PER_WORKER`] chunks per worker queued.
//!
//! The price is the round trip through the kernel: a worker rings the waker (an
//! eventfd write) when it finds the result queue empty, and the loop thread wakes
//! from `epoll_wait`, taking a core from the workers, to drain it. Coalescing (see
//! `pool.rs`) makes that one per drained batch rather than one per result, and the
//! producer sends items in chunks of [`CHUNK`], as libuv users queue one
//! `uv_work_t` per slice of the work rather than per element: one lock, one result
//! and at most one wake-up per chunk, instead of per item of a microsecond's work.

use std::ops::Range;
use std::thread;

use harness::ModelError;
use harness::spec::{FanoutOutcome, FanoutSpec, fanout_job};
use mio::{Token, Waker};

use crate::event_loop::EventLoop;
use crate::pool::Pool;

/// Items per unit of work: a job takes about a microsecond, a wake-up of the loop
/// (write, `epoll_wait` return, context switch) several, so one wake-up per item
/// would cost more than the work. 64 items is ~64 µs of work per chunk.
const CHUNK: u64 = 64;
/// Chunks queued or running per worker: enough that a worker finds the next one
/// waiting while the loop is still on its way to refill the queue.
const CHUNKS_PER_WORKER: u64 = 4;
/// The only token this loop uses: the waker's.
const WAKE: Token = Token(0);

/// The loop's state: the producer's cursor and the collector's sum.
struct Fanout<'p> {
    pool: &'p Pool<Range<u64>, FanoutOutcome>,
    items: u64,
    /// Most items queued or running at once.
    window: u64,
    /// Items submitted so far: the next item to produce.
    submitted: u64,
    outcome: FanoutOutcome,
    /// The drained results; trades buffers with the pool's result queue.
    batch: Vec<FanoutOutcome>,
    /// Set if a worker died and the outcome cannot be complete.
    broken: bool,
}

type Loop<'p> = EventLoop<Fanout<'p>>;

pub(crate) fn run(spec: &FanoutSpec) -> Result<FanoutOutcome, ModelError> {
    if spec.items == 0 {
        return Ok(FanoutOutcome { items: 0, sum: 0 });
    }
    let workers = spec.workers.max(1);
    let pool = Pool::new(work);
    let mut lp = EventLoop::new(Fanout {
        pool: &pool,
        items: spec.items,
        window: CHUNK * CHUNKS_PER_WORKER * workers as u64,
        submitted: 0,
        outcome: FanoutOutcome { items: 0, sum: 0 },
        batch: Vec::new(),
        broken: false,
    })
    .map_err(|e| ModelError::failed(format!("cannot create the event loop: {e}")))?;
    let waker = Waker::new(lp.registry(), WAKE)
        .map_err(|e| ModelError::failed(format!("cannot create the loop's waker: {e}")))?;
    thread::scope(|s| {
        // Closing the pool on the way out, however we leave (an error, a panic in a
        // callback), is what lets the scope join the workers instead of hanging.
        let _close = CloseOnDrop(&pool);
        for w in 0..workers {
            let (pool, waker) = (&pool, &waker);
            thread::Builder::new()
                .name("fanout-pool".into())
                .spawn_scoped(s, move || pool.work(waker))
                .map_err(|e| {
                    ModelError::unsupported(format!(
                        "started {w} of {workers} pool threads before the system refused: {e}"
                    ))
                })?;
        }
        lp.call_soon(0, produce);
        lp.when_ready(WAKE, on_results);
        lp.run()
            .map_err(|e| ModelError::failed(format!("the event loop failed: {e}")))
    })?;
    let state = lp.state;
    if state.broken {
        return Err(ModelError::failed("a pool thread panicked"));
    }
    Ok(state.outcome)
}

/// What a pool thread does with one chunk: the job on each item, summed.
fn work(items: Range<u64>) -> FanoutOutcome {
    let count = items.end - items.start;
    let sum = items.fold(0u64, |sum, item| sum.wrapping_add(fanout_job(item)));
    FanoutOutcome { items: count, sum }
}

/// Fills the pool's queue up to the window, in chunks.
fn produce(lp: &mut Loop<'_>, _: usize) {
    let st = &mut lp.state;
    let in_flight = st.submitted - st.outcome.items;
    let end = st
        .items
        .min(st.submitted + st.window.saturating_sub(in_flight));
    let chunks = (st.submitted..end).step_by(CHUNK as usize);
    st.pool
        .submit(chunks.map(|start| start..end.min(start + CHUNK)));
    st.submitted = end;
}

/// The waker rang: sum what came back, produce more, and wait again until done.
fn on_results(lp: &mut Loop<'_>, _: usize) {
    let st = &mut lp.state;
    st.batch.clear();
    if !st.pool.take_results(&mut st.batch) {
        st.broken = true;
        lp.stop();
        return;
    }
    for r in &st.batch {
        st.outcome.items += r.items;
        st.outcome.sum = st.outcome.sum.wrapping_add(r.sum);
    }
    if st.outcome.items < st.items {
        produce(lp, 0);
        lp.when_ready(WAKE, on_results);
    }
    // Otherwise nothing is parked or queued any more, and `run` returns.
}

/// Closes the pool when dropped, so its workers return.
struct CloseOnDrop<'p>(&'p Pool<Range<u64>, FanoutOutcome>);

impl Drop for CloseOnDrop<'_> {
    fn drop(&mut self) {
        self.0.close();
    }
}
