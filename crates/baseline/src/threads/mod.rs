//! `threads`: one OS thread per task, coordinated the classic way.
//!
//! Tasks are `std::thread`s in a `thread::scope`; they share state behind a
//! `Mutex` and wake each other with a `Condvar` (the one-value [`Slot`], fanout's
//! work queue), or share an atomic counter, and hand results back through their
//! join handles. This is the model the seeds start from when one thread is not
//! enough, and the one CSP and actors react against: the tasks share memory and
//! synchronise on it, instead of communicating.
//!
//! Every wait is a real blocking call, so the kernel does the scheduling: a hand-over
//! between two threads is a futex wake and a context switch (microseconds), and each
//! task costs a kernel thread with its own stack. Stacks are set small
//! ([`STACK_BYTES`]) because the workloads need little, which is what lets a few
//! thousand of them start at all. Where a run needs more threads than this machine
//! can start ([`harness::limits::os_threads`]), it answers `unsupported` and names
//! the limit.
//!
//! The server's connections, the fairness hogs and the cancel's requests are
//! threads too: the kernel preempts a hog that never yields, and a request blocked
//! in `read` is cancelled the one way std allows, by shutting its socket down from
//! another thread.
//!
//! There is no runtime and no pool: the threads *are* the tasks, so the measured
//! phase runs from the first thread's start to the last one's join, and `--threads`
//! means nothing here (the task count sets the thread count).

mod cancel;
mod crawl;
mod fairness;
mod fanout;
mod pingpong;
mod ring;
mod server;
mod spawn;

/// The blocking GET, which `sequential` shares: one thread blocking in `connect`,
/// `write` and `read` is how both models fetch.
pub(crate) use crawl::fetch;

use std::sync::{Condvar, Mutex, PoisonError};
use std::thread;

use harness::limits;
use harness::spec::{
    CancelOutcome, CancelSpec, Counted, CrawlOutcome, CrawlSpec, FairnessOutcome, FairnessSpec,
    FanoutOutcome, FanoutSpec, PingPongSpec, RingOutcome, RingSpec, ServerOutcome, ServerSpec,
    SpawnSpec, Workload,
};
use harness::{Family, Model, ModelError};

/// Stack size of every thread this model starts: 64 KiB holds a blocking fetch's
/// 4 KiB buffer and call chain with room to spare (the default is 2 MiB).
pub(crate) const STACK_BYTES: usize = 64 * 1024;

/// The `threads` model.
#[derive(Debug, Clone, Copy, Default)]
pub struct Threads;

impl Model for Threads {
    fn name(&self) -> &'static str {
        "threads"
    }

    fn family(&self) -> Family {
        Family::Baseline
    }

    fn summary(&self) -> &'static str {
        "one OS thread per task; Mutex, Condvar, atomics and join handles from std"
    }

    fn primitive(&self, workload: Workload) -> &'static str {
        match workload {
            Workload::Crawl => "blocking std TcpStream, one thread per request in flight",
            Workload::PingPong | Workload::Ring => "std Mutex+Condvar slot",
            Workload::Spawn => "std::thread::sleep, one thread per task",
            Workload::Fanout => "std Mutex<VecDeque>+Condvar queue, join handles",
            Workload::Server => "std thread per connection, blocking reads, std::thread::sleep",
            Workload::Fairness => {
                "OS thread per hog, std::thread::yield_now; ticker in std::thread::sleep"
            }
            Workload::Cancel => {
                "std thread per request blocked in read; shutdown(Both) on a try_clone"
            }
        }
    }

    fn crawl(&self, spec: &CrawlSpec) -> Result<CrawlOutcome, ModelError> {
        crawl::run(spec)
    }

    fn pingpong(&self, spec: &PingPongSpec) -> Result<Counted, ModelError> {
        pingpong::run(spec)
    }

    fn ring(&self, spec: &RingSpec) -> Result<RingOutcome, ModelError> {
        ring::run(spec)
    }

    fn spawn(&self, spec: &SpawnSpec) -> Result<Counted, ModelError> {
        spawn::run(spec)
    }

    fn fanout(&self, spec: &FanoutSpec) -> Result<FanoutOutcome, ModelError> {
        fanout::run(spec)
    }

    fn server(&self, spec: &ServerSpec) -> Result<ServerOutcome, ModelError> {
        server::run(spec)
    }

    fn fairness(&self, spec: &FairnessSpec) -> Result<FairnessOutcome, ModelError> {
        fairness::run(spec)
    }

    fn cancel(&self, spec: &CancelSpec) -> Result<CancelOutcome, ModelError> {
        cancel::run(spec)
    }
}

/// Declines up front when `n` threads exceed what this machine can start.
pub(crate) fn check_thread_budget(n: usize) -> Result<(), ModelError> {
    let limit = limits::os_threads();
    if n > limit.max {
        return Err(ModelError::unsupported(format!(
            "{n} OS threads, but this machine can start about {}: {}",
            limit.max, limit.reason
        )));
    }
    Ok(())
}

/// A thread builder with this model's stack size and a name for debuggers.
pub(crate) fn builder(name: &str) -> thread::Builder {
    thread::Builder::new()
        .name(name.to_owned())
        .stack_size(STACK_BYTES)
}

/// Turns a failed `spawn` into an honest answer: the machine ran out of something.
pub(crate) fn spawn_failed(started: usize, wanted: usize, err: &std::io::Error) -> ModelError {
    ModelError::unsupported(format!(
        "started {started} of {wanted} OS threads before the system refused: {err}"
    ))
}

/// A one-value mailbox in shared memory: the threads-and-locks way to hand a value
/// from one thread to another. `put` fills it and wakes the owner; `take` sleeps
/// until it is full and empties it.
#[derive(Debug)]
pub(crate) struct Slot<T> {
    value: Mutex<Option<T>>,
    filled: Condvar,
}

impl<T> Slot<T> {
    pub(crate) fn new() -> Self {
        Self {
            value: Mutex::new(None),
            filled: Condvar::new(),
        }
    }

    pub(crate) fn put(&self, v: T) {
        // A poisoned lock means another task panicked; the value is still sound,
        // and the panic itself surfaces when that thread is joined.
        let mut value = self.value.lock().unwrap_or_else(PoisonError::into_inner);
        debug_assert!(value.is_none(), "a slot holds one value at a time");
        *value = Some(v);
        drop(value);
        self.filled.notify_one();
    }

    pub(crate) fn take(&self) -> T {
        let value = self.value.lock().unwrap_or_else(PoisonError::into_inner);
        let mut value = self
            .filled
            .wait_while(value, |v| v.is_none())
            .unwrap_or_else(PoisonError::into_inner);
        // wait_while returns only once the slot is full.
        value.take().expect("slot filled")
    }
}

/// Joins a scoped thread, turning a panic in it into a `Failed` error.
pub(crate) fn join<T>(handle: thread::ScopedJoinHandle<'_, T>) -> Result<T, ModelError> {
    handle
        .join()
        .map_err(|_| ModelError::failed("a task thread panicked"))
}
