//! Model `may`: stackful green threads, written like blocking code.
//!
//! Every task is a coroutine with a stack of its own, a few KiB of `mmap`ed memory
//! behind a guard page. The code inside reads like the `threads` model, straight
//! line by line: `stream.read(..)`, `rx.recv()`, `sleep(..)`. The difference is
//! what those calls do when they would wait. may's versions of them (its
//! `net::TcpStream`, its channels, `coroutine::sleep`) register the coroutine with
//! an epoll loop, a timer or a wait queue, save its registers, and switch the
//! worker thread to another coroutine's stack: a user-space context switch of a
//! few dozen instructions instead of a kernel one. When the event comes, the
//! coroutine is queued again and resumes on whichever worker picks it up, with
//! its whole call stack intact.
//!
//! This is the seeds' greenlet/gevent idea (a monkey-patched `socket` that
//! switches greenlets instead of blocking), and Go's goroutines: may runs M:N,
//! `spec.threads` worker threads (Go's Ms, each with its own run queue, Go's Ps)
//! stealing runnable coroutines (Gs) from each other. Unlike Go, nothing preempts
//! a coroutine: one that computes, or calls a *std* blocking function, holds its
//! worker until it returns.
//!
//! The fine print, and how this crate handles it (`runtime.rs` has the details):
//!
//! - may's scheduler is process-global and starts at first use; its worker threads
//!   live as long as the process. The first run configures it (worker count from
//!   that run's `spec.threads`, coroutine pool sized to that run's work) and later
//!   runs in the same process share it. The CLI runs every cell in a fresh
//!   process, so there `--threads` is may's worker count in every workload, and
//!   [`Model::threads_in`] says so for all eight: every coroutine, whatever the
//!   workload, runs on those workers. (With one exception may does not
//!   advertise: a coroutine woken from `coroutine::sleep` is resumed on may's
//!   timer thread, and runs there until it next waits; `fairness.rs` and
//!   `server.rs` say what that changes.) In one process (the conformance suite, a
//!   bench) a later run with another `spec.threads` runs on the first run's
//!   workers, and the probe's OS-thread count says so; may cannot be reconfigured.
//! - Spawning is `unsafe`: a coroutine that touches thread-local storage across a
//!   switch may find itself on another thread, and one that outgrows its stack
//!   hits the guard page: it is abandoned without unwinding, and may then often
//!   ends the whole process (`tests/stack_overflow.rs`). Every spawn here says why
//!   neither can happen, and each workload picks its stack size from what it
//!   measured.
//! - Each stack is two memory mappings (the stack and its guard page), so
//!   `vm.max_map_count` caps how many coroutines can be alive at once; runs above
//!   that cap answer `unsupported` instead of crashing halfway.

mod cancel;
mod crawl;
mod fairness;
mod fanout;
mod pingpong;
mod ring;
mod runtime;
mod server;
mod spawn;

use harness::spec::{
    CancelOutcome, CancelSpec, Counted, CrawlOutcome, CrawlSpec, FairnessOutcome, FairnessSpec,
    FanoutOutcome, FanoutSpec, PingPongSpec, RingOutcome, RingSpec, ServerOutcome, ServerSpec,
    SpawnSpec, Workload,
};
use harness::{Family, Model, ModelError};

/// The `may` model.
#[derive(Debug, Clone, Copy, Default)]
pub struct May;

impl Model for May {
    fn name(&self) -> &'static str {
        "may"
    }

    fn family(&self) -> Family {
        Family::Stackful
    }

    fn summary(&self) -> &'static str {
        "stackful coroutines on may: blocking-style code, switched in user space"
    }

    /// Every workload: all of them run their coroutines on may's workers, and
    /// `spec.threads` is how many (once per process, see the crate docs).
    fn threads_in(&self, _workload: Workload) -> bool {
        true
    }

    /// may's configuration is read once, when its scheduler starts.
    fn threads_fixed_per_process(&self) -> bool {
        true
    }

    fn primitive(&self, workload: Workload) -> &'static str {
        match workload {
            Workload::Crawl => "may::net::TcpStream, a coroutine per slot",
            Workload::PingPong | Workload::Ring => "may mpsc",
            Workload::Spawn => "may coroutine::sleep",
            Workload::Fanout => "may mpmc jobs, mpsc results",
            Workload::Server => {
                "may::net::TcpListener, a coroutine per connection, coroutine::sleep"
            }
            Workload::Fairness => "may coroutine::sleep ticker, coroutine::yield_now hogs",
            Workload::Cancel => "may Coroutine::cancel of a coroutine parked in a read",
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
