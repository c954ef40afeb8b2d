//! What each case checks once the model has answered: the spec's verification,
//! then the rules around it (requests in flight, tasks alive at once, the measured
//! phase marked, the primitives named, `--threads` obeyed).
//!
//! The concurrency checks count, they never time: the server's gauge of requests
//! waiting on their delay, and the probe's gauge of tasks alive. A model that says
//! it is not concurrent ([`Model::concurrent`]) still runs them, and fails them
//! with a message that says so.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use super::cases::{Body, Check};
use super::runner::settled_thread_count;
use crate::http::FetchErrorKind;
use crate::model::Model;
use crate::params::{Param, Params};
use crate::server::ServerHandle;
use crate::spec::{CrawlSpec, SpawnSpec, Workload};

/// What a stub says where a real model names its primitive.
const NOT_WRITTEN: &str = "not written yet";

/// Runs one case's body against `model`: `Ok` for a pass, or what went wrong.
pub(super) fn execute(
    model: &'static dyn Model,
    server: &ServerHandle,
    body: &Body,
) -> Result<(), String> {
    let err = |e: &dyn std::fmt::Display| e.to_string();
    match body {
        Body::Crawl(spec, check) => crawl(model, server, spec, *check),
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
        Body::SpawnAlive(spec) => {
            spawn_alive(model, spec).map_err(|e| says_not_concurrent(model, e))
        }
        Body::Fanout(spec) => {
            let outcome = model.fanout(spec).map_err(|e| err(&e))?;
            spec.verify(&outcome).map_err(|e| err(&e))?;
            marked(&spec.probe)
        }
        Body::Server(case) => super::serving::server(model, *case),
        Body::Fairness(spec) => {
            super::serving::fairness(model, spec).map_err(|e| says_not_concurrent(model, e))
        }
        Body::Cancel(spec) => {
            super::serving::cancel(model, server, spec).map_err(|e| says_not_concurrent(model, e))
        }
        Body::Threads(addr) => check_threads_and_primitives(model, *addr),
    }
}

/// A concurrency case's failure, with the model's own word added where it said
/// it is not concurrent.
fn says_not_concurrent(model: &dyn Model, e: String) -> String {
    if model.concurrent() {
        e
    } else {
        format!(
            "{e}; the model says it is not concurrent (Model::concurrent is false), \
             and this case requires concurrency"
        )
    }
}

fn crawl(
    model: &dyn Model,
    server: &ServerHandle,
    spec: &CrawlSpec,
    check: Check,
) -> Result<(), String> {
    let started = Instant::now();
    let outcome = model.crawl(spec).map_err(|e| e.to_string());
    let outcome = match check {
        Check::InFlight => outcome.map_err(|e| says_not_concurrent(model, e))?,
        _ => outcome?,
    };
    let elapsed = started.elapsed();
    match check {
        Check::Verified | Check::InFlight => {
            spec.verify(&outcome).map_err(|e| e.to_string())?;
            let peak = server.stats().peak_in_flight();
            if peak > spec.concurrency {
                return Err(format!(
                    "the server saw {peak} requests in flight; the limit was {}",
                    spec.concurrency
                ));
            }
            let want = spec.in_flight();
            if matches!(check, Check::InFlight) && peak < want {
                let s = if peak == 1 { "" } else { "s" };
                let e = format!(
                    "the server saw at most {peak} request{s} in flight at once; a \
                     concurrent model must have {want}"
                );
                return Err(says_not_concurrent(model, e));
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

/// Spawn with every task alive at the same moment: the probe's gauge must reach `n`.
fn spawn_alive(model: &dyn Model, spec: &SpawnSpec) -> Result<(), String> {
    let outcome = model
        .spawn(spec)
        .map_err(|e| format!("did not run {} tasks at once: {e}", spec.n))?;
    if outcome.count != spec.n as u64 {
        return Err(format!("{} of {} tasks reported", outcome.count, spec.n));
    }
    let peak = spec.probe.peak_alive();
    if peak != spec.n as u64 {
        return Err(format!(
            "at most {peak} of {n} tasks were alive at once; a concurrent model must \
             have all {n} (each task holds spec.probe.enter() from its first step to \
             its last)",
            n = spec.n
        ));
    }
    marked(&spec.probe)
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
        Workload::Server => &[
            (Param::Rate, 200),
            (Param::DurationMs, 100),
            (Param::Connections, 4),
            (Param::DelayMs, 1),
        ],
        Workload::Fairness => &[(Param::Hogs, 1), (Param::HogMs, 5)],
        Workload::Cancel => &[(Param::N, 4), (Param::AfterMs, 50)],
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
        let primitive = model.primitive(w).trim();
        if primitive.is_empty() {
            return Err(format!("{w}: no primitive named"));
        }
        // A starter crate's placeholder is not a name either.
        if primitive == NOT_WRITTEN {
            return Err(format!("{w}: the primitive is still '{NOT_WRITTEN}'"));
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
pub(super) fn marked(probe: &crate::probe::Probe) -> Result<(), String> {
    probe.phases().map(|_| ()).ok_or_else(|| {
        "the model did not mark its measured phase (spec.probe.begin() once its \
         runtime is up, spec.probe.end() before teardown)"
            .to_owned()
    })
}
