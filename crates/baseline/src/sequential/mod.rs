//! `sequential`: no concurrency at all.
//!
//! Everything runs on the calling thread, one step after another. A "task" is a
//! plain value and "sending a message" is a function call, so pingpong, ring and
//! fanout show the floor (what the work costs with no coordination), while crawl
//! and spawn show what blocking costs: each wait is paid in full, one after the
//! other.
//!
//! Where a workload's protocol counts messages (fanout's job and result messages),
//! this model keeps the protocol's shape with calls instead of messages and counts
//! the calls, and says so in its file; it never invents a channel it does not have.
//! A workload whose rule it cannot keep (spawn: all `n` tasks alive at once, which
//! one thread running one task at a time never has; fairness: a ticker running
//! beside a hog; cancel: `n` requests in flight, cancelled by someone other than
//! the thread blocked in them) is answered `unsupported`, and so are crawls whose
//! waiting alone would exceed [`MAX_WAIT`]; nothing is faked. As the server, it
//! serves one connection at a time, and closes it as soon as no request is
//! waiting on it.
//!
//! There is no runtime: the measured phase starts with the work itself.

mod cancel;
mod crawl;
mod fairness;
mod fanout;
mod pingpong;
mod ring;
mod server;
mod spawn;

use std::time::Duration;

use harness::spec::{
    CancelOutcome, CancelSpec, Counted, CrawlOutcome, CrawlSpec, FairnessOutcome, FairnessSpec,
    FanoutOutcome, FanoutSpec, PingPongSpec, RingOutcome, RingSpec, ServerOutcome, ServerSpec,
    SpawnSpec, Workload,
};
use harness::{Family, Model, ModelError};

/// The most time a sequential run may spend waiting before it declines.
pub(crate) const MAX_WAIT: Duration = Duration::from_secs(120);

/// The `sequential` model.
#[derive(Debug, Clone, Copy, Default)]
pub struct Sequential;

impl Model for Sequential {
    fn name(&self) -> &'static str {
        "sequential"
    }

    fn family(&self) -> Family {
        Family::Baseline
    }

    fn summary(&self) -> &'static str {
        "one thread, one thing at a time: the seeds' blocking starting point"
    }

    /// The one model that is not: the yardstick the others are measured against.
    /// The conformance suite fails its concurrency cases and says why.
    fn concurrent(&self) -> bool {
        false
    }

    fn primitive(&self, workload: Workload) -> &'static str {
        match workload {
            Workload::Crawl => "blocking std TcpStream, one at a time",
            Workload::PingPong | Workload::Ring | Workload::Fanout => {
                "plain function call (no hand-over)"
            }
            Workload::Spawn => "std::thread::sleep, one task at a time",
            Workload::Server => {
                "one request at a time, Connection: close unless another is waiting"
            }
            Workload::Fairness => "std::thread::sleep ticker alone (no hog can run beside it)",
            Workload::Cancel => "none: no second thread to cancel a blocked read",
        }
    }

    fn crawl(&self, spec: &CrawlSpec) -> Result<CrawlOutcome, ModelError> {
        crawl::run(spec)
    }

    fn pingpong(&self, spec: &PingPongSpec) -> Result<Counted, ModelError> {
        Ok(pingpong::run(spec))
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

/// Declines a run whose waiting alone would exceed [`MAX_WAIT`].
pub(crate) fn within_wait_budget(total: Duration, what: &str) -> Result<(), ModelError> {
    if total > MAX_WAIT {
        return Err(ModelError::unsupported(format!(
            "{what} one after another would wait {:.0} s, over the {} s cap for the \
             sequential model; lower the size or the delay",
            total.as_secs_f64(),
            MAX_WAIT.as_secs()
        )));
    }
    Ok(())
}
