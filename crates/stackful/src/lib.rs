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
//!   that run's `spec.threads`) and later runs in the same process share it. The
//!   CLI runs every cell in a fresh process, so there `--threads` always applies.
//! - Spawning is `unsafe`: a coroutine that touches thread-local storage across a
//!   switch may find itself on another thread, and one that outgrows its stack
//!   hits the guard page and the process dies. Every spawn here says why neither
//!   can happen, and each workload picks its stack size from what it measured.
//! - Each stack is two memory mappings (the stack and its guard page), so
//!   `vm.max_map_count` caps how many coroutines can be alive at once; runs above
//!   that cap answer `unsupported` instead of crashing halfway.

mod crawl;
mod fanout;
mod pingpong;
mod ring;
mod runtime;
mod spawn;

use harness::spec::{
    Counted, CrawlOutcome, CrawlSpec, FanoutOutcome, FanoutSpec, PingPongSpec, RingOutcome,
    RingSpec, SpawnSpec,
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

    fn uses_threads(&self) -> bool {
        true
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
}
