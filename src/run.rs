//! `run`: one model, one workload, once. Builds the spec from the flags, calls the
//! model, verifies, and reports: a sentence for people, one JSON object for
//! `compare` (which runs every cell this way, as a child process).

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::process::ExitCode;
use std::time::Instant;

use concurrency_models::find;
use harness::params::{Param, Params};
use harness::spec::Workload;
use harness::{Model, ModelError, limits};
use serde::Serialize;

use crate::CliError;
use crate::args::RunArgs;
use crate::server_child::ServerChild;

/// What a run prints with `--json`; `compare` parses it.
#[derive(Debug, Serialize, serde::Deserialize)]
pub struct RunReport {
    pub model: String,
    pub workload: Workload,
    pub params: BTreeMap<String, u64>,
    pub verified: bool,
    /// Why it is not verified: `unsupported: ...`, `failed: ...` or
    /// `verification failed: ...`.
    pub error: Option<String>,
    /// Time around the model call alone.
    pub work_ns: u64,
    /// What was computed, in words.
    pub summary: String,
    /// This process's `VmHWM` at the end, to cross-check the parent's `wait4`.
    pub vm_hwm_bytes: Option<u64>,
    /// This process's `VmRSS` just before the model call.
    pub base_rss_bytes: Option<u64>,
}

/// Everything `run` and `compare` check before starting anything.
pub struct Checked {
    pub model: &'static dyn Model,
    pub workload: Workload,
    pub params: Params,
}

/// Resolves names and flags into a model, a workload and parameters it takes.
pub fn check(model: &str, workload: &str, params: Params) -> Result<Checked, CliError> {
    let model = find(model).map_err(CliError::Usage)?;
    let workload: Workload = workload.parse().map_err(CliError::Usage)?;
    params.check_for(workload).map_err(CliError::Usage)?;
    if params.given().any(|(p, _)| p == Param::Threads) && !model.uses_threads() {
        let with: Vec<_> = concurrency_models::MODELS
            .iter()
            .filter(|m| m.uses_threads())
            .map(|m| m.name())
            .collect();
        let applies = if with.is_empty() {
            "no registered model has them".to_owned()
        } else {
            format!("--threads applies to {}", with.join(", "))
        };
        return Err(CliError::Usage(format!(
            "model {} has no worker threads to set; {applies}",
            model.name()
        )));
    }
    if workload == Workload::Crawl {
        // The client holds one socket per request in flight, plus a few for itself.
        // The delay server is always another process (ours or the user's), with a
        // limit of its own.
        let concurrency = params
            .get(workload, Param::Concurrency)
            .min(params.get(workload, Param::N));
        limits::ensure_nofile(
            concurrency + harness::spec::SPARE_FILES,
            &format!("a crawl with {concurrency} requests in flight"),
        )
        .map_err(CliError::Usage)?;
    }
    Ok(Checked {
        model,
        workload,
        params,
    })
}

/// The parameters a report shows for `model`: `threads` only where it means something.
pub fn shown_params(
    model: &dyn Model,
    workload: Workload,
    params: &Params,
) -> BTreeMap<String, u64> {
    let mut shown = params.resolved(workload);
    if !model.uses_threads() {
        shown.remove(Param::Threads.name());
    }
    shown
}

pub fn run(args: &RunArgs) -> Result<ExitCode, CliError> {
    let params = args.params.to_params().map_err(CliError::Usage)?;
    let Checked {
        model,
        workload,
        params,
    } = check(&args.model, &args.workload, params)?;
    // A crawl needs a server: the one given, or a child of our own for this run.
    let _server;
    let addr: SocketAddr = match (workload, args.server) {
        (Workload::Crawl, Some(addr)) => addr,
        (Workload::Crawl, None) => {
            let child = ServerChild::start()?;
            let addr = child.addr();
            _server = child;
            addr
        }
        (_, Some(_)) => {
            return Err(CliError::Usage(format!(
                "--server applies to the crawl workload only, not {workload}"
            )));
        }
        (_, None) => SocketAddr::from(([127, 0, 0, 1], 0)),
    };
    let report = execute(model, workload, &params, addr);
    if args.json {
        println!(
            "{}",
            serde_json::to_string(&report).map_err(|e| CliError::Failed(e.to_string()))?
        );
    } else {
        let per_op =
            report.work_ns as f64 / params.get(workload, workload.ops_param()).max(1) as f64;
        match &report.error {
            None => println!(
                "{} {}: verified ({}) in {} ({} per {})",
                report.model,
                workload,
                report.summary,
                harness::report::fmt_ns(report.work_ns as f64),
                harness::report::fmt_ns(per_op),
                workload.op()
            ),
            Some(e) => println!("{} {}: {e}", report.model, workload),
        }
    }
    Ok(if report.verified {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// Calls the model and verifies what it returned.
fn execute(model: &dyn Model, workload: Workload, params: &Params, addr: SocketAddr) -> RunReport {
    fn finish<T>(
        outcome: Result<T, ModelError>,
        verify: impl FnOnce(&T) -> Result<(), harness::spec::VerifyError>,
        describe: impl FnOnce(&T) -> String,
    ) -> (Option<String>, String) {
        match outcome {
            Err(e) => (Some(e.to_string()), String::new()),
            Ok(o) => match verify(&o) {
                Ok(()) => (None, describe(&o)),
                Err(e) => (Some(e.to_string()), describe(&o)),
            },
        }
    }
    let base_rss_bytes = limits::rss_bytes();
    let start = Instant::now();
    let (work_ns, (error, summary)) = match workload {
        Workload::Crawl => {
            let spec = params.crawl(addr);
            let outcome = model.crawl(&spec);
            let t = start.elapsed();
            (
                t,
                finish(
                    outcome,
                    |o| spec.verify(o),
                    |o| format!("{} of {} pages", o.ok_count(), o.results.len()),
                ),
            )
        }
        Workload::PingPong => {
            let spec = params.pingpong();
            let outcome = model.pingpong(&spec);
            let t = start.elapsed();
            (
                t,
                finish(
                    outcome,
                    |o| spec.verify(o),
                    |o| format!("counter {}", o.count),
                ),
            )
        }
        Workload::Ring => {
            let spec = params.ring();
            let outcome = model.ring(&spec);
            let t = start.elapsed();
            (
                t,
                finish(
                    outcome,
                    |o| spec.verify(o),
                    |o| format!("task {} holds the token", o.holder),
                ),
            )
        }
        Workload::Spawn => {
            let spec = params.spawn();
            let outcome = model.spawn(&spec);
            let t = start.elapsed();
            (
                t,
                finish(
                    outcome,
                    |o| spec.verify(o),
                    |o| format!("{} tasks reported", o.count),
                ),
            )
        }
        Workload::Fanout => {
            let spec = params.fanout();
            let outcome = model.fanout(&spec);
            let t = start.elapsed();
            (
                t,
                finish(
                    outcome,
                    |o| spec.verify(o),
                    |o| format!("{} items summed", o.items),
                ),
            )
        }
    };
    RunReport {
        model: model.name().to_owned(),
        workload,
        params: shown_params(model, workload, params),
        verified: error.is_none(),
        error,
        work_ns: u64::try_from(work_ns.as_nanos()).unwrap_or(u64::MAX),
        summary,
        vm_hwm_bytes: limits::peak_rss_bytes(),
        base_rss_bytes,
    }
}
