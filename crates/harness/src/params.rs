//! Workload parameters as the command line names them, their defaults, their
//! bounds, and the specs they build.
//!
//! `run`, `compare`, `--sweep` and the benches all go through [`Params`], so a flag
//! means the same thing everywhere, a flag a workload does not take is an error, and
//! a report's `params` column lists exactly what the models were given.

use std::collections::BTreeMap;
use std::fmt;
use std::net::SocketAddr;
use std::str::FromStr;
use std::time::Duration;

use crate::load::LoadConfig;
use crate::spec::{
    CancelSpec, CrawlSpec, FairnessSpec, FanoutSpec, PingPongSpec, RingSpec, ServerSpec, SpawnSpec,
    Workload, default_threads,
};

/// One workload parameter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Param {
    N,
    DelayMs,
    Concurrency,
    TimeoutMs,
    BodyBytes,
    Rounds,
    Tasks,
    Hops,
    SleepMs,
    Items,
    Workers,
    Batch,
    Rate,
    DurationMs,
    Connections,
    TickMs,
    Hogs,
    HogMs,
    YieldEvery,
    AfterMs,
    Threads,
}

impl Param {
    pub const ALL: [Param; 21] = [
        Param::N,
        Param::DelayMs,
        Param::Concurrency,
        Param::TimeoutMs,
        Param::BodyBytes,
        Param::Rounds,
        Param::Tasks,
        Param::Hops,
        Param::SleepMs,
        Param::Items,
        Param::Workers,
        Param::Batch,
        Param::Rate,
        Param::DurationMs,
        Param::Connections,
        Param::TickMs,
        Param::Hogs,
        Param::HogMs,
        Param::YieldEvery,
        Param::AfterMs,
        Param::Threads,
    ];

    /// The spec field's name, as in reports and `--sweep name=...`.
    pub fn name(self) -> &'static str {
        match self {
            Param::N => "n",
            Param::DelayMs => "delay_ms",
            Param::Concurrency => "concurrency",
            Param::TimeoutMs => "timeout_ms",
            Param::BodyBytes => "body_bytes",
            Param::Rounds => "rounds",
            Param::Tasks => "tasks",
            Param::Hops => "hops",
            Param::SleepMs => "sleep_ms",
            Param::Items => "items",
            Param::Workers => "workers",
            Param::Batch => "batch",
            Param::Rate => "rate",
            Param::DurationMs => "duration_ms",
            Param::Connections => "connections",
            Param::TickMs => "tick_ms",
            Param::Hogs => "hogs",
            Param::HogMs => "hog_ms",
            Param::YieldEvery => "yield_every",
            Param::AfterMs => "after_ms",
            Param::Threads => "threads",
        }
    }

    /// The command-line flag: `--delay-ms`.
    pub fn flag(self) -> String {
        format!("--{}", self.name().replace('_', "-"))
    }

    /// The accepted range, inclusive. Zero sizes and sizes no machine can hold are
    /// rejected up front with one line, not discovered as a crash mid-run.
    pub fn range(self) -> (u64, u64) {
        match self {
            Param::N => (1, 10_000_000),
            Param::DelayMs => (0, 600_000),
            Param::Concurrency => (1, 1_000_000),
            Param::TimeoutMs => (1, 3_600_000),
            Param::BodyBytes => (0, 64 << 20),
            Param::Rounds => (1, 1_000_000_000_000),
            Param::Tasks => (2, 10_000_000),
            Param::Hops => (1, 1_000_000_000_000),
            Param::SleepMs => (0, 600_000),
            Param::Items => (1, 1_000_000_000_000),
            Param::Workers => (1, 100_000),
            Param::Batch => (1, 1_000_000_000),
            Param::Rate => (1, 1_000_000),
            Param::DurationMs => (10, 600_000),
            Param::Connections => (1, 1_000_000),
            Param::TickMs => (1, 10_000),
            Param::Hogs => (0, 10_000),
            Param::HogMs => (1, 600_000),
            Param::YieldEvery => (0, 1_000_000_000),
            Param::AfterMs => (0, 600_000),
            Param::Threads => (1, 4096),
        }
    }
}

impl fmt::Display for Param {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Param {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim_start_matches("--").replace('-', "_");
        Param::ALL
            .into_iter()
            .find(|p| p.name() == s)
            .ok_or_else(|| {
                let known: Vec<_> = Param::ALL.iter().map(|p| p.name()).collect();
                format!("unknown parameter '{s}'; known: {}", known.join(", "))
            })
    }
}

impl Workload {
    /// The parameters this workload takes, in the order reports show them.
    pub fn params(self) -> &'static [Param] {
        use Param::*;
        match self {
            Workload::Crawl => &[N, DelayMs, Concurrency, TimeoutMs, BodyBytes, Threads],
            Workload::PingPong => &[Rounds, Threads],
            Workload::Ring => &[Tasks, Hops, Threads],
            Workload::Spawn => &[N, SleepMs, Threads],
            Workload::Fanout => &[Items, Workers, Batch, Threads],
            Workload::Server => &[
                Rate,
                DurationMs,
                Connections,
                DelayMs,
                BodyBytes,
                TimeoutMs,
                Threads,
            ],
            Workload::Fairness => &[TickMs, Hogs, HogMs, YieldEvery, Threads],
            Workload::Cancel => &[N, DelayMs, AfterMs, Threads],
        }
    }

    /// The size parameter an operation count comes from (`ns per <op>`).
    pub fn ops_param(self) -> Param {
        match self {
            Workload::Crawl | Workload::Spawn => Param::N,
            Workload::PingPong => Param::Rounds,
            Workload::Ring => Param::Hops,
            Workload::Fanout => Param::Items,
            // Per request: the figures divide by the requests on the schedule,
            // which the report reads as rate × duration (`ops`).
            Workload::Server => Param::Rate,
            Workload::Fairness => Param::TickMs,
            Workload::Cancel => Param::N,
        }
    }

    /// Operations in one run at `params`: what per-operation figures divide by.
    pub fn ops(self, params: &Params) -> u64 {
        match self {
            Workload::Server => params
                .load_config("127.0.0.1:1".parse().expect("an address"))
                .scheduled(),
            Workload::Fairness => params.fairness().ticks,
            w => params.get(w, w.ops_param()),
        }
    }
}

/// The parameters given on the command line (or by a sweep); the rest take defaults.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Params {
    given: BTreeMap<Param, u64>,
    /// A crawl of `--urls`: the server's own delay and bodies, so no `delay_ms` or
    /// `body_bytes` (set by [`Params::for_urls`]).
    urls: bool,
}

impl Params {
    /// No parameter given: every workload at its quick default size.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets `param`, rejecting values outside its range with a line naming the flag.
    pub fn set(&mut self, param: Param, value: u64) -> Result<(), String> {
        let (lo, hi) = param.range();
        if !(lo..=hi).contains(&value) {
            return Err(format!(
                "{} must be between {lo} and {hi}, got {value}",
                param.flag()
            ));
        }
        self.given.insert(param, value);
        Ok(())
    }

    /// The parameters that were given explicitly.
    pub fn given(&self) -> impl Iterator<Item = (Param, u64)> + '_ {
        self.given.iter().map(|(p, v)| (*p, *v))
    }

    /// An error naming the first given flag that `workload` does not take.
    pub fn check_for(&self, workload: Workload) -> Result<(), String> {
        let takes = workload.params();
        match self.given.keys().find(|p| !takes.contains(p)) {
            None => Ok(()),
            Some(p) => {
                let flags: Vec<_> = takes.iter().map(|p| p.flag()).collect();
                Err(format!(
                    "{} does not apply to workload {workload} (it takes {})",
                    p.flag(),
                    flags.join(", ")
                ))
            }
        }
    }

    /// The value of `param` for `workload`: given, or the default.
    pub fn get(&self, workload: Workload, param: Param) -> u64 {
        if let Some(v) = self.given.get(&param) {
            return *v;
        }
        match param {
            Param::N if workload == Workload::Spawn => 10_000,
            Param::N if workload == Workload::Cancel => 100,
            Param::N => 50,
            // A page the server workload's models answer after 10 ms: long enough
            // that a thread per connection is mostly asleep, short enough that a
            // quick run sees thousands of requests.
            Param::DelayMs if workload == Workload::Server => 10,
            // Far longer than any cancel run: a page that arrives was not cancelled.
            Param::DelayMs if workload == Workload::Cancel => 60_000,
            Param::DelayMs => 50,
            Param::Concurrency => self.get(workload, Param::N),
            Param::TimeoutMs => self
                .get(workload, Param::DelayMs)
                .saturating_mul(10)
                .max(5_000),
            Param::BodyBytes => crate::pages::DEFAULT_BODY_BYTES as u64,
            Param::Rounds => 100_000,
            Param::Tasks => RingSpec::DEFAULT_TASKS as u64,
            Param::Hops => 100_000,
            // Long enough that even 10,000 OS threads, started at about 60 µs
            // each on a 2-core machine, are all alive before the first wakes.
            Param::SleepMs => 1000,
            Param::Items => 10_000,
            Param::Batch => FanoutSpec::DEFAULT_BATCH,
            Param::Rate => 1_000,
            Param::DurationMs => 2_000,
            Param::Connections => 50,
            Param::TickMs => 1,
            Param::Hogs => 2,
            Param::HogMs => 50,
            Param::YieldEvery => 0,
            Param::AfterMs => 200,
            Param::Workers | Param::Threads => default_threads() as u64,
        }
    }

    /// Every parameter `workload` takes, resolved: what a report records. A crawl
    /// of URLs has no delay or body size of ours to record.
    pub fn resolved(&self, workload: Workload) -> BTreeMap<String, u64> {
        workload
            .params()
            .iter()
            .filter(|p| !(self.urls && matches!(p, Param::DelayMs | Param::BodyBytes)))
            .map(|p| (p.name().to_owned(), self.get(workload, *p)))
            .collect()
    }

    /// Makes these the parameters of a crawl of `count` URLs from `source` (the
    /// `--urls` file, in words), on a server whose delays and bodies are its own:
    /// `--n` becomes the count, and must be the count if given; `--delay-ms` and
    /// `--body-bytes`, which only the page protocol can ask a server for, are
    /// errors, and reports leave them out.
    pub fn for_urls(&mut self, count: usize, source: &str) -> Result<(), String> {
        for p in [Param::DelayMs, Param::BodyBytes] {
            if self.given.contains_key(&p) {
                return Err(format!(
                    "{} does not apply to a crawl of --urls: the server's delays and \
                     bodies are its own",
                    p.flag()
                ));
            }
        }
        let count = u64::try_from(count).unwrap_or(u64::MAX);
        match self.given.get(&Param::N) {
            Some(n) if *n != count => Err(format!(
                "--n {n} does not match the {count} URLs in {source}; a crawl of --urls \
                 fetches every URL once (leave --n out)"
            )),
            _ => {
                self.set(Param::N, count)
                    .map_err(|e| format!("{source} holds too many URLs: {e}"))?;
                self.urls = true;
                Ok(())
            }
        }
    }

    fn usize(&self, workload: Workload, param: Param) -> usize {
        // Every range above fits in usize on the 64-bit targets we build for.
        usize::try_from(self.get(workload, param)).unwrap_or(usize::MAX)
    }

    /// The crawl spec against the delay server at `addr`.
    pub fn crawl(&self, addr: SocketAddr) -> CrawlSpec {
        let w = Workload::Crawl;
        let mut spec = CrawlSpec::pages(
            addr,
            self.get(w, Param::N),
            self.get(w, Param::DelayMs),
            self.usize(w, Param::BodyBytes),
        );
        spec.concurrency = self.usize(w, Param::Concurrency).min(spec.paths.len());
        spec.timeout = Duration::from_millis(self.get(w, Param::TimeoutMs));
        spec.threads = self.usize(w, Param::Threads);
        spec
    }

    pub fn pingpong(&self) -> PingPongSpec {
        let w = Workload::PingPong;
        PingPongSpec {
            threads: self.usize(w, Param::Threads),
            ..PingPongSpec::new(self.get(w, Param::Rounds))
        }
    }

    pub fn ring(&self) -> RingSpec {
        let w = Workload::Ring;
        RingSpec {
            threads: self.usize(w, Param::Threads),
            ..RingSpec::new(self.usize(w, Param::Tasks), self.get(w, Param::Hops))
        }
    }

    pub fn spawn(&self) -> SpawnSpec {
        let w = Workload::Spawn;
        SpawnSpec {
            threads: self.usize(w, Param::Threads),
            ..SpawnSpec::new(
                self.usize(w, Param::N),
                Duration::from_millis(self.get(w, Param::SleepMs)),
            )
        }
    }

    /// The load generator's configuration against the server at `addr`.
    pub fn load_config(&self, addr: SocketAddr) -> LoadConfig {
        let w = Workload::Server;
        LoadConfig {
            addr,
            rate: self.get(w, Param::Rate),
            duration_ms: self.get(w, Param::DurationMs),
            connections: self.usize(w, Param::Connections),
            delay_ms: self.get(w, Param::DelayMs),
            body_bytes: self.usize(w, Param::BodyBytes),
            timeout_ms: self.get(w, Param::TimeoutMs),
        }
    }

    /// The server spec, with its listener bound; the load is [`Self::load_config`].
    pub fn server(&self) -> std::io::Result<ServerSpec> {
        let w = Workload::Server;
        let mut spec = ServerSpec::bind(self.usize(w, Param::Connections))?;
        spec.threads = self.usize(w, Param::Threads);
        Ok(spec)
    }

    pub fn fairness(&self) -> FairnessSpec {
        let w = Workload::Fairness;
        FairnessSpec {
            threads: self.usize(w, Param::Threads),
            ..FairnessSpec::new(
                Duration::from_millis(self.get(w, Param::TickMs)),
                self.usize(w, Param::Hogs),
                self.get(w, Param::HogMs),
                self.get(w, Param::YieldEvery),
            )
        }
    }

    /// The cancel spec against the delay server at `addr`.
    pub fn cancel(&self, addr: SocketAddr) -> CancelSpec {
        let w = Workload::Cancel;
        let mut spec = CancelSpec::new(
            addr,
            self.usize(w, Param::N),
            self.get(w, Param::DelayMs),
            Duration::from_millis(self.get(w, Param::AfterMs)),
        );
        spec.threads = self.usize(w, Param::Threads);
        spec
    }

    /// Combinations of values that are each in range but cannot run together: one
    /// line naming the flags, before anything starts.
    pub fn check_combination(&self, workload: Workload) -> Result<(), String> {
        match workload {
            Workload::Server => {
                let c = self.load_config("127.0.0.1:1".parse().expect("an address"));
                if c.scheduled() < c.connections as u64 {
                    return Err(format!(
                        "--connections {} needs at least one request per connection: \
                         --rate {} for --duration-ms {} schedules only {}; raise the \
                         rate or the duration",
                        c.connections,
                        c.rate,
                        c.duration_ms,
                        c.scheduled()
                    ));
                }
                Ok(())
            }
            Workload::Cancel => {
                let (delay, after) = (
                    self.get(workload, Param::DelayMs),
                    self.get(workload, Param::AfterMs),
                );
                if delay < after.saturating_mul(2).saturating_add(1_000) {
                    return Err(format!(
                        "--delay-ms {delay} must be well above --after-ms {after} (at \
                         least twice it plus a second): a page that arrives before the \
                         cancel was never cancelled"
                    ));
                }
                Ok(())
            }
            _ => Ok(()),
        }
    }

    pub fn fanout(&self) -> FanoutSpec {
        let w = Workload::Fanout;
        FanoutSpec {
            batch: self.get(w, Param::Batch),
            threads: self.usize(w, Param::Threads),
            ..FanoutSpec::new(self.get(w, Param::Items), self.usize(w, Param::Workers))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn out_of_range_values_name_the_flag() {
        let mut p = Params::new();
        let err = p.set(Param::N, 0).unwrap_err();
        assert_eq!(err, "--n must be between 1 and 10000000, got 0");
        assert!(p.set(Param::DelayMs, 0).is_ok());
        assert!(p.set(Param::Tasks, 1).unwrap_err().starts_with("--tasks"));
    }

    #[test]
    fn flags_a_workload_does_not_take_are_errors() {
        let mut p = Params::new();
        p.set(Param::Rounds, 10).unwrap();
        assert!(p.check_for(Workload::PingPong).is_ok());
        let err = p.check_for(Workload::Crawl).unwrap_err();
        assert!(
            err.starts_with("--rounds does not apply to workload crawl (it takes --n,"),
            "{err}"
        );
        p = Params::new();
        p.set(Param::Threads, 2).unwrap();
        for w in Workload::ALL {
            assert!(p.check_for(w).is_ok(), "{w} takes --threads");
        }
    }

    #[test]
    fn defaults_and_derived_values() {
        let mut p = Params::new();
        p.set(Param::N, 40).unwrap();
        p.set(Param::DelayMs, 1000).unwrap();
        assert_eq!(p.get(Workload::Crawl, Param::Concurrency), 40);
        assert_eq!(p.get(Workload::Crawl, Param::TimeoutMs), 10_000);
        let spec = p.crawl("127.0.0.1:9".parse().unwrap());
        assert_eq!(spec.paths.len(), 40);
        assert_eq!(spec.paths[3], "/page/3?delay_ms=1000&bytes=1024");
        p.set(Param::Concurrency, 1000).unwrap();
        // More in flight than there are paths is the same as all of them.
        assert_eq!(p.crawl("127.0.0.1:9".parse().unwrap()).concurrency, 40);
        let keys: Vec<_> = p.resolved(Workload::Ring).into_keys().collect();
        assert_eq!(keys, ["hops", "tasks", "threads"]);
    }

    #[test]
    fn a_crawl_of_urls_takes_its_size_from_the_file() {
        let mut p = Params::new();
        p.for_urls(4, "urls.txt").unwrap();
        assert_eq!(p.get(Workload::Crawl, Param::N), 4);
        let keys: Vec<_> = p.resolved(Workload::Crawl).into_keys().collect();
        assert_eq!(keys, ["concurrency", "n", "threads", "timeout_ms"]);
        // Given again (as compare passes it to its children), the same count is fine.
        assert!(p.clone().for_urls(4, "urls.txt").is_ok());
        let err = p.for_urls(5, "urls.txt").unwrap_err();
        assert!(
            err.starts_with("--n 4 does not match the 5 URLs in urls.txt"),
            "{err}"
        );
        let mut p = Params::new();
        p.set(Param::DelayMs, 10).unwrap();
        let err = p.for_urls(1, "urls.txt").unwrap_err();
        assert!(
            err.starts_with("--delay-ms does not apply to a crawl of --urls"),
            "{err}"
        );
    }

    #[test]
    fn names_parse_with_dashes_or_underscores() {
        assert_eq!("delay-ms".parse::<Param>(), Ok(Param::DelayMs));
        assert_eq!("--sleep_ms".parse::<Param>(), Ok(Param::SleepMs));
        assert!("size".parse::<Param>().is_err());
    }
}
