//! The cases of the suite, with their sizes and what each requires.
//!
//! Seed 0 gives the reference cases, the same every run, which the model crates'
//! tests and [`check`](super::check) use. Any other seed draws the sizes (within
//! small bounds, so a debug build on two cores still finishes in minutes), the
//! pages' indices (and so their bodies and digests), the fault mix and the order of
//! the paths from a generator seeded with it: a submission that hard-codes the
//! reference answers fails the next seed. The edge cases (one round, one page of
//! nothing, two tasks and one hop, one task that does not sleep) stay as they are
//! under every seed.

use std::net::SocketAddr;
use std::time::Duration;

use super::draw::{Pick, fault_paths};
use super::serving::ServerCase;
use crate::pages;
use crate::spec::{
    CancelSpec, CrawlSpec, Expect, FairnessSpec, FanoutSpec, PingPongSpec, RingSpec, SpawnSpec,
};

/// Per-request timeout in the fault matrix: long enough for the trickled page on a
/// loaded debug build, short enough that stalls cost little.
const FAULT_TIMEOUT: Duration = Duration::from_millis(1500);

/// The delay of every page in the concurrency crawl. Each request waits this long
/// at the server, so a model that opens its `concurrency` connections within half a
/// second, as any model does on a loaded debug build, has them all in flight at once.
const CONCURRENT_DELAY_MS: u64 = 500;

/// How long each task of the concurrency spawn sleeps: long enough that a model
/// that starts its tasks one after another still has them all alive at once.
const CONCURRENT_SLEEP_MS: u64 = 500;

/// One case: its name with its sizes, what it requires, and what it runs.
#[derive(Debug, PartialEq, Eq)]
pub(super) struct Case {
    pub name: String,
    pub expected: String,
    pub body: Body,
}

/// What a case runs. Equal specs ask the same; their probes are not compared.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Body {
    Crawl(CrawlSpec, Check),
    PingPong(PingPongSpec),
    Ring(RingSpec),
    Spawn(SpawnSpec),
    /// Spawn, checking first of all that all `n` tasks were alive at once.
    SpawnAlive(SpawnSpec),
    Fanout(FanoutSpec),
    Server(ServerCase),
    Fairness(FairnessSpec),
    Cancel(CancelSpec),
    /// Primitives named, `--threads` obeyed, against the server at this address.
    Threads(SocketAddr),
}

/// What a crawl case checks beyond verification.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Check {
    /// Verified outcome, and the server never saw more than `concurrency` at once.
    Verified,
    /// Every path failed to connect (nothing listens at the address).
    AllRefused,
    /// Verified, and the server saw exactly `min(concurrency, n)` in flight at once.
    InFlight,
}

/// Every case, in the order they run: `addr` is the delay server, `dead` an
/// address where nothing listens.
pub(super) fn cases(addr: SocketAddr, dead: SocketAddr, seed: u64) -> Vec<Case> {
    let mut pick = Pick::new(seed);
    // Where the drawn pages' indices start: other indices, other bodies, other digests.
    let base = pick.size(0, 0, 1_000_000);
    let mut out = vec![pingpong(pick.size(1000, 200, 3000))];

    let (n, bytes, c) = (
        pick.size(24, 8, 32),
        pick.count(5000, 0, 8000),
        pick.count(6, 2, 8),
    );
    let mut spec = pages_spec(addr, &mut pick, base, n, 20, bytes);
    spec.concurrency = c;
    let name = format!("crawl, {n} pages of {bytes} bytes, {c} in flight");
    out.push(crawl(name, spec, Check::Verified));

    let (n, bytes) = (pick.size(40, 10, 48), pick.count(100, 0, 400));
    let spec = pages_spec(addr, &mut pick, base, n, 50, bytes);
    // The reference name predates the body size in it.
    let name = if pick.drawn() {
        format!("crawl, {n} pages of {bytes} bytes, all in flight")
    } else {
        format!("crawl, {n} pages all in flight")
    };
    out.push(crawl(name, spec, Check::Verified));

    out.push(crawl(
        "crawl, 1 page of 0 bytes".into(),
        CrawlSpec::pages(addr, 1, 0, 0),
        Check::Verified,
    ));

    for reference in [usize::MAX, 3] {
        let paths = fault_paths(&mut pick, base);
        let all = paths.len();
        let concurrency = if reference == usize::MAX {
            all
        } else {
            pick.count(reference, 2, 5).min(all)
        };
        let faults = paths.iter().filter(|p| p.starts_with("/fault/")).count();
        let spec = CrawlSpec {
            addr,
            paths,
            concurrency,
            timeout: FAULT_TIMEOUT,
            threads: 2,
            probe: Default::default(),
            expect: Expect::digests(),
        };
        out.push(Case {
            name: format!("crawl fault matrix, {concurrency} in flight"),
            expected: format!(
                "{} typed, {} right, at most {concurrency} in flight",
                count(faults, "fault"),
                count(all - faults, "page")
            ),
            body: Body::Crawl(spec, Check::Verified),
        });
    }

    let n = pick.size(3, 1, 5);
    let mut refused = CrawlSpec::pages(dead, n, 0, 10);
    refused.timeout = FAULT_TIMEOUT;
    out.push(Case {
        name: "crawl, nothing listening".into(),
        expected: format!("a connect error for each of {}", count(n as usize, "path")),
        body: Body::Crawl(refused, Check::AllRefused),
    });

    let (n, c) = (pick.size(12, 8, 14), pick.count(6, 3, 6));
    let mut spec = pages_spec(addr, &mut pick, base, n, CONCURRENT_DELAY_MS, 100);
    spec.concurrency = c;
    let want = spec.in_flight();
    out.push(Case {
        name: format!("concurrency: crawl, {n} pages of {CONCURRENT_DELAY_MS} ms, {c} in flight"),
        expected: format!("the server sees {want} requests in flight at once"),
        body: Body::Crawl(spec, Check::InFlight),
    });

    out.push(pingpong(1));
    let shapes = [
        (pick.count(503, 100, 600), pick.size(2000, 500, 3000)),
        (2, 1),
        (pick.count(10, 3, 20), pick.size(1000, 100, 2000)),
    ];
    for (tasks, hops) in shapes {
        out.push(ring(
            format!("ring, {tasks} tasks, {hops} hops"),
            tasks,
            hops,
            None,
        ));
    }

    let shapes = [(pick.count(200, 50, 300), pick.size(300, 200, 400)), (1, 0)];
    for (n, ms) in shapes {
        out.push(Case {
            name: format!("spawn, {n} tasks sleeping {ms} ms"),
            expected: if n == 1 {
                "the one task reports, alive while it sleeps".into()
            } else {
                format!("{n} tasks report, all alive at once")
            },
            body: Body::Spawn(SpawnSpec::new(n, Duration::from_millis(ms))),
        });
    }
    let n = pick.count(100, 50, 150);
    out.push(Case {
        name: format!("concurrency: spawn, {n} tasks sleeping {CONCURRENT_SLEEP_MS} ms"),
        expected: format!("all {n} tasks alive at once"),
        body: Body::SpawnAlive(SpawnSpec::new(
            n,
            Duration::from_millis(CONCURRENT_SLEEP_MS),
        )),
    });

    let shapes = [
        (
            pick.size(400, 100, 600),
            pick.count(3, 2, 4),
            pick.size(32, 8, 64),
        ),
        (1, pick.count(4, 2, 6), pick.size(32, 1, 64)),
        (pick.size(50, 20, 80), 1, pick.size(32, 8, 64)),
        (pick.size(100, 50, 150), pick.count(2, 2, 3), 1),
    ];
    for (items, workers, batch) in shapes {
        let mut spec = FanoutSpec::new(items, workers);
        spec.batch = batch;
        out.push(Case {
            name: format!("fanout, {items} items, {workers} workers, batch {batch}"),
            expected: format!(
                "the sum of {}, in {} and {}",
                count(items as usize, "item"),
                count(spec.jobs() as usize, "job message"),
                count(workers, "result")
            ),
            body: Body::Fanout(spec),
        });
    }

    out.push(Case {
        name: "server, good and malformed requests, then the stop".into(),
        expected: "pages right, bad requests 4xx or closed, still serving, nothing left".into(),
        body: Body::Server(ServerCase::Hostile),
    });
    out.push(Case {
        name: "concurrency: server answers while a slow client trickles".into(),
        expected: "the second connection's page before the slow request is whole".into(),
        body: Body::Server(ServerCase::SlowClient),
    });
    let hog_ms = pick.size(20, 10, 30);
    for yield_every in [0, pick.size(500, 200, 800)] {
        let spec = FairnessSpec::new(Duration::from_millis(1), 2, hog_ms, yield_every);
        let how = if yield_every == 0 {
            "never yielding".to_owned()
        } else {
            format!("yielding every {yield_every} items")
        };
        out.push(Case {
            name: format!("concurrency: fairness, 2 hogs of {hog_ms} ms {how}"),
            expected: format!(
                "both hogs' sums, {} ticks, ticker and hogs together",
                spec.ticks
            ),
            body: Body::Fairness(spec),
        });
    }
    let n = pick.count(8, 4, 12);
    out.push(Case {
        name: format!("concurrency: cancel, {n} slow requests after 300 ms"),
        expected: format!("all {n} cancelled, all in flight, the server's connections closed"),
        body: Body::Cancel(CancelSpec::new(addr, n, 60_000, Duration::from_millis(300))),
    });

    // Models with worker threads must also work with exactly one.
    let (tasks, hops) = (pick.count(50, 20, 80), pick.size(500, 200, 800));
    let name = if pick.drawn() {
        format!("ring on 1 worker thread, {tasks} tasks, {hops} hops")
    } else {
        "ring on 1 worker thread".into()
    };
    out.push(ring(name, tasks, hops, Some(1)));
    out.push(Case {
        name: "names a primitive per workload, --threads where it applies".into(),
        expected: "a primitive named in every workload, --threads obeyed".into(),
        body: Body::Threads(addr),
    });
    out
}

/// `1 page`, `24 pages`.
fn count(n: usize, what: &str) -> String {
    let s = if n == 1 { "" } else { "s" };
    format!("{n} {what}{s}")
}

fn pingpong(rounds: u64) -> Case {
    let s = if rounds == 1 { "" } else { "s" };
    Case {
        name: format!("pingpong, {rounds} round{s}"),
        expected: format!("the counter back at {rounds}"),
        body: Body::PingPong(PingPongSpec::new(rounds)),
    }
}

fn ring(name: String, tasks: usize, hops: u64, threads: Option<usize>) -> Case {
    let mut spec = RingSpec::new(tasks, hops);
    if let Some(threads) = threads {
        spec.threads = threads;
    }
    Case {
        name,
        expected: format!("the token ends at task {}", spec.expected_holder()),
        body: Body::Ring(spec),
    }
}

fn crawl(name: String, spec: CrawlSpec, check: Check) -> Case {
    let expected = format!(
        "{} right, at most {} in flight",
        count(spec.paths.len(), "page"),
        spec.in_flight()
    );
    Case {
        name,
        expected,
        body: Body::Crawl(spec, check),
    }
}

/// `n` good pages from index `base` on, in the drawn order, all in flight unless
/// the caller says otherwise.
fn pages_spec(
    addr: SocketAddr,
    pick: &mut Pick,
    base: u64,
    n: u64,
    delay_ms: u64,
    bytes: usize,
) -> CrawlSpec {
    let mut spec = CrawlSpec::pages(addr, n, delay_ms, bytes);
    spec.paths = (base..base + n)
        .map(|i| pages::page_path(i, delay_ms, bytes))
        .collect();
    pick.shuffle(&mut spec.paths);
    spec
}

#[cfg(test)]
mod tests {
    use super::*;

    fn addr() -> SocketAddr {
        SocketAddr::from(([127, 0, 0, 1], 9))
    }

    fn names(seed: u64) -> Vec<String> {
        cases(addr(), addr(), seed)
            .into_iter()
            .map(|c| c.name)
            .collect()
    }

    #[test]
    fn seed_0_is_the_reference_set() {
        let reference = [
            "pingpong, 1000 rounds",
            "crawl, 24 pages of 5000 bytes, 6 in flight",
            "crawl, 40 pages all in flight",
            "crawl, 1 page of 0 bytes",
            "crawl fault matrix, 16 in flight",
            "crawl fault matrix, 3 in flight",
            "crawl, nothing listening",
            "concurrency: crawl, 12 pages of 500 ms, 6 in flight",
            "pingpong, 1 round",
            "ring, 503 tasks, 2000 hops",
            "ring, 2 tasks, 1 hops",
            "ring, 10 tasks, 1000 hops",
            "spawn, 200 tasks sleeping 300 ms",
            "spawn, 1 tasks sleeping 0 ms",
            "concurrency: spawn, 100 tasks sleeping 500 ms",
            "fanout, 400 items, 3 workers, batch 32",
            "fanout, 1 items, 4 workers, batch 32",
            "fanout, 50 items, 1 workers, batch 32",
            "fanout, 100 items, 2 workers, batch 1",
            "server, good and malformed requests, then the stop",
            "concurrency: server answers while a slow client trickles",
            "concurrency: fairness, 2 hogs of 20 ms never yielding",
            "concurrency: fairness, 2 hogs of 20 ms yielding every 500 items",
            "concurrency: cancel, 8 slow requests after 300 ms",
            "ring on 1 worker thread",
            "names a primitive per workload, --threads where it applies",
        ];
        assert_eq!(names(0), reference);
        let matrix = cases(addr(), addr(), 0).swap_remove(4);
        let Body::Crawl(spec, _) = matrix.body else {
            panic!("case 4 is the fault matrix")
        };
        assert_eq!(
            spec.paths[..2],
            ["/page/0?delay_ms=10&bytes=700", "/fault/reset/0"]
        );
        assert_eq!(spec.paths[15], "/page/99?delay_ms=0&bytes=10");
    }

    #[test]
    fn seeds_draw_other_cases_and_the_same_seed_the_same() {
        let drawn = |seed| cases(addr(), addr(), seed);
        assert!(drawn(7) == drawn(7), "a seed always draws the same cases");
        assert!(drawn(0) == drawn(0), "and so does the reference");
        assert_ne!(names(1), names(2), "two seeds, two sets of sizes");
        assert_ne!(names(1), names(0));
        // Every seed keeps the suite's shape: the same cases, in the same order.
        for seed in 1..50 {
            let drawn = cases(addr(), addr(), seed);
            assert_eq!(drawn.len(), 26, "seed {seed}");
            for case in &drawn {
                if let Body::Crawl(spec, _) = &case.body {
                    assert!(!spec.paths.is_empty(), "seed {seed}: {}", case.name);
                    for path in &spec.paths {
                        assert!(
                            spec.addr == addr() && pages::expected(path).is_some(),
                            "seed {seed}: {path} is not a path the server knows"
                        );
                    }
                }
            }
        }
    }
}
