//! One cell, run in this process: build the spec, call the model, read its probe,
//! verify, and report. `run --json` prints the [`CellReport`]; `compare` runs every
//! cell that way, as a child process, and reads it back.
//!
//! The order matters for honest figures: the probe's marks bracket the model's
//! measured phase, and verification (which for a crawl regenerates every page body
//! to check its digest) runs only after the model has returned, outside it.
//!
//! A crawl's report names its target, and a crawl of `--urls`, whose bodies
//! nobody knew in advance, lists what every URL got and says in its summary that
//! the content was not verified against digests.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::time::Instant;

mod cancel;
mod fairness;
mod server;

pub use cancel::CancelFigures;
pub use fairness::FairnessFigures;
pub use server::ServerFigures;

use crate::limits;
use crate::model::{Model, ModelError};
use crate::params::{Param, Params};
use crate::probe::{Phases, Probe};
use crate::spec::{Fetched, VerifyError, Workload};
use crate::target::{CrawlTarget, TargetInfo};

/// What one cell run reports; `compare` parses it from the child's last line.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct CellReport {
    pub model: String,
    pub workload: Workload,
    pub params: BTreeMap<String, u64>,
    /// The primitive the model names for this workload.
    #[serde(default)]
    pub primitive: String,
    pub verified: bool,
    /// Why it is not verified: `unsupported: ...`, `failed: ...` or
    /// `verification failed: ...`.
    pub error: Option<String>,
    /// Time around the whole model call (runtime build and teardown included).
    pub call_ns: u64,
    /// The measured phase, as the model's probe saw it.
    pub phases: Option<Phases>,
    /// What was computed, in words.
    pub summary: String,
    /// This process's `VmHWM` at the end, to cross-check the parent's `wait4`.
    pub vm_hwm_bytes: Option<u64>,
    /// crawl: the server it fetched from.
    #[serde(default)]
    pub target: Option<TargetInfo>,
    /// crawl of `--urls`: what each URL got, in the file's order (a crawl of the
    /// page protocol checks every body itself and lists none).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fetches: Vec<Fetched>,
    /// server, fairness, cancel: what the harness measured around the model.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub figures: Option<CellFigures>,
}

impl CellReport {
    /// The measured phase's wall time, or the whole call's where there is none.
    pub fn work_ns(&self) -> u64 {
        self.phases.map_or(self.call_ns, |p| p.work_ns)
    }
}

/// A cell's verdict: the error, if any, and a summary of what was computed.
pub(crate) type Verdict = (Option<String>, String);
/// What a workload's own cell returns: the call's time, the probe, the verdict,
/// and the figures it measured around the model.
pub(crate) type Ran<F> = (u64, Probe, Verdict, Option<F>);

/// What the harness measured around a model in the workloads whose figures are
/// not the probe's alone.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum CellFigures {
    // Boxed: a load report is several times the size of the other two.
    Server(Box<ServerFigures>),
    Fairness(FairnessFigures),
    Cancel(CancelFigures),
}

impl CellFigures {
    /// The figure the workload ranks by, in ns (lower is better).
    pub fn headline_ns(&self) -> Option<f64> {
        match self {
            CellFigures::Server(f) => {
                (f.load.latency.count > 0).then_some(f.load.latency.p99_us as f64 * 1e3)
            }
            CellFigures::Fairness(f) => Some(f.max_late_ns as f64),
            CellFigures::Cancel(f) => f.quiet_after_ns.map(|n| n as f64),
        }
    }

    /// The figures a report's columns show, by name; `work_cpu_ns` is the
    /// measured phase's CPU (a server's per-request CPU divides it).
    pub fn extra(&self, work_cpu_ns: u64) -> crate::measure::Extra {
        let ns = |us: u64| Some(us as f64 * 1e3);
        let f = |v: u64| Some(v as f64);
        match self {
            // No page came back (the generator could not even start): no latency.
            CellFigures::Server(s) if s.load.latency.count == 0 => crate::measure::Extra {
                errors: f(s.load.failed()),
                ..Default::default()
            },
            CellFigures::Server(s) => crate::measure::Extra {
                rate: Some(s.load.achieved_rate()),
                p50_ns: ns(s.load.latency.p50_us),
                p99_ns: ns(s.load.latency.p99_us),
                p999_ns: ns(s.load.latency.p999_us),
                max_ns: ns(s.load.latency.max_us),
                errors: f(s.load.failed()),
                held: f(s.peak_connections),
                cpu_per_op_ns: (s.tally.answered > 0)
                    .then(|| work_cpu_ns as f64 / s.tally.answered as f64),
                send_lag_p99_ns: ns(s.load.send_lag.p99_us),
                ..Default::default()
            },
            CellFigures::Fairness(x) => crate::measure::Extra {
                p50_ns: f(x.p50_late_ns),
                p99_ns: f(x.p99_late_ns),
                max_ns: f(x.max_late_ns),
                hogs_done_ns: f(x.hogs_done_ns),
                ..Default::default()
            },
            CellFigures::Cancel(c) => crate::measure::Extra {
                returned_ns: c.returned_after_ns.map(|n| n as f64),
                tasks_left: f(c.tasks_left),
                threads_left: c.threads_left.map(|t| t as f64),
                sockets_left: c.sockets_left.map(|t| t as f64),
                ..Default::default()
            },
        }
    }
}

/// The parameters a report shows for `model`: `threads` only where it means something.
pub fn shown_params(
    model: &dyn Model,
    workload: Workload,
    params: &Params,
) -> BTreeMap<String, u64> {
    let mut shown = params.resolved(workload);
    if !model.threads_in(workload) {
        shown.remove(Param::Threads.name());
    }
    shown
}

/// Calls the model once on `workload` with `params` (a crawl fetches from the
/// delay server at `addr`) and verifies what it returned.
pub fn execute(
    model: &dyn Model,
    workload: Workload,
    params: &Params,
    addr: SocketAddr,
) -> CellReport {
    execute_on(model, workload, params, &CrawlTarget::DelayServer(addr))
}

/// The summary of a crawl: pages for the page protocol; for URLs, how many were
/// answered 200 and how many with a typed error, and what was not checked.
fn crawl_summary(results: usize, ok: usize, digests: bool) -> String {
    if digests {
        format!("{ok} of {results} pages")
    } else {
        format!(
            "{ok} of {results} URLs answered 200, {} with a typed error; content not \
             verified against digests (status and length only)",
            results - ok
        )
    }
}

/// [`execute`], with a crawl fetching from `target` (`params` already fitted to it
/// by [`CrawlTarget::apply`]).
pub fn execute_on(
    model: &dyn Model,
    workload: Workload,
    params: &Params,
    target: &CrawlTarget,
) -> CellReport {
    let mut fetches = Vec::new();
    let mut figures = None;
    let (call_ns, probe, (error, summary)) = match workload {
        Workload::Crawl => one(
            target.spec(params),
            |s| &s.probe,
            |s| model.crawl(s),
            |s, o| s.verify(o),
            |s, o| {
                let digests = s.expect.checks_digests();
                if !digests {
                    fetches = o.fetched(&s.paths);
                }
                crawl_summary(o.results.len(), o.ok_count(), digests)
            },
        ),
        Workload::PingPong => one(
            params.pingpong(),
            |s| &s.probe,
            |s| model.pingpong(s),
            |s, o| s.verify(o),
            |_, o| format!("counter {}", o.count),
        ),
        Workload::Ring => one(
            params.ring(),
            |s| &s.probe,
            |s| model.ring(s),
            |s, o| s.verify(o),
            |_, o| format!("task {} holds the token", o.holder),
        ),
        Workload::Spawn => one(
            params.spawn(),
            |s| &s.probe,
            |s| model.spawn(s),
            |s, o| s.verify(o),
            |s, o| {
                let alive = s.probe.peak_alive();
                format!("{} tasks reported, {alive} alive at once", o.count)
            },
        ),
        Workload::Fanout => one(
            params.fanout(),
            |s| &s.probe,
            |s| model.fanout(s),
            |s, o| s.verify(o),
            |_, o| {
                format!(
                    "{} items summed, {} job and {} result messages",
                    o.items, o.job_messages, o.result_messages
                )
            },
        ),
        Workload::Server => {
            let (call_ns, probe, verdict, f) = server::execute(model, params);
            figures = f.map(CellFigures::Server);
            (call_ns, probe, verdict)
        }
        Workload::Fairness => {
            let (call_ns, probe, verdict, f) = fairness::execute(model, params);
            figures = f.map(CellFigures::Fairness);
            (call_ns, probe, verdict)
        }
        Workload::Cancel => {
            let (call_ns, probe, verdict, f) = cancel::execute(model, params, target);
            figures = f.map(CellFigures::Cancel);
            (call_ns, probe, verdict)
        }
    };
    CellReport {
        model: model.name().to_owned(),
        workload,
        params: shown_params(model, workload, params),
        primitive: model.primitive(workload).to_owned(),
        verified: error.is_none(),
        error,
        call_ns,
        phases: probe.phases(),
        summary,
        vm_hwm_bytes: limits::peak_rss_bytes(),
        target: matches!(workload, Workload::Crawl | Workload::Cancel).then(|| target.info()),
        fetches,
        figures,
    }
}

/// One model call on `spec`, timed, then its verdict: the model's error, a missing
/// measured phase, or what verification says, and a summary of what was computed.
/// Verification runs after the call returns, outside the measured phase.
pub(crate) fn one<S, T>(
    spec: S,
    probe: impl Fn(&S) -> &Probe,
    call: impl FnOnce(&S) -> Result<T, ModelError>,
    verify: impl FnOnce(&S, &T) -> Result<(), VerifyError>,
    describe: impl FnOnce(&S, &T) -> String,
) -> (u64, Probe, (Option<String>, String)) {
    let start = Instant::now();
    let outcome = call(&spec);
    let call_ns = u64::try_from(start.elapsed().as_nanos()).unwrap_or(u64::MAX);
    let probe = probe(&spec).clone();
    let verdict = match outcome {
        Err(e) => (Some(e.to_string()), String::new()),
        Ok(o) if probe.phases().is_none() => (
            Some(
                ModelError::failed(
                    "the model did not mark its measured phase \
                     (spec.probe.begin() and spec.probe.end())",
                )
                .to_string(),
            ),
            describe(&spec, &o),
        ),
        Ok(o) => match verify(&spec, &o) {
            Ok(()) => (None, describe(&spec, &o)),
            Err(e) => (Some(e.to_string()), describe(&spec, &o)),
        },
    };
    (call_ns, probe, verdict)
}
