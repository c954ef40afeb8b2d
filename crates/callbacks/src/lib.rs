//! `callbacks`: one thread, one event loop over `mio`, and programs written as
//! chains of callbacks.
//!
//! This is the seeds' first answer to blocking. Instead of a thread that waits in
//! `connect` or `read`, the program tells a selector "call `on_connected` when this
//! socket is writable" and returns; the loop waits on every socket at once and
//! calls whichever function is due. Each step does its bit of work and registers the
//! step after it. Nothing ever blocks, so one thread serves thousands of sockets,
//! and no task needs a stack of its own: a pending request is a small struct and a
//! parked function pointer. It is the model of libuv (and so Node.js), of Python's
//! asyncio underneath its coroutines, of nginx and Redis.
//!
//! The cost is in the code. A function that would have read top to bottom is cut
//! into continuations at every point where it could wait, and everything it knew
//! (which path, how much was written, the half-parsed response) must be carried
//! from one piece to the next by hand, in a struct the loop keeps. Loops and early
//! returns become explicit states; an error can surface in any piece and each must
//! route it to the same `finish`. The seeds call this "callback hell"; Rust adds
//! that the state cannot simply be captured and shared between closures without
//! `Rc<RefCell<..>>`, so here, as in careful C, the loop owns it in slots and the
//! callbacks find it by key (see `event_loop.rs`).
//!
//! The next idea in the seeds, futures and coroutines, keeps the loop and gives the
//! straight-line code back: the compiler cuts the function into the same
//! continuations and carries its state. This crate deliberately stops before that:
//! no `async`, no futures, no `Waker`.
//!
//! Files: `event_loop.rs` (the loop), `pool.rs` (the job and result queues that
//! let fanout's pool threads run CPU work off the loop, like libuv's
//! `uv_queue_work`), then one file per workload, each in the parts every model's
//! file has (`// ## <part>` markers), a callback's shape kept where it must differ:
//! `crawl.rs`, `pingpong.rs`, `ring.rs`, `spawn.rs`, `fanout.rs`, and the three
//! that turn the model around or push on it: `server.rs` (the loop as the
//! server, a callback per readiness event), `fairness.rs` (a ticker among hogs
//! that only a callback's return can interrupt) and `cancel.rs` (cancelling is
//! taking a parked callback and its socket off the loop).
//!
//! The model takes no `--threads` (`threads_in` is false for every workload): the
//! loop is one thread whatever the count, and the only other threads, fanout's
//! pool, number `spec.workers`, the workload's own size. The server, the fairness
//! run and the cancel run each live on that one thread too. Every workload marks the
//! probe's measured phase once its loop (and, for fanout, its waker and pool) is
//! built and ends it when the loop returns with the answer, before any teardown.

#![forbid(unsafe_code)]

mod cancel;
mod crawl;
mod event_loop;
mod fairness;
mod fanout;
mod pingpong;
mod pool;
mod ring;
mod server;
mod spawn;

use harness::spec::{
    CancelOutcome, CancelSpec, Counted, CrawlOutcome, CrawlSpec, FairnessOutcome, FairnessSpec,
    FanoutOutcome, FanoutSpec, PingPongSpec, RingOutcome, RingSpec, ServerOutcome, ServerSpec,
    SpawnSpec, Workload,
};
use harness::{Family, Model, ModelError};

/// The `callbacks` model.
#[derive(Debug, Clone, Copy, Default)]
pub struct Callbacks;

impl Model for Callbacks {
    fn name(&self) -> &'static str {
        "callbacks"
    }

    fn family(&self) -> Family {
        Family::Callbacks
    }

    fn summary(&self) -> &'static str {
        "a single-threaded mio event loop; each step registers the callback for the next"
    }

    fn primitive(&self, workload: Workload) -> &'static str {
        match workload {
            Workload::Crawl => "mio TcpStream, callbacks on epoll readiness",
            Workload::PingPong | Workload::Ring => "event-loop inbox + call_soon queue",
            Workload::Spawn => "event-loop timer heap (call_later)",
            Workload::Fanout => "Mutex+Condvar pool queue, mio::Waker back to the loop",
            Workload::Server => "mio TcpListener, callbacks on readiness, call_later delay",
            Workload::Fairness => "call_later ticker; hog chunks re-queued with call_soon",
            Workload::Cancel => "mio TcpStream callbacks; a call_later timer drops them all",
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
