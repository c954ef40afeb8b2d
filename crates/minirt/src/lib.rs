//! `minirt`: the seeds' event loop, `Task` and `Future`, rebuilt from scratch in
//! Rust, and the eight workloads run on it.
//!
//! The seeds teach coroutines by building asyncio by hand: a generator that
//! `yield`s, `yield from` that delegates, a `Task` whose `step` sends into the
//! coroutine, a `Future` whose `set_result` runs its callbacks, and an `EventLoop`
//! with `call_soon`, `call_later` and a selector. [`rt`] is that path in Rust: an
//! executor with a ready queue, timers, a reactor over mio, `spawn` with join
//! handles, an async `TcpStream`, a channel, and a wake path from other threads,
//! each in a short file that names the seed idea it is. `async fn` stands in for
//! the generator: the compiler writes the state machine the seeds write by hand.
//!
//! It is a stackless model, like `tokio-current` in `crates/stackless`, and its
//! workload files read side by side with that crate's: the same shape on a runtime
//! small enough to read in one sitting. Everything runs on the calling thread,
//! except fanout's CPU jobs, which go to OS worker threads and come back over
//! [`rt::thread_channel`]. Each `Model` call builds a [`rt::Runtime`], marks the
//! probe's measured phase around its work, and drops the runtime with every task:
//! nothing outlives the call.
//!
//! `--threads` means nothing here, in any workload ([`Model::threads_in`] is false
//! for all eight): the loop is one thread by design, and fanout starts one OS thread
//! per worker, `--workers` of them, whatever `--threads` says.
//!
//! The hand-overs use minirt's own primitives, and [`Model::primitive`] names them:
//! pingpong and ring run on [`rt::channel::unbounded`], an `Rc<RefCell>` channel
//! that only works between tasks on one thread (tokio's `mpsc`, which any thread
//! may use, pays atomics for that); fanout's jobs go to the threads on std's
//! `mpsc` and come back on [`rt::thread_channel`].
//!
//! The three later workloads need three more pieces, each small: the server a
//! [`rt::TcpListener`] (and the stop, from the harness's thread, comes over a
//! `thread_channel` too); fairness a [`rt::yield_now`], which lets timers and I/O in
//! before the yielding task goes on; cancel a [`rt::JoinHandle::abort`], which
//! drops the task's future.
//!
//! Start with `docs/tour.md` and the examples (`cargo run -p cm-minirt --example
//! 1_blocking_chain`, then 2 to 8).
#![forbid(unsafe_code)]

mod cancel;
mod crawl;
mod fairness;
mod fanout;
mod pingpong;
mod ring;
pub mod rt;
mod server;
mod spawn;

use harness::spec::{
    CancelOutcome, CancelSpec, Counted, CrawlOutcome, CrawlSpec, FairnessOutcome, FairnessSpec,
    FanoutOutcome, FanoutSpec, PingPongSpec, RingOutcome, RingSpec, ServerOutcome, ServerSpec,
    SpawnSpec, Workload,
};
use harness::{Family, Model, ModelError};

/// The `minirt` model.
#[derive(Debug, Clone, Copy, Default)]
pub struct MiniRt;

impl Model for MiniRt {
    fn name(&self) -> &'static str {
        "minirt"
    }

    fn family(&self) -> Family {
        Family::Stackless
    }

    fn summary(&self) -> &'static str {
        "a from-scratch single-threaded executor + mio reactor, written to be read"
    }

    /// False for every workload: one loop thread, and fanout's threads are `--workers`.
    /// (Server, fairness and cancel run on the loop thread alone.)
    fn threads_in(&self, _: Workload) -> bool {
        false
    }

    fn primitive(&self, workload: Workload) -> &'static str {
        match workload {
            Workload::Crawl => "minirt TcpStream (mio epoll), concurrency worker tasks",
            Workload::PingPong | Workload::Ring => {
                "minirt::channel unbounded (single-thread Rc<RefCell>)"
            }
            Workload::Spawn => "minirt::sleep (BTreeMap timers)",
            Workload::Fanout => "std mpsc unbounded to worker threads, minirt thread_channel back",
            Workload::Server => "minirt task per connection, minirt TcpListener, minirt::sleep",
            Workload::Fairness => "minirt tasks, minirt::yield_now (woken after the next turn)",
            Workload::Cancel => "minirt task per request, JoinHandle::abort (drops the future)",
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

/// A fresh runtime for one run, or the reason there is none.
fn runtime() -> Result<rt::Runtime, ModelError> {
    rt::Runtime::new().map_err(|e| ModelError::failed(format!("cannot start minirt: {e}")))
}

/// A task's panic, as the run's error.
fn panicked(e: rt::JoinError) -> ModelError {
    ModelError::failed(e.to_string())
}
