//! The conformance suite: what every model must get right, at sizes small enough
//! for a debug build on a 2-core CI machine.
//!
//! A model crate's whole test is one line:
//!
//! ```text
//! #[test]
//! fn conformance() {
//!     harness::conformance::check(&my_crate::MyModel);
//! }
//! ```
//!
//! [`check`] runs every workload at several small shapes and verifies each outcome,
//! then the crawl fault matrix: every fault path of the delay server mixed with good
//! pages, plus an address where nothing listens. Each failed path must carry its
//! typed error, every good path must still come back, the server must never see more
//! requests in flight than the spec allows, and nothing may panic, hang past its
//! deadline, or leave a thread behind. Assignments are graded by the same call.

use std::net::{SocketAddr, TcpListener};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use crate::http::FetchErrorKind;
use crate::limits;
use crate::model::{Model, panic_message};
use crate::pages::{self, Fault};
use crate::params::{Param, Params};
use crate::server::{self, ServerConfig, ServerHandle};
use crate::spec::{CrawlSpec, FanoutSpec, PingPongSpec, RingSpec, SpawnSpec, Workload};

/// The longest one case may take before it counts as hung.
const CASE_DEADLINE: Duration = Duration::from_secs(60);
/// Per-request timeout in the fault matrix: long enough for the trickled page on a
/// loaded debug build, short enough that stalls cost little.
const FAULT_TIMEOUT: Duration = Duration::from_millis(1500);

/// What happened to one case.
#[derive(Debug, Clone)]
pub struct Finding {
    pub case: String,
    pub result: Result<(), String>,
}

/// Runs the suite against `model` and panics with every failure listed, if any.
pub fn check(model: &dyn Model) {
    let findings = run(model);
    let failed: Vec<_> = findings.iter().filter(|f| f.result.is_err()).collect();
    if !failed.is_empty() {
        let mut msg = format!(
            "model '{}' failed {} of {} conformance cases:",
            model.name(),
            failed.len(),
            findings.len()
        );
        for f in failed {
            if let Err(e) = &f.result {
                msg.push_str(&format!("\n  - {}: {e}", f.case));
            }
        }
        panic!("{msg}");
    }
}

/// Runs every case against `model` and returns one finding per case.
pub fn run(model: &dyn Model) -> Vec<Finding> {
    let server = server::spawn(ServerConfig::default()).expect("start the delay server");
    let mut findings = Vec::new();
    let mut baseline_threads = None;
    for case in cases(&server) {
        let result = run_case(model, &server, &case);
        // The first case also starts whatever process-wide runtime a model keeps
        // (may's scheduler threads live as long as the process); every later case
        // must leave the thread count where the first left it.
        let result = result.and_then(|()| match (baseline_threads, settled_thread_count()) {
            (None, now) => {
                baseline_threads = now;
                Ok(())
            }
            (Some(before), Some(after)) if after > before => Err(format!(
                "{} thread(s) still running after the run ended",
                after - before
            )),
            _ => Ok(()),
        });
        findings.push(Finding {
            case: case.name,
            result,
        });
    }
    findings
}

/// The thread count once threads that are on their way out have gone.
fn settled_thread_count() -> Option<usize> {
    let start = Instant::now();
    let mut last = limits::thread_count()?;
    // Joined threads leave /proc/self/task promptly, but detached runtime threads
    // (a dropped tokio runtime's blocking pool) may take a moment: wait for quiet.
    while start.elapsed() < Duration::from_secs(2) {
        thread::sleep(Duration::from_millis(20));
        let now = limits::thread_count()?;
        if now == last {
            return Some(now);
        }
        last = now;
    }
    Some(last)
}

struct Case {
    name: String,
    body: Body,
}

enum Body {
    Crawl(CrawlSpec, Check),
    PingPong(PingPongSpec),
    Ring(RingSpec),
    Spawn(SpawnSpec),
    Fanout(FanoutSpec),
    Threads(SocketAddr),
}

/// What a crawl case checks beyond verification.
#[derive(Clone, Copy)]
enum Check {
    /// Verified outcome, and the server never saw more than `concurrency` at once.
    Verified,
    /// Every path failed to connect (nothing listens at the address).
    AllRefused,
}

fn crawl_case(name: &str, spec: CrawlSpec, check: Check) -> Case {
    Case {
        name: name.into(),
        body: Body::Crawl(spec, check),
    }
}

fn cases(server: &ServerHandle) -> Vec<Case> {
    let addr = server.addr();
    let mut out = vec![Case {
        name: "pingpong, 1000 rounds".into(),
        body: Body::PingPong(PingPongSpec::new(1000)),
    }];
    let mut pages = CrawlSpec::pages(addr, 24, 20, 5000);
    pages.concurrency = 6;
    out.push(crawl_case(
        "crawl, 24 pages of 5000 bytes, 6 in flight",
        pages,
        Check::Verified,
    ));
    out.push(crawl_case(
        "crawl, 40 pages all in flight",
        CrawlSpec::pages(addr, 40, 50, 100),
        Check::Verified,
    ));
    out.push(crawl_case(
        "crawl, 1 page of 0 bytes",
        CrawlSpec::pages(addr, 1, 0, 0),
        Check::Verified,
    ));
    for concurrency in [usize::MAX, 3] {
        let mut paths = Vec::new();
        for (k, fault) in Fault::ALL.into_iter().enumerate() {
            paths.push(pages::page_path(k as u64, 10, 700));
            paths.push(fault.path(k as u64));
        }
        paths.push(Fault::Status(404).path(99));
        paths.push(pages::page_path(99, 0, 10));
        let concurrency = concurrency.min(paths.len());
        let spec = CrawlSpec {
            addr,
            paths,
            concurrency,
            timeout: FAULT_TIMEOUT,
            threads: 2,
            probe: Default::default(),
            expect: crate::spec::Expect::digests(),
        };
        out.push(crawl_case(
            &format!("crawl fault matrix, {concurrency} in flight"),
            spec,
            Check::Verified,
        ));
    }
    let mut refused = CrawlSpec::pages(dead_address(), 3, 0, 10);
    refused.timeout = FAULT_TIMEOUT;
    out.push(crawl_case(
        "crawl, nothing listening",
        refused,
        Check::AllRefused,
    ));
    out.push(Case {
        name: "pingpong, 1 round".into(),
        body: Body::PingPong(PingPongSpec::new(1)),
    });
    for (tasks, hops) in [(503, 2000), (2, 1), (10, 1000)] {
        out.push(Case {
            name: format!("ring, {tasks} tasks, {hops} hops"),
            body: Body::Ring(RingSpec::new(tasks, hops)),
        });
    }
    for (n, ms) in [(200, 300), (1, 0)] {
        out.push(Case {
            name: format!("spawn, {n} tasks sleeping {ms} ms"),
            body: Body::Spawn(SpawnSpec::new(n, Duration::from_millis(ms))),
        });
    }
    for (items, workers, batch) in [(400, 3, 32), (1, 4, 32), (50, 1, 32), (100, 2, 1)] {
        let mut spec = FanoutSpec::new(items, workers);
        spec.batch = batch;
        out.push(Case {
            name: format!("fanout, {items} items, {workers} workers, batch {batch}"),
            body: Body::Fanout(spec),
        });
    }
    // Models with worker threads must also work with exactly one.
    let mut one = RingSpec::new(50, 500);
    one.threads = 1;
    out.push(Case {
        name: "ring on 1 worker thread".into(),
        body: Body::Ring(one),
    });
    out.push(Case {
        name: "names a primitive per workload, --threads where it applies".into(),
        body: Body::Threads(addr),
    });
    out
}

/// The OS threads a model ran `workload` on with `threads` workers, as its probe
/// saw them.
fn threads_used(
    model: &dyn Model,
    workload: Workload,
    threads: usize,
    addr: SocketAddr,
) -> Result<usize, String> {
    // Threads the last run joined may still be listed for a moment on a loaded
    // machine; the count must start from a quiet process.
    let _ = settled_thread_count();
    // A small run of the workload, as `run --threads` would make it.
    let sizes: &[(Param, u64)] = match workload {
        Workload::Crawl => &[(Param::N, 4), (Param::DelayMs, 0), (Param::BodyBytes, 10)],
        Workload::PingPong => &[(Param::Rounds, 10)],
        Workload::Ring => &[(Param::Tasks, 10), (Param::Hops, 10)],
        // Long enough that all 10 are alive at once, as the spawn rules require.
        Workload::Spawn => &[(Param::N, 10), (Param::SleepMs, 100)],
        Workload::Fanout => &[(Param::Items, 10), (Param::Workers, 2)],
    };
    let mut params = Params::new();
    for &(param, value) in sizes.iter().chain(&[(Param::Threads, threads as u64)]) {
        params.set(param, value)?;
    }
    let report = crate::cell::execute(model, workload, &params, addr);
    if let Some(e) = report.error {
        return Err(format!("{workload} with --threads {threads}: {e}"));
    }
    report
        .phases
        .and_then(|p| p.os_threads)
        .ok_or_else(|| format!("{workload}: no thread count from the probe"))
}

/// Every workload names its primitive, and `--threads` changes the threads a
/// model starts in every workload where the model says it uses them.
fn check_threads_and_primitives(model: &dyn Model, addr: SocketAddr) -> Result<(), String> {
    for w in Workload::ALL {
        if model.primitive(w).trim().is_empty() {
            return Err(format!("{w}: no primitive named"));
        }
        if model.threads_in(w) && !model.threads_fixed_per_process() {
            let (one, three) = (
                threads_used(model, w, 1, addr)?,
                threads_used(model, w, 3, addr)?,
            );
            if three <= one {
                return Err(format!(
                    "{w}: says it uses --threads, but ran on {one} OS thread(s) with \
                     --threads 1 and {three} with --threads 3"
                ));
            }
        }
    }
    Ok(())
}

/// The measured phase a model marked, or why a figure from it would be wrong.
fn marked(probe: &crate::probe::Probe) -> Result<(), String> {
    probe.phases().map(|_| ()).ok_or_else(|| {
        "the model did not mark its measured phase (spec.probe.begin() once its \
         runtime is up, spec.probe.end() before teardown)"
            .to_owned()
    })
}

/// An address on this machine where nothing listens: bind a port, then free it.
fn dead_address() -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind a probe port");
    let addr = listener.local_addr().expect("probe port address");
    drop(listener);
    addr
}

/// Runs one case on its own thread with a deadline, catching panics.
fn run_case(model: &dyn Model, server: &ServerHandle, case: &Case) -> Result<(), String> {
    server.stats().reset();
    let (done, wait) = mpsc::channel();
    let started = Instant::now();
    thread::scope(|s| {
        let worker = thread::Builder::new()
            .name(format!("conformance-{}", model.name()))
            .spawn_scoped(s, || {
                // Owned here so a panic drops it and the wait below ends at once.
                let done = done;
                let result = execute(model, server, &case.body);
                // The receiver is gone only if the deadline passed; nothing to tell.
                let _ = done.send(());
                result
            })
            .map_err(|e| format!("could not start the case thread: {e}"))?;
        match wait.recv_timeout(CASE_DEADLINE) {
            Ok(()) | Err(mpsc::RecvTimeoutError::Disconnected) => {}
            Err(mpsc::RecvTimeoutError::Timeout) => {
                // A hung model cannot be stopped from outside; fail loudly instead of
                // letting the scope wait forever.
                panic!(
                    "model '{}' hung: case '{}' still running after {CASE_DEADLINE:?}",
                    model.name(),
                    case.name
                );
            }
        }
        match worker.join() {
            Ok(result) => result,
            Err(panic) => Err(format!("panicked: {}", panic_message(&*panic))),
        }
    })
    .map_err(|e| format!("{e} (after {:.2?})", started.elapsed()))
}

fn execute(model: &dyn Model, server: &ServerHandle, body: &Body) -> Result<(), String> {
    let err = |e: &dyn std::fmt::Display| e.to_string();
    match body {
        Body::Crawl(spec, check) => {
            let started = Instant::now();
            let outcome = model.crawl(spec).map_err(|e| err(&e))?;
            let elapsed = started.elapsed();
            match check {
                Check::Verified => {
                    spec.verify(&outcome).map_err(|e| err(&e))?;
                    let peak = server.stats().peak_in_flight();
                    if peak > spec.concurrency {
                        return Err(format!(
                            "the server saw {peak} requests in flight; the limit was {}",
                            spec.concurrency
                        ));
                    }
                }
                Check::AllRefused => {
                    if outcome.results.len() != spec.paths.len() {
                        return Err(format!(
                            "{} results for {} paths",
                            outcome.results.len(),
                            spec.paths.len()
                        ));
                    }
                    for (path, r) in spec.paths.iter().zip(&outcome.results) {
                        match r {
                            Err(e) if e.kind() == FetchErrorKind::Connect => {}
                            other => {
                                return Err(format!("{path}: got {other:?}, want a connect error"));
                            }
                        }
                    }
                }
            }
            // However the paths are scheduled, no request may outlive its timeout by
            // much: at most ceil(paths / concurrency) rounds of one timeout each.
            let rounds = spec.paths.len().div_ceil(spec.concurrency.max(1)) as u32;
            let bound = spec.timeout * rounds + Duration::from_secs(5);
            if elapsed > bound {
                return Err(format!(
                    "took {elapsed:.2?}, beyond {rounds} timeouts of {:?}",
                    spec.timeout
                ));
            }
            marked(&spec.probe)
        }
        Body::PingPong(spec) => {
            let outcome = model.pingpong(spec).map_err(|e| err(&e))?;
            spec.verify(&outcome).map_err(|e| err(&e))?;
            marked(&spec.probe)
        }
        Body::Ring(spec) => {
            let outcome = model.ring(spec).map_err(|e| err(&e))?;
            spec.verify(&outcome).map_err(|e| err(&e))?;
            marked(&spec.probe)
        }
        Body::Spawn(spec) => {
            let outcome = model.spawn(spec).map_err(|e| err(&e))?;
            spec.verify(&outcome).map_err(|e| err(&e))?;
            marked(&spec.probe)
        }
        Body::Fanout(spec) => {
            let outcome = model.fanout(spec).map_err(|e| err(&e))?;
            spec.verify(&outcome).map_err(|e| err(&e))?;
            marked(&spec.probe)
        }
        Body::Threads(addr) => check_threads_and_primitives(model, *addr),
    }
}
