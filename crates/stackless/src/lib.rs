//! Stackless futures: `async`/`await` on tokio. tokio's own pieces (`JoinSet`,
//! `mpsc`, `timeout`, `sleep`) cover every workload; the one `futures`
//! combinator that fit, `buffer_unordered` for the crawl, measured slower than
//! spawned tasks (see `crawl.rs`), so the crate does without the `futures`
//! crate. Two models share every workload file and
//! differ only in the runtime that drives it (`runtime.rs`):
//!
//! 1. [`Tokio`] (`tokio`): the multi-thread, work-stealing runtime, one worker per
//!    `--threads`, in every workload.
//! 2. [`TokioCurrent`] (`tokio-current`): the current-thread runtime, every task on
//!    the calling thread, so it takes no `--threads` in any workload.
//!
//! Both use the same primitives ([`Model::primitive`]): `tokio::sync::mpsc`
//! unbounded channels for every hand-over, `tokio::net::TcpStream` fetched by
//! `concurrency` worker tasks for the crawl, `tokio::time::sleep` for spawn, a
//! task per connection for the server, `yield_now` for the fairness hogs, and
//! `JoinHandle::abort` for the cancel.
//! Each workload's `run` starts the runtime (`runtime::start`) before the probe's
//! `begin`, runs its measured future as a task (`Runtime::run`), and marks `end`
//! before the runtime drops.
//!
//! This is where the seeds' hand-built coroutines end up. The seeds turn a generator
//! into a coroutine that `yield`s a `Future` when it must wait, a `Task` that drives
//! the coroutine by sending it each result, and an `EventLoop` that runs callbacks
//! when sockets are ready. In Rust:
//!
//! - an `async fn` is the coroutine: the compiler turns it into a state machine, an
//!   enum with one variant per `.await`, holding only the locals that live across
//!   it. No stack of its own, hence "stackless": a task is as big as its deepest
//!   suspended state, a few hundred bytes.
//! - `Future::poll` is the `send()` that resumes it; `Poll::Pending` is its `yield`.
//! - the `Waker` passed to `poll` is the seeds' `Future` callback: whoever
//!   completes the thing waited on (a socket, a timer, a channel) calls `wake()`,
//!   which puts the task back on a run queue.
//! - the runtime is the `Task` plus the `EventLoop`: a scheduler that polls woken
//!   tasks, and a driver (epoll through mio, and a timer wheel) that turns readiness
//!   into `wake()` calls.
//!
//! Each `Model` call builds a fresh runtime, runs the workload as a spawned task,
//! and drops the runtime, which joins its threads: nothing outlives the call.
#![forbid(unsafe_code)]

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

use runtime::Flavor;

/// The primitive each workload's hand-overs use; the same in both models, which
/// differ only in the runtime.
fn primitive(workload: Workload) -> &'static str {
    match workload {
        Workload::Crawl => "tokio TcpStream, concurrency worker tasks",
        Workload::PingPong | Workload::Ring | Workload::Fanout => "tokio::sync::mpsc unbounded",
        Workload::Spawn => "tokio::time::sleep",
        Workload::Server => {
            "tokio TcpListener, a task per connection (JoinSet), tokio::time::sleep"
        }
        Workload::Fairness => "tokio::time::sleep ticker, tokio::task::yield_now hogs",
        Workload::Cancel => "JoinHandle::abort of a task per request, suspended in a read",
    }
}

/// The `tokio` model: the multi-thread runtime with `threads` workers.
#[derive(Debug, Clone, Copy, Default)]
pub struct Tokio;

impl Model for Tokio {
    fn name(&self) -> &'static str {
        "tokio"
    }

    fn family(&self) -> Family {
        Family::Stackless
    }

    fn summary(&self) -> &'static str {
        "async/await on tokio's multi-thread work-stealing runtime"
    }

    /// Every workload runs on the multi-thread runtime with `spec.threads` workers:
    /// the server's connections, the fairness hogs and the cancel's requests too.
    fn threads_in(&self, _workload: Workload) -> bool {
        true
    }

    fn primitive(&self, workload: Workload) -> &'static str {
        primitive(workload)
    }

    fn crawl(&self, spec: &CrawlSpec) -> Result<CrawlOutcome, ModelError> {
        crawl::run(
            spec,
            Flavor::MultiThread {
                workers: spec.threads,
            },
        )
    }

    fn pingpong(&self, spec: &PingPongSpec) -> Result<Counted, ModelError> {
        pingpong::run(
            spec,
            Flavor::MultiThread {
                workers: spec.threads,
            },
        )
    }

    fn ring(&self, spec: &RingSpec) -> Result<RingOutcome, ModelError> {
        ring::run(
            spec,
            Flavor::MultiThread {
                workers: spec.threads,
            },
        )
    }

    fn spawn(&self, spec: &SpawnSpec) -> Result<Counted, ModelError> {
        spawn::run(
            spec,
            Flavor::MultiThread {
                workers: spec.threads,
            },
        )
    }

    fn fanout(&self, spec: &FanoutSpec) -> Result<FanoutOutcome, ModelError> {
        fanout::run(
            spec,
            Flavor::MultiThread {
                workers: spec.threads,
            },
        )
    }

    fn server(&self, spec: &ServerSpec) -> Result<ServerOutcome, ModelError> {
        server::run(
            spec,
            Flavor::MultiThread {
                workers: spec.threads,
            },
        )
    }

    fn fairness(&self, spec: &FairnessSpec) -> Result<FairnessOutcome, ModelError> {
        fairness::run(
            spec,
            Flavor::MultiThread {
                workers: spec.threads,
            },
        )
    }

    fn cancel(&self, spec: &CancelSpec) -> Result<CancelOutcome, ModelError> {
        cancel::run(
            spec,
            Flavor::MultiThread {
                workers: spec.threads,
            },
        )
    }
}

/// The `tokio-current` model: the current-thread runtime.
#[derive(Debug, Clone, Copy, Default)]
pub struct TokioCurrent;

impl Model for TokioCurrent {
    fn name(&self) -> &'static str {
        "tokio-current"
    }

    fn family(&self) -> Family {
        Family::Stackless
    }

    fn summary(&self) -> &'static str {
        "async/await on tokio's current-thread runtime"
    }

    // `threads_in` stays `false` for every workload, the server, fairness and
    // cancel included: the current-thread runtime runs on the calling thread,
    // whatever `spec.threads` says.

    fn primitive(&self, workload: Workload) -> &'static str {
        primitive(workload)
    }

    fn crawl(&self, spec: &CrawlSpec) -> Result<CrawlOutcome, ModelError> {
        crawl::run(spec, Flavor::CurrentThread)
    }

    fn pingpong(&self, spec: &PingPongSpec) -> Result<Counted, ModelError> {
        pingpong::run(spec, Flavor::CurrentThread)
    }

    fn ring(&self, spec: &RingSpec) -> Result<RingOutcome, ModelError> {
        ring::run(spec, Flavor::CurrentThread)
    }

    fn spawn(&self, spec: &SpawnSpec) -> Result<Counted, ModelError> {
        spawn::run(spec, Flavor::CurrentThread)
    }

    fn fanout(&self, spec: &FanoutSpec) -> Result<FanoutOutcome, ModelError> {
        fanout::run(spec, Flavor::CurrentThread)
    }

    fn server(&self, spec: &ServerSpec) -> Result<ServerOutcome, ModelError> {
        server::run(spec, Flavor::CurrentThread)
    }

    fn fairness(&self, spec: &FairnessSpec) -> Result<FairnessOutcome, ModelError> {
        fairness::run(spec, Flavor::CurrentThread)
    }

    fn cancel(&self, spec: &CancelSpec) -> Result<CancelOutcome, ModelError> {
        cancel::run(spec, Flavor::CurrentThread)
    }
}
