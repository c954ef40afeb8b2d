//! fanout with threads: the calling thread produces into a shared work queue,
//! `workers` threads take jobs from it, and each hands its partial sum back
//! through its join handle.
//!
//! The queue is the shared-memory idiom this model is built on: a `VecDeque` of
//! job ranges behind a `Mutex`, a `Condvar` that idle workers wait on, and a
//! `closed` flag the producer sets when it is done (the textbook monitor, without
//! the bound, which the protocol rules out). Not `std::sync::mpsc`: its `Receiver`
//! cannot be shared by several workers without a `Mutex` round it (the Rust book's
//! thread pool does exactly that), which is this queue with a channel inside it;
//! and one channel per worker, dealt round-robin, is the CSP model's shape
//! (`crates/csp`), not this one's. One shared queue also balances by itself.
//!
//! The producer pushes the spec's `job_ranges()`, one lock per job message and a
//! `notify_one` only when a worker sleeps (as libuv's pool does), never waits (the
//! queue is unbounded), then closes the queue.
//! A worker runs the job on every item of every range it pops, and once the queue
//! is closed and empty returns its `(count, sum)`: that return value, handed over
//! by `join`, is its one result message, and the collector (the calling thread
//! again) adds one per join.

use std::collections::VecDeque;
use std::ops::Range;
use std::sync::{Condvar, Mutex, MutexGuard, PoisonError};
use std::thread::{self, ScopedJoinHandle};

use harness::ModelError;
use harness::spec::{FanoutOutcome, FanoutSpec, run_job};

use super::{builder, check_thread_budget, join, spawn_failed};

// ## worker

/// A worker's life: run every job it takes until the queue closes, then return
/// `(count, sum)`. That return value, handed over by `join`, is its one result
/// message: no `results` channel, because the collector is the joining thread.
fn worker(jobs: &JobQueue) -> (u64, u64) {
    let (mut count, mut sum) = (0u64, 0u64);
    while let Some(job) = jobs.recv() {
        let (c, s) = run_job(job);
        count += c;
        sum = sum.wrapping_add(s);
    }
    (count, sum)
}

// ## run

pub(crate) fn run(spec: &FanoutSpec) -> Result<FanoutOutcome, ModelError> {
    if spec.workers == 0 {
        return Err(ModelError::unsupported(
            "a fanout with 0 workers has no one to run its jobs",
        ));
    }
    check_thread_budget(spec.workers)?;
    // No runtime to build: the work starts with the first thread.
    spec.probe.begin();
    let jobs = JobQueue::new();
    thread::scope(|s| {
        let mut workers = Vec::with_capacity(spec.workers);
        for w in 0..spec.workers {
            match builder("fanout").spawn_scoped(s, || worker(&jobs)) {
                Ok(h) => workers.push(h),
                Err(e) => {
                    // The workers already started wait for jobs: let them return.
                    jobs.close();
                    return Err(spawn_failed(w, spec.workers, &e));
                }
            }
        }
        let out = produce(spec, &jobs);
        collect(spec, workers, out)
    })
}

// ## produce

/// The calling thread deals every job into the one shared queue, then closes it.
fn produce(spec: &FanoutSpec, jobs: &JobQueue) -> FanoutOutcome {
    let mut out = FanoutOutcome::default();
    for job in spec.job_ranges() {
        jobs.send(job);
        out.job_messages += 1;
    }
    jobs.close();
    out
}

// ## collect

/// One result per worker: the value its join hands back.
fn collect(
    spec: &FanoutSpec,
    workers: Vec<ScopedJoinHandle<'_, (u64, u64)>>,
    mut out: FanoutOutcome,
) -> Result<FanoutOutcome, ModelError> {
    for h in workers {
        let (count, sum) = join(h)?;
        out.add_result(count, sum);
    }
    spec.probe.end();
    Ok(out)
}

// ## helpers

/// The work queue the workers share.
struct JobQueue {
    state: Mutex<Jobs>,
    /// Signalled when a job is queued or the queue closes.
    ready: Condvar,
}

struct Jobs {
    queue: VecDeque<Range<u64>>,
    /// Workers waiting on the condvar: only they need a notify.
    sleeping: usize,
    closed: bool,
}

/// Locks the queue, ignoring poison: a worker that panicked did so in the job,
/// not halfway through a queue operation, and its panic surfaces at its join.
fn lock(m: &Mutex<Jobs>) -> MutexGuard<'_, Jobs> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl JobQueue {
    fn new() -> Self {
        Self {
            state: Mutex::new(Jobs {
                queue: VecDeque::new(),
                sleeping: 0,
                closed: false,
            }),
            ready: Condvar::new(),
        }
    }

    /// Sends one job message; never waits for room. A worker is woken only if
    /// one sleeps: std's `notify_one` is a `futex` system call even when no thread
    /// waits, and a busy worker finds the job when it comes back for the next.
    fn send(&self, job: Range<u64>) {
        let mut jobs = lock(&self.state);
        jobs.queue.push_back(job);
        let wake = jobs.sleeping > 0;
        drop(jobs);
        if wake {
            self.ready.notify_one();
        }
    }

    /// No more jobs: wakes every waiting worker to see it.
    fn close(&self) {
        lock(&self.state).closed = true;
        self.ready.notify_all();
    }

    /// The next job, waiting for one; `None` once the queue is closed and empty.
    fn recv(&self) -> Option<Range<u64>> {
        let mut jobs = lock(&self.state);
        loop {
            if let Some(job) = jobs.queue.pop_front() {
                return Some(job);
            }
            if jobs.closed {
                return None;
            }
            jobs.sleeping += 1;
            jobs = self
                .ready
                .wait(jobs)
                .unwrap_or_else(PoisonError::into_inner);
            jobs.sleeping -= 1;
        }
    }
}
