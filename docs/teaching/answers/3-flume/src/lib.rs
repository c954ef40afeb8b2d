//! Model `flume`: communicating sequential processes on OS threads, talking over
//! flume channels.
//!
//! CSP (Hoare, 1978) builds a program from sequential processes that share no
//! memory and only send each other values over channels; Go's goroutines and
//! `chan` made it popular. Here a process is an OS thread started in a thread scope
//! (`process.rs`), and every channel is a `flume::unbounded` one, so no send waits.
//! The workload code holds no lock, no atomic and no join handle of its own: every
//! exchange is a send or a receive, "no more work" is a closed channel, and
//! "everyone is done" is a channel whose last sender has gone.
//!
//! flume's channels are multi-producer *and* multi-consumer: a `Receiver` is
//! `Clone`, so the crawl's and the fanout's workers all receive from one job
//! channel, where std's `mpsc::Receiver` would have to sit behind a `Mutex`.
//! Inside, a flume channel is a queue behind a lock, with a parked thread's hook
//! queued beside it when a receive finds it empty; `flume::Selector` waits on
//! several channels at once (Go's `select`), which no workload here needs.
//!
//! How it maps to the seeds: their Go section, with goroutines replaced by kernel
//! threads, so each process costs a thread and a stack, and each hand-over to a
//! process that was asleep costs a wake-up and a context switch.
//!
//! `--threads` does not apply: a workload runs on as many threads as it has
//! processes, fixed by its own parameters, so `threads_in` keeps its default.

#![forbid(unsafe_code)]

mod crawl;
mod fanout;
mod pingpong;
mod process;
mod ring;
mod spawn;

use harness::spec::{
    Counted, CrawlOutcome, CrawlSpec, FanoutOutcome, FanoutSpec, PingPongSpec, RingOutcome,
    RingSpec, SpawnSpec, Workload,
};
use harness::{Family, Model, ModelError};

/// The `flume` model: CSP processes (OS threads) over flume channels.
#[derive(Debug, Clone, Copy, Default)]
pub struct Flume;

impl Model for Flume {
    fn name(&self) -> &'static str {
        "flume"
    }

    fn family(&self) -> Family {
        Family::Csp
    }

    fn summary(&self) -> &'static str {
        "CSP: OS threads that share nothing and talk over flume channels"
    }

    fn primitive(&self, workload: Workload) -> &'static str {
        match workload {
            Workload::Crawl => "blocking std TcpStream, a thread per slot, flume unbounded",
            Workload::PingPong => "flume unbounded",
            Workload::Ring => "flume unbounded",
            Workload::Spawn => "std::thread::sleep, a thread per task, flume reports",
            Workload::Fanout => "flume unbounded, one shared job receiver",
        }
    }

    fn concurrent(&self) -> bool {
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
