//! fanout with callbacks: the loop produces and collects; `spec.workers` pool threads
//! do the CPU work and post their results back through a `mio::Waker`.
//!
//! CPU work is the one thing a callback must never do on the loop: while it runs,
//! no other callback can. So the loop does what Node does with `crypto.pbkdf2` and
//! libuv with `uv_queue_work`: it hands the jobs to a [`Pool`], parks `on_results`
//! on the waker's token, and goes back to waiting.
//!
//! The protocol is the spec's, as in every model: `produce` submits the spec's job
//! ranges, one [`Pool::submit`] (one lock, a signal only to an idle worker) per job
//! message of `spec.batch` items, never waiting, then closes the pool. Each worker
//! folds the jobs it takes into one partial sum and, once the pool is closed and
//! empty, posts it: one result message per worker. `on_results` drains whatever
//! results have arrived at each wake-up and adds each one to the outcome; when all
//! `workers` are in, it parks nothing more and `run` returns.
//!
//! The price is the round trip through the kernel at the end: a worker rings the
//! waker (an eventfd write) when it finds the result queue empty, and the loop
//! thread wakes from `epoll_wait` to drain it. Coalescing (see `pool.rs`) makes that
//! one per drained batch of results rather than one per result.

use std::ops::Range;
use std::thread;

use harness::ModelError;
use harness::spec::{FanoutOutcome, FanoutSpec, run_job};
use mio::{Token, Waker};

use crate::event_loop::EventLoop;
use crate::pool::Pool;

/// The only token this loop uses: the waker's.
const WAKE: Token = Token(0);

/// One worker's partial result: items done and their wrapping sum.
#[derive(Debug, Clone, Copy, Default)]
struct Partial {
    count: u64,
    sum: u64,
}

type JobPool = Pool<Range<u64>, Partial>;

/// The loop's state: the producer's jobs and the collector's outcome.
struct Fanout<'p> {
    pool: &'p JobPool,
    spec: &'p FanoutSpec,
    outcome: FanoutOutcome,
    /// The drained results; trades buffers with the pool's result queue.
    results: Vec<Partial>,
    /// Set if a worker died and the outcome cannot be complete.
    broken: bool,
}

type Loop<'p> = EventLoop<Fanout<'p>>;

/// What a pool thread does with one job message: the job on each item, folded
/// into its partial sum.
fn work(partial: &mut Partial, job: Range<u64>) {
    let (count, sum) = run_job(job);
    partial.count += count;
    partial.sum = partial.sum.wrapping_add(sum);
}

pub(crate) fn run(spec: &FanoutSpec) -> Result<FanoutOutcome, ModelError> {
    if spec.workers == 0 {
        return Err(ModelError::unsupported(
            "a fanout with 0 workers has no one to run its jobs",
        ));
    }
    let pool = Pool::new(work);
    let mut lp = EventLoop::new(Fanout {
        pool: &pool,
        spec,
        outcome: FanoutOutcome::default(),
        results: Vec::new(),
        broken: false,
    })
    .map_err(|e| ModelError::failed(format!("cannot create the event loop: {e}")))?;
    let waker = Waker::new(lp.registry(), WAKE)
        .map_err(|e| ModelError::failed(format!("cannot create the loop's waker: {e}")))?;
    thread::scope(|s| {
        // Closing the pool on the way out, however we leave (an error, a panic in a
        // callback), is what lets the scope join the workers instead of hanging.
        let _close = CloseOnDrop(&pool);
        for w in 0..spec.workers {
            let (pool, waker) = (&pool, &waker);
            thread::Builder::new()
                .name("fanout-pool".into())
                .spawn_scoped(s, move || pool.work(waker))
                .map_err(|e| {
                    ModelError::unsupported(format!(
                        "started {w} of {} pool threads before the system refused: {e}",
                        spec.workers
                    ))
                })?;
        }
        // The loop, its waker and the pool are up; the jobs start now. Joining the
        // pool threads at the end of the scope is teardown.
        spec.probe.begin();
        lp.call_soon(0, produce);
        lp.when_ready(WAKE, on_results);
        lp.run()
            .map_err(|e| ModelError::failed(format!("the event loop failed: {e}")))?;
        spec.probe.end();
        Ok(())
    })?;
    let state = lp.state;
    if state.broken {
        return Err(ModelError::failed("a pool thread panicked"));
    }
    Ok(state.outcome)
}

/// The producer: every job message, in the spec's order, then the end of the jobs.
fn produce(lp: &mut Loop<'_>, _: usize) {
    let st = &mut lp.state;
    for job in st.spec.job_ranges() {
        st.pool.submit(job);
        st.outcome.job_messages += 1;
    }
    st.pool.close();
}

/// The waker rang: add up the results that came back, and wait again until every
/// worker's is in.
fn on_results(lp: &mut Loop<'_>, _: usize) {
    let st = &mut lp.state;
    st.results.clear();
    if !st.pool.take_results(&mut st.results) {
        st.broken = true;
        lp.stop();
        return;
    }
    for r in &st.results {
        st.outcome.add_result(r.count, r.sum);
    }
    if st.outcome.result_messages < st.spec.workers as u64 {
        lp.when_ready(WAKE, on_results);
    }
    // Otherwise nothing is parked or queued any more, and `run` returns.
}

/// Closes the pool when dropped, so its workers return.
struct CloseOnDrop<'p>(&'p JobPool);

impl Drop for CloseOnDrop<'_> {
    fn drop(&mut self) {
        self.0.close();
    }
}
