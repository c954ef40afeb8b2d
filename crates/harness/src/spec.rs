//! The five workloads: what each model is asked to do, what it answers, and how the
//! answer is checked.
//!
//! Every model runs exactly these specs; nothing here knows about any model. Each
//! spec has a `verify` that rejects a wrong outcome with a message saying what
//! differed, so a benchmark that does not compute the right thing never counts.
//!
//! 1. [`CrawlSpec`]: GET a list of paths from the delay server, bounded concurrency.
//! 2. [`PingPongSpec`]: two tasks pass a counter back and forth.
//! 3. [`RingSpec`]: the Benchmarks Game thread-ring.
//! 4. [`SpawnSpec`]: spawn many tasks that each sleep, then join them all.
//! 5. [`FanoutSpec`]: producer, workers doing fixed CPU work, collector.

use std::fmt;
use std::net::SocketAddr;
use std::str::FromStr;
use std::time::Duration;

use crate::http::FetchResult;
use crate::model::ModelError;
use crate::pages::{self, Expected, splitmix64};

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
}

impl Workload {
    /// Every workload.
    pub const ALL: [Workload; 5] = [
        Workload::Crawl,
        Workload::PingPong,
        Workload::Ring,
        Workload::Spawn,
        Workload::Fanout,
    ];

    /// The name used on the command line and in reports.
    pub fn name(self) -> &'static str {
        match self {
            Workload::Crawl => "crawl",
            Workload::PingPong => "pingpong",
            Workload::Ring => "ring",
            Workload::Spawn => "spawn",
            Workload::Fanout => "fanout",
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

fn check(ok: bool, what: impl FnOnce() -> String) -> Result<(), VerifyError> {
    if ok { Ok(()) } else { Err(VerifyError(what())) }
}

// --- 1. crawl -----------------------------------------------------------------

/// GET every path from the delay server at `addr`, at most `concurrency` requests in
/// flight, each bounded by `timeout` (connect, write and read together).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CrawlSpec {
    pub addr: SocketAddr,
    pub paths: Vec<String>,
    pub concurrency: usize,
    pub timeout: Duration,
    /// Worker threads, for the models that have them.
    pub threads: usize,
}

/// Descriptors a crawling process needs besides one socket per request in flight:
/// stdio, the runtime's epoll and wake descriptors, the binary and its libraries.
pub const SPARE_FILES: u64 = 64;

impl CrawlSpec {
    /// Requests in flight at once: `concurrency`, at least 1, at most the paths.
    pub fn in_flight(&self) -> usize {
        self.concurrency.clamp(1, self.paths.len().max(1))
    }

    /// Raises the open-file limit to hold one socket per request in flight (plus
    /// [`SPARE_FILES`]) and returns how many will be in flight; or answers
    /// `unsupported`, naming the limit and how to raise it, before any socket opens.
    pub fn reserve_sockets(&self) -> Result<usize, ModelError> {
        let in_flight = self.in_flight();
        crate::limits::ensure_nofile(
            in_flight as u64 + SPARE_FILES,
            &format!("a crawl with {in_flight} requests in flight"),
        )
        .map_err(ModelError::unsupported)?;
        Ok(in_flight)
    }

    /// `n` good pages of `body_bytes` each answered after `delay_ms`, all in flight at
    /// once (`concurrency = n`) and a timeout well above the delay.
    pub fn pages(addr: SocketAddr, n: u64, delay_ms: u64, body_bytes: usize) -> Self {
        Self {
            addr,
            paths: (0..n)
                .map(|i| pages::page_path(i, delay_ms, body_bytes))
                .collect(),
            concurrency: usize::try_from(n).unwrap_or(usize::MAX).max(1),
            timeout: Duration::from_millis(delay_ms.saturating_mul(10).max(5_000)),
            threads: default_threads(),
        }
    }

    /// Checks one result per path, in path order, against what the server must send.
    pub fn verify(&self, outcome: &CrawlOutcome) -> Result<(), VerifyError> {
        check(outcome.results.len() == self.paths.len(), || {
            format!(
                "{} results for {} paths",
                outcome.results.len(),
                self.paths.len()
            )
        })?;
        for (path, got) in self.paths.iter().zip(&outcome.results) {
            let want = pages::expected(path)
                .ok_or_else(|| VerifyError(format!("{path}: not a path the server knows")))?;
            verify_one(path, want, got)?;
        }
        Ok(())
    }
}

/// Checks the result for one path against what a correct client must report.
pub fn verify_one(path: &str, want: Expected, got: &FetchResult) -> Result<(), VerifyError> {
    match (want, got) {
        (Expected::Page { bytes, digest }, Ok(page)) => check(
            page.status == 200 && page.bytes == bytes && page.digest == digest,
            || {
                format!(
                    "{path}: got status {} with {} bytes (digest {:016x}), \
                     want 200 with {bytes} bytes (digest {digest:016x})",
                    page.status, page.bytes, page.digest
                )
            },
        ),
        (Expected::Page { .. }, Err(e)) => Err(VerifyError(format!("{path}: {e}, want a page"))),
        (Expected::Error(kind), Err(e)) => check(e.kind() == kind, || {
            format!("{path}: got '{e}', want a {kind} error")
        }),
        (Expected::Error(kind), Ok(page)) => Err(VerifyError(format!(
            "{path}: got a page of {} bytes, want a {kind} error",
            page.bytes
        ))),
    }
}

/// One result per path of the spec, in the spec's order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CrawlOutcome {
    pub results: Vec<FetchResult>,
}

impl CrawlOutcome {
    /// Assembles results that finished in any order, each stored at its path's
    /// index, into path order. A slot left empty is a bug in the model, which gets
    /// the blame as `Failed` rather than a made-up result.
    pub fn from_slots(slots: Vec<Option<FetchResult>>) -> Result<Self, ModelError> {
        let results = slots
            .into_iter()
            .enumerate()
            .map(|(i, r)| {
                r.ok_or_else(|| ModelError::failed(format!("path {i} was never fetched")))
            })
            .collect::<Result<_, _>>()?;
        Ok(Self { results })
    }

    /// How many paths came back with a page.
    pub fn ok_count(&self) -> usize {
        self.results.iter().filter(|r| r.is_ok()).count()
    }
}

// --- 2. pingpong --------------------------------------------------------------

/// Two tasks pass a counter back and forth: each round trip the counter goes
/// ping -> pong (+1) -> ping. The final counter must equal `rounds`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PingPongSpec {
    pub rounds: u64,
    pub threads: usize,
}

impl PingPongSpec {
    pub fn new(rounds: u64) -> Self {
        Self {
            rounds,
            threads: default_threads(),
        }
    }

    pub fn verify(&self, outcome: &Counted) -> Result<(), VerifyError> {
        check(outcome.count == self.rounds, || {
            format!(
                "final counter {} after {} rounds",
                outcome.count, self.rounds
            )
        })
    }
}

/// A count the workload must reach: the final counter, or the tasks that reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Counted {
    pub count: u64,
}

// --- 3. ring ------------------------------------------------------------------

/// The Benchmarks Game thread-ring: `tasks` tasks numbered 1..=tasks in a ring; task
/// 1 gets a token holding `hops`; a task that receives a token of 0 is the holder,
/// otherwise it passes the token minus one to the next task.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RingSpec {
    pub tasks: usize,
    pub hops: u64,
    pub threads: usize,
}

impl RingSpec {
    /// The Benchmarks Game's ring size.
    pub const DEFAULT_TASKS: usize = 503;

    pub fn new(tasks: usize, hops: u64) -> Self {
        Self {
            tasks,
            hops,
            threads: default_threads(),
        }
    }

    /// The id (1-based) of the task that must end up holding the token.
    pub fn expected_holder(&self) -> usize {
        // `hops % tasks` is below `tasks`, a usize.
        (self.hops % self.tasks as u64) as usize + 1
    }

    pub fn verify(&self, outcome: &RingOutcome) -> Result<(), VerifyError> {
        let want = self.expected_holder();
        check(outcome.holder == want, || {
            format!(
                "task {} holds the token after {} hops in a ring of {}; want task {want}",
                outcome.holder, self.hops, self.tasks
            )
        })
    }
}

/// The 1-based id of the task that received the token at 0.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct RingOutcome {
    pub holder: usize,
}

// --- 4. spawn -----------------------------------------------------------------

/// Spawn `n` tasks; each sleeps `sleep` and then reports; join them all. All `n` must
/// report. With every task alive at once, this measures what a task costs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpawnSpec {
    pub n: usize,
    pub sleep: Duration,
    pub threads: usize,
}

impl SpawnSpec {
    pub fn new(n: usize, sleep: Duration) -> Self {
        Self {
            n,
            sleep,
            threads: default_threads(),
        }
    }

    pub fn verify(&self, outcome: &Counted) -> Result<(), VerifyError> {
        check(outcome.count == self.n as u64, || {
            format!("{} of {} tasks reported", outcome.count, self.n)
        })
    }
}

// --- 5. fanout ----------------------------------------------------------------

/// A producer sends items `0..items` to `workers` workers; each worker runs
/// [`fanout_job`] on each item it receives; a collector sums the results (wrapping).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FanoutSpec {
    pub items: u64,
    pub workers: usize,
    pub threads: usize,
}

impl FanoutSpec {
    pub fn new(items: u64, workers: usize) -> Self {
        Self {
            items,
            workers,
            threads: default_threads(),
        }
    }

    /// The sum every model must reach, computed in O(items) without running the jobs
    /// (see [`fanout_job`]), so verifying costs nothing next to the work itself.
    pub fn expected_sum(&self) -> u64 {
        let (a, c) = lcg_jump(FANOUT_JOB_STEPS);
        (0..self.items).fold(0u64, |sum, item| {
            let mut seed = item;
            let x = splitmix64(&mut seed);
            sum.wrapping_add(a.wrapping_mul(x).wrapping_add(c))
        })
    }

    pub fn verify(&self, outcome: &FanoutOutcome) -> Result<(), VerifyError> {
        check(outcome.items == self.items, || {
            format!("{} of {} items collected", outcome.items, self.items)
        })?;
        let want = self.expected_sum();
        check(outcome.sum == want, || {
            format!(
                "sum {:#018x} over {} items; want {want:#018x}",
                outcome.sum, self.items
            )
        })
    }
}

/// The collector's result: how many items it summed, and the wrapping sum.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct FanoutOutcome {
    pub items: u64,
    pub sum: u64,
}

/// Steps of the linear congruential generator each fanout job runs: a few
/// microseconds of dependent multiply-adds that no compiler collapses.
pub const FANOUT_JOB_STEPS: u32 = 4096;
const LCG_A: u64 = 6_364_136_223_846_793_005; // Knuth's MMIX multiplier
const LCG_C: u64 = 1_442_695_040_888_963_407;

/// The fixed CPU job of the fanout workload: seed from the item, then step an LCG
/// [`FANOUT_JOB_STEPS`] times. Each step depends on the last, so the work cannot be
/// vectorised or skipped; the verifier jumps ahead in closed form instead.
pub fn fanout_job(item: u64) -> u64 {
    let mut seed = item;
    let mut x = splitmix64(&mut seed);
    // black_box keeps the step count opaque so the loop is not specialised away.
    for _ in 0..std::hint::black_box(FANOUT_JOB_STEPS) {
        x = x.wrapping_mul(LCG_A).wrapping_add(LCG_C);
    }
    x
}

/// The affine map `x -> a*x + c` equal to `steps` LCG steps (square and multiply).
fn lcg_jump(mut steps: u32) -> (u64, u64) {
    let (mut acc_a, mut acc_c) = (1u64, 0u64);
    let (mut a, mut c) = (LCG_A, LCG_C);
    while steps > 0 {
        if steps & 1 == 1 {
            acc_a = acc_a.wrapping_mul(a);
            acc_c = acc_c.wrapping_mul(a).wrapping_add(c);
        }
        c = c.wrapping_mul(a).wrapping_add(c);
        a = a.wrapping_mul(a);
        steps >>= 1;
    }
    (acc_a, acc_c)
}

/// Worker threads for the models that have them: the machine's parallelism.
pub fn default_threads() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::{FetchError, Page};

    #[test]
    fn fanout_jump_matches_running_the_jobs() {
        let spec = FanoutSpec::new(300, 4);
        let run = (0..300).fold(0u64, |s, i| s.wrapping_add(fanout_job(i)));
        assert_eq!(spec.expected_sum(), run);
        let wrong = FanoutOutcome {
            items: 300,
            sum: run ^ 1,
        };
        assert!(spec.verify(&wrong).is_err());
        assert!(
            spec.verify(&FanoutOutcome {
                items: 300,
                sum: run
            })
            .is_ok()
        );
        assert!(
            spec.verify(&FanoutOutcome {
                items: 299,
                sum: run
            })
            .is_err()
        );
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
        assert!(spawn.verify(&Counted { count: 5 }).is_ok());
        let err = spawn.verify(&Counted { count: 4 }).unwrap_err();
        assert_eq!(err.0, "4 of 5 tasks reported");
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
            err.contains("crawl, pingpong, ring, spawn, fanout"),
            "{err}"
        );
    }
}
