//! Model `crossbeam`: communicating sequential processes on OS threads and
//! crossbeam-channel.
//!
//! CSP (Hoare, 1978) builds a program from sequential processes that share no
//! memory and only communicate, by sending values over channels. Go made it
//! popular ("do not communicate by sharing memory; share memory by communicating"):
//! goroutines, `chan`, and `select` over several channels. Here a process is an OS
//! thread started by `process::go`, a channel is crossbeam's (`unbounded` for every
//! hand-over the workloads make, so no send ever waits: the equal-work rule every
//! model keeps), and `select!` is crossbeam's (with `after`, `tick` and `never`
//! standing in for Go's timers).
//!
//! How it maps to the seeds: their Go section is this model, with goroutines
//! replaced by kernel threads; their list of CSP-versus-actor differences is what
//! the workload files show. The channel is a first-class value, not part of any
//! process: it is created on its own, its ends are cloned and handed out, and any
//! process holding an end may send or receive (the crawl's workers all receive from
//! one job channel; the ring's processes each read one channel and write another).
//! An actor's mailbox, by contrast, belongs to the actor, and only it receives.
//!
//! The contrast with the `threads` baseline (`crates/baseline/src/threads/`) is the
//! point of the crate. There the threads share a `Mutex`-and-`Condvar` slot, an
//! atomic cursor or counter, and hand results back through join handles. Here the
//! workload code holds no lock, no atomic and no join handle: every exchange is a
//! send or a receive, "no more work" is a closed channel, and "everyone is done" is
//! a result channel whose last sender has been dropped. (The channels themselves
//! are built on atomics and a little locking inside crossbeam; the point is that
//! the program's own processes never touch shared state.) The only join is the
//! thread scope in `process.rs`, which makes sure no process outlives the run.
//!
//! Being OS threads, the processes cost what threads cost: a kernel thread and a
//! stack each, a futex wake-up and a context switch whenever a value reaches a
//! process that was asleep. Go runs the same programs on green threads, where the
//! same hand-over is a user-space switch; the doc page (`docs/models/csp.md`) says
//! what that changes, with the measurements.
//!
//! `--threads` does not apply to any workload here, so [`Model::threads_in`] keeps
//! its default (`false`) and the CLI rejects the flag: there is no pool to size.
//! Every process is its own OS thread, so a workload runs on as many threads as it
//! has processes (the ring's `tasks`, the crawl's `concurrency`, the fanout's
//! `workers`, pingpong's pong, the server's open connections and its acceptor,
//! fairness's hogs and ticker, cancel's requests, each beside the run's own
//! thread), fixed by the workload's own parameters.

#![forbid(unsafe_code)]

mod cancel;
mod crawl;
mod fairness;
mod fanout;
mod pingpong;
mod process;
mod ring;
mod server;
mod spawn;

use harness::spec::{
    CancelOutcome, CancelSpec, Counted, CrawlOutcome, CrawlSpec, FairnessOutcome, FairnessSpec,
    FanoutOutcome, FanoutSpec, PingPongSpec, RingOutcome, RingSpec, ServerOutcome, ServerSpec,
    SpawnSpec, Workload,
};
use harness::{Family, Model, ModelError};

/// The `crossbeam` model: CSP processes (OS threads) over crossbeam channels.
#[derive(Debug, Clone, Copy, Default)]
pub struct Crossbeam;

impl Model for Crossbeam {
    fn name(&self) -> &'static str {
        "crossbeam"
    }

    fn family(&self) -> Family {
        Family::Csp
    }

    fn summary(&self) -> &'static str {
        "CSP: OS threads that share nothing and talk over crossbeam channels"
    }

    fn primitive(&self, workload: Workload) -> &'static str {
        match workload {
            Workload::Crawl => "std TcpStream, a thread per slot, crossbeam unbounded",
            Workload::PingPong | Workload::Ring | Workload::Fanout => "crossbeam unbounded",
            Workload::Spawn => "crossbeam after()",
            Workload::Server => "acceptor + crossbeam unbounded, a thread per connection, after()",
            Workload::Fairness => "a thread per hog and ticker, crossbeam after(), std yield_now",
            Workload::Cancel => "a thread per request, closed crossbeam channel, socket shutdown",
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
