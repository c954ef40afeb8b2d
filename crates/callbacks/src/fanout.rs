//! fanout with callbacks: the loop produces and collects; `spec.workers` pool threads
//! do the CPU work and send their results back through a `mio::Waker`.
//!
//! CPU work is the one thing a callback must never do on the loop: while it runs,
//! no other callback can. So the loop does what Node does with `crypto.pbkdf2` and
//! libuv with `uv_queue_work`: it hands the jobs to pool threads over a [`Jobs`]
//! queue, parks `on_results` on the waker's token, and goes back to waiting.
//!
//! The protocol is the spec's, as in every model: `produce` sends the spec's job
//! ranges, one [`Jobs::send`] (one lock, a signal only to an idle worker) per job
//! message of `spec.batch` items, never waiting, then closes the queue. Each worker
//! folds the jobs it takes into one partial sum and, once the queue is closed and
//! empty, sends it: one result message per worker. `on_results` drains whatever
//! results have arrived at each wake-up and adds each one to the outcome; when all
//! `workers` are in, it parks nothing more and the loop returns.
//!
//! The price is the round trip through the kernel at the end: a worker rings the
//! waker (an eventfd write) when it finds the result queue empty, and the loop
//! thread wakes from `epoll_wait` to drain it. Coalescing (see `pool.rs`) makes that
//! one per drained batch of results rather than one per result.

use std::ops::Range;
use std::thread;

use harness::ModelError;
use harness::spec::{FanoutOutcome, FanoutSpec, run_job};
use mio::{Poll, Token, Waker};

use crate::event_loop::EventLoop;
use crate::pool::{Jobs, Results};

/// The only token this loop uses: the waker's.
const WAKE: Token = Token(0);

// ## worker

// A worker is a pool thread, not a callback: CPU work on the loop would stall
// every other callback. Its one result goes back through `results`, which rings
// the loop's waker (see `pool.rs`).

/// A worker's life: take jobs until the queue closes, then send the partial sum.
fn worker(jobs: &Jobs<Range<u64>>, results: &Results<(u64, u64)>) {
    let (mut count, mut sum) = (0u64, 0u64);
    while let Some(job) = jobs.recv() {
        let (c, s) = run_job(job);
        count += c;
        sum = sum.wrapping_add(s);
    }
    results.send((count, sum));
}

// ## run

// The pool is the loop's runtime, as libuv's threadpool is: the channels and the
// workers are made with the loop, before `probe.begin()`, and the measured phase
// is the loop's run; the producer and the collector are callbacks on it.

/// The loop's state: the producer's jobs and the collector's outcome.
struct Fanout<'p> {
    spec: &'p FanoutSpec,
    jobs: &'p Jobs<Range<u64>>,
    results: &'p Results<(u64, u64)>,
    /// The results drained so far; trades buffers with `results` at each wake-up.
    drained: Vec<(u64, u64)>,
    out: FanoutOutcome,
    /// Set if a worker died and the outcome cannot be complete.
    broken: bool,
}

type Loop<'p> = EventLoop<Fanout<'p>>;

pub(crate) fn run(spec: &FanoutSpec) -> Result<FanoutOutcome, ModelError> {
    if spec.workers == 0 {
        return Err(ModelError::unsupported(
            "a fanout with 0 workers has no one to run its jobs",
        ));
    }
    // The waker is made on the loop's poll before the loop, so that the state and
    // the workers can both refer to the results it rings for.
    let poll = Poll::new()
        .map_err(|e| ModelError::failed(format!("cannot create the event loop: {e}")))?;
    let waker = Waker::new(poll.registry(), WAKE)
        .map_err(|e| ModelError::failed(format!("cannot create the loop's waker: {e}")))?;
    let (jobs, results) = (Jobs::new(), Results::new(waker));
    let mut lp = EventLoop::with_poll(
        poll,
        Fanout {
            spec,
            jobs: &jobs,
            results: &results,
            drained: Vec::new(),
            out: FanoutOutcome::default(),
            broken: false,
        },
    );
    thread::scope(|s| {
        // Closing the jobs on the way out, however we leave (an error, a panic in a
        // callback), is what lets the scope join the workers instead of hanging.
        let _close = CloseOnDrop(&jobs);
        for w in 0..spec.workers {
            let (jobs, results) = (&jobs, &results);
            thread::Builder::new()
                .name("fanout-pool".into())
                .spawn_scoped(s, move || {
                    // If the job panics, the loop must still hear that this
                    // worker's result will never come.
                    let _mourner = results.mourner();
                    worker(jobs, results);
                })
                .map_err(|e| {
                    ModelError::unsupported(format!(
                        "started {w} of {} pool threads before the system refused: {e}",
                        spec.workers
                    ))
                })?;
        }
        spec.probe.begin();
        lp.call_soon(0, produce);
        collect(spec, lp)
    })
}

/// Closes the job queue when dropped, so the workers return.
struct CloseOnDrop<'p>(&'p Jobs<Range<u64>>);

impl Drop for CloseOnDrop<'_> {
    fn drop(&mut self) {
        self.0.close();
    }
}

// ## produce

// The producer is a callback, the loop's first: it sends every job message in one
// go (a send never waits) and returns to the loop.

/// The producer: every job message, in the spec's order, then the end of the jobs.
fn produce(lp: &mut Loop<'_>, _: usize) {
    let st = &mut lp.state;
    for job in st.spec.job_ranges() {
        st.jobs.send(job);
        st.out.job_messages += 1;
    }
    st.jobs.close();
}

// ## collect

// The collector is a callback parked on the waker: each wake-up drains the results
// that have come, and `collect` runs the loop until every worker's is in. The
// workers are joined when `run`'s scope ends, after `probe.end()`: teardown.

/// The waker rang: add up the results that came back, and wait again until every
/// worker's is in.
fn on_results(lp: &mut Loop<'_>, _: usize) {
    let st = &mut lp.state;
    st.drained.clear();
    if !st.results.take(&mut st.drained) {
        st.broken = true;
        lp.stop();
        return;
    }
    for &(count, sum) in &st.drained {
        st.out.add_result(count, sum);
    }
    if st.out.result_messages < st.spec.workers as u64 {
        lp.when_ready(WAKE, on_results);
    }
    // Otherwise nothing is parked or queued any more, and `run` returns.
}

fn collect(spec: &FanoutSpec, mut lp: Loop<'_>) -> Result<FanoutOutcome, ModelError> {
    lp.when_ready(WAKE, on_results);
    lp.run()
        .map_err(|e| ModelError::failed(format!("the event loop failed: {e}")))?;
    spec.probe.end();
    if lp.state.broken {
        return Err(ModelError::failed("a pool thread panicked"));
    }
    Ok(lp.state.out)
}
