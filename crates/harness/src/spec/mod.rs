//! The eight workloads: what each model is asked to do, the rules every model keeps
//! while doing it, what it answers, and how the answer is checked.
//!
//! Every model runs exactly these specs; nothing here knows about any model. Each
//! spec has a `verify` that rejects a wrong outcome with a message saying what
//! differed, so a benchmark that does not compute the right thing never counts,
//! and, where the harness can see it, a run that broke the equal-work rules
//! (`docs/measuring.md`, "Equal work") is rejected the same way.
//!
//! Every spec carries a [`Probe`]: the model marks where its measured work begins
//! and ends, and the spawn workload's tasks register with it while alive.
//!
//! 1. [`CrawlSpec`] (`crawl.rs`): GET a list of paths from a server, bounded concurrency.
//! 2. [`PingPongSpec`] (`pingpong.rs`): two tasks pass a counter back and forth.
//! 3. [`RingSpec`] (`ring.rs`): the Benchmarks Game thread-ring.
//! 4. [`SpawnSpec`] (`spawn.rs`): spawn many tasks that each sleep, all alive at once.
//! 5. [`FanoutSpec`] (`fanout.rs`): producer, job batches, workers, one partial sum each.
//! 6. [`ServerSpec`] (`server.rs`): the model serves pages to an open-loop load.
//! 7. [`FairnessSpec`] (`fairness.rs`): a ticker among CPU hogs that never yield.
//! 8. [`CancelSpec`] (`cancel.rs`): slow requests, all cancelled halfway.

mod cancel;
mod crawl;
mod fairness;
mod fanout;
mod pingpong;
mod ring;
mod server;
mod spawn;

pub use cancel::{CancelOutcome, CancelSpec, RequestEnd};
pub use crawl::{CrawlOutcome, CrawlSpec, Expect, Fetched, SPARE_FILES, verify_one};
pub use fairness::{FairnessOutcome, FairnessSpec, HOG_ITEMS_PER_MS, HogResult, lateness_ns};
pub use fanout::{FANOUT_JOB_STEPS, FanoutOutcome, FanoutSpec, fanout_job, job_sum, run_job};
pub use pingpong::PingPongSpec;
pub use ring::{RingOutcome, RingSpec};
pub use server::{BACKLOG, ServerOutcome, ServerSpec, ServerTally, Stop};
pub use spawn::SpawnSpec;

pub use crate::probe::Probe;

use std::fmt;
use std::str::FromStr;

/// The workloads, in the order reports list them.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Workload {
    Crawl,
    PingPong,
    Ring,
    Spawn,
    Fanout,
    Server,
    Fairness,
    Cancel,
}

impl Workload {
    /// Every workload.
    pub const ALL: [Workload; 8] = [
        Workload::Crawl,
        Workload::PingPong,
        Workload::Ring,
        Workload::Spawn,
        Workload::Fanout,
        Workload::Server,
        Workload::Fairness,
        Workload::Cancel,
    ];

    /// The name used on the command line and in reports.
    pub fn name(self) -> &'static str {
        match self {
            Workload::Crawl => "crawl",
            Workload::PingPong => "pingpong",
            Workload::Ring => "ring",
            Workload::Spawn => "spawn",
            Workload::Fanout => "fanout",
            Workload::Server => "server",
            Workload::Fairness => "fairness",
            Workload::Cancel => "cancel",
        }
    }

    /// What one operation is, for the per-operation column (`ns per <op>`).
    pub fn op(self) -> &'static str {
        match self {
            Workload::Crawl => "request",
            Workload::PingPong => "round trip",
            Workload::Ring => "hop",
            Workload::Spawn => "task",
            Workload::Fanout => "item",
            Workload::Server => "request",
            Workload::Fairness => "tick",
            Workload::Cancel => "request",
        }
    }
}

impl fmt::Display for Workload {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Workload {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Workload::ALL
            .into_iter()
            .find(|w| w.name() == s)
            .ok_or_else(|| {
                let known: Vec<_> = Workload::ALL.iter().map(|w| w.name()).collect();
                format!("unknown workload '{s}'; known: {}", known.join(", "))
            })
    }
}

/// An outcome that does not match its spec: the message says what differed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifyError(pub String);

impl fmt::Display for VerifyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "verification failed: {}", self.0)
    }
}

impl std::error::Error for VerifyError {}

pub(crate) fn check(ok: bool, what: impl FnOnce() -> String) -> Result<(), VerifyError> {
    if ok { Ok(()) } else { Err(VerifyError(what())) }
}

/// Worker threads for the models that have them: the machine's parallelism.
pub fn default_threads() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// A count the workload must reach: the final counter, or the tasks that reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Counted {
    pub count: u64,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::{FetchError, Page};
    use crate::pages::{self, Expected};
    use std::time::Duration;

    #[test]
    fn fanout_jump_matches_running_the_jobs() {
        let spec = FanoutSpec::new(300, 4);
        let run = (0..300).fold(0u64, |s, i| s.wrapping_add(fanout_job(i)));
        assert_eq!(spec.expected_sum(), run);
        let good = FanoutOutcome {
            items: 300,
            sum: run,
            job_messages: 10, // 300 items in batches of 32
            result_messages: 4,
        };
        assert!(spec.verify(&good).is_ok());
        assert!(
            spec.verify(&FanoutOutcome {
                sum: run ^ 1,
                ..good
            })
            .is_err()
        );
        assert!(spec.verify(&FanoutOutcome { items: 299, ..good }).is_err());
    }

    #[test]
    fn fanout_checks_the_protocol() {
        let mut spec = FanoutSpec::new(100, 3);
        spec.batch = 7;
        assert_eq!(spec.jobs(), 15);
        let ranges: Vec<_> = spec.job_ranges().collect();
        assert_eq!(ranges.len(), 15);
        assert_eq!(ranges[0], 0..7);
        assert_eq!(ranges[14], 98..100);
        let mut out = FanoutOutcome::default();
        for r in spec.job_ranges() {
            let (c, s) = run_job(r);
            out.add_result(c, s); // one result per job: the wrong protocol
        }
        out.job_messages = 15;
        assert_eq!(out.sum, spec.expected_sum());
        let err = spec.verify(&out).unwrap_err();
        assert!(err.0.contains("15 result messages from 3 workers"), "{err}");
        out.result_messages = 3;
        assert!(spec.verify(&out).is_ok());
        out.job_messages = 100; // one message per item, not per batch
        let err = spec.verify(&out).unwrap_err();
        assert!(err.0.contains("the protocol sends 15"), "{err}");
    }

    #[test]
    fn ring_holder_is_benchmarks_game_answer() {
        // thread-ring with 503 threads and 1000 hops prints 498.
        let spec = RingSpec::new(503, 1000);
        assert_eq!(spec.expected_holder(), 498);
        assert!(spec.verify(&RingOutcome { holder: 498 }).is_ok());
        let err = spec.verify(&RingOutcome { holder: 497 }).unwrap_err();
        assert!(err.0.contains("want task 498"), "{err}");
        assert_eq!(RingSpec::new(3, 0).expected_holder(), 1);
        assert_eq!(RingSpec::new(3, 3).expected_holder(), 1);
    }

    #[test]
    fn counts_must_match() {
        assert!(PingPongSpec::new(10).verify(&Counted { count: 10 }).is_ok());
        assert!(PingPongSpec::new(10).verify(&Counted { count: 9 }).is_err());
        let spawn = SpawnSpec::new(5, Duration::ZERO);
        let err = spawn.verify(&Counted { count: 4 }).unwrap_err();
        assert_eq!(err.0, "4 of 5 tasks reported");
    }

    #[test]
    fn spawn_needs_every_task_alive_at_once() {
        let spawn = SpawnSpec::new(3, Duration::ZERO);
        // Three tasks, one after another: the count is right, the peak is 1.
        for _ in 0..3 {
            drop(spawn.probe.enter());
        }
        let err = spawn.verify(&Counted { count: 3 }).unwrap_err();
        assert!(
            err.0.starts_with("at most 1 of 3 tasks were alive"),
            "{err}"
        );
        let alive: Vec<_> = (0..3).map(|_| spawn.probe.enter()).collect();
        drop(alive);
        assert!(spawn.verify(&Counted { count: 3 }).is_ok());
    }

    #[test]
    fn crawl_verification_names_the_path() {
        let addr = "127.0.0.1:1".parse().unwrap();
        let spec = CrawlSpec::pages(addr, 2, 0, 10);
        let good = |i: usize| {
            let Some(Expected::Page { bytes, digest }) = pages::expected(&spec.paths[i]) else {
                unreachable!("page paths expect pages")
            };
            Ok(Page {
                status: 200,
                bytes,
                digest,
            })
        };
        let ok = CrawlOutcome {
            results: vec![good(0), good(1)],
        };
        assert!(spec.verify(&ok).is_ok());
        // Swapped order is wrong: results come in path order.
        let swapped = CrawlOutcome {
            results: vec![good(1), good(0)],
        };
        let err = spec.verify(&swapped).unwrap_err();
        assert!(err.0.starts_with("/page/0"), "{err}");
        let failed = CrawlOutcome {
            results: vec![good(0), Err(FetchError::Timeout)],
        };
        assert!(spec.verify(&failed).unwrap_err().0.contains("timed out"));
        let short = CrawlOutcome {
            results: vec![good(0)],
        };
        assert!(spec.verify(&short).is_err());
    }

    #[test]
    fn workload_names_parse() {
        for w in Workload::ALL {
            assert_eq!(w.name().parse::<Workload>(), Ok(w));
        }
        let err = "crawler".parse::<Workload>().unwrap_err();
        assert!(
            err.contains("crawl, pingpong, ring, spawn, fanout, server, fairness, cancel"),
            "{err}"
        );
    }
}
