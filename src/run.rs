//! `run`: one model, one workload, once. Builds the spec from the flags, calls the
//! model, verifies ([`harness::cell::execute_on`]), and reports: a sentence for
//! people, one JSON object for `compare` (which runs every cell this way, as a
//! child process). A crawl fetches from a delay server of its own, or from the one
//! `--target`, `--urls` or `--server` names; a crawl of `--urls` also lists what
//! every URL got.

use std::net::SocketAddr;
use std::process::ExitCode;

use concurrency_models::find;
use harness::params::{Param, Params};
use harness::spec::Workload;
use harness::target::CrawlTarget;
use harness::{Model, cell, limits};

use crate::CliError;
use crate::args::RunArgs;
use crate::server_child::ServerChild;

/// Everything `run` and `compare` check before starting anything.
pub struct Checked {
    pub model: &'static dyn Model,
    pub workload: Workload,
    pub params: Params,
}

/// Resolves names and flags into a model, a workload and parameters it takes; a
/// crawl's parameters are fitted to its `target`, if it has one of its own.
pub fn check(
    model: &str,
    workload: &str,
    mut params: Params,
    target: Option<&CrawlTarget>,
) -> Result<Checked, CliError> {
    let model = find(model).map_err(CliError::Usage)?;
    let workload: Workload = workload.parse().map_err(CliError::Usage)?;
    params.check_for(workload).map_err(CliError::Usage)?;
    params
        .check_combination(workload)
        .map_err(CliError::Usage)?;
    if let Some(target) = target {
        // A cancel run needs a delay server's connection count: `--server` only.
        let cancel_on_server =
            workload == Workload::Cancel && matches!(target, CrawlTarget::DelayServer(_));
        if workload != Workload::Crawl && !cancel_on_server {
            return Err(CliError::Usage(format!(
                "{} applies to the crawl workload only, not {workload}",
                target.flag()
            )));
        }
        if workload == Workload::Crawl {
            target.apply(&mut params).map_err(CliError::Usage)?;
        }
    }
    if params.given().any(|(p, _)| p == Param::Threads) && !model.threads_in(workload) {
        let with: Vec<_> = concurrency_models::MODELS
            .iter()
            .filter(|m| m.threads_in(workload))
            .map(|m| m.name())
            .collect();
        let applies = if with.is_empty() {
            format!("no registered model has them in {workload}")
        } else {
            format!("--threads applies to {} in {workload}", with.join(", "))
        };
        let what = if model.uses_threads() {
            format!(
                "model {} does not use worker threads in {workload}",
                model.name()
            )
        } else {
            format!("model {} has no worker threads to set", model.name())
        };
        return Err(CliError::Usage(format!("{what}; {applies}")));
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

pub fn run(args: &RunArgs) -> Result<ExitCode, CliError> {
    let params = args.params.to_params().map_err(CliError::Usage)?;
    // `--server ADDR` is `--target http://ADDR` for a delay server, by address.
    let given = match (
        args.target.to_target().map_err(CliError::Usage)?,
        args.server,
    ) {
        (Some(target), _) => Some(target),
        (None, Some(addr)) => Some(CrawlTarget::DelayServer(addr)),
        (None, None) => None,
    };
    let Checked {
        model,
        workload,
        params,
    } = check(&args.model, &args.workload, params, given.as_ref())?;
    // A crawl or a cancel needs a delay server: the one given, or a child of our
    // own for this run.
    let _server;
    let target = match (workload, given) {
        (Workload::Crawl | Workload::Cancel, Some(target)) => target,
        (Workload::Crawl | Workload::Cancel, None) => {
            let child = ServerChild::start()?;
            let addr = child.addr();
            _server = child;
            CrawlTarget::DelayServer(addr)
        }
        // Only a crawl and a cancel read it.
        (_, _) => CrawlTarget::DelayServer(SocketAddr::from(([127, 0, 0, 1], 0))),
    };
    let report = cell::execute_on(model, workload, &params, &target);
    if args.json {
        println!(
            "{}",
            serde_json::to_string(&report).map_err(|e| CliError::Failed(e.to_string()))?
        );
    } else {
        let work = report.work_ns();
        let per_op = work as f64 / workload.ops(&params).max(1) as f64;
        let fmt = |ns: u64| harness::report::fmt_ns(ns as f64);
        match &report.error {
            None => println!(
                "{} {}: verified ({}) in {} ({} per {}); the call took {} with the \
                 runtime's build and teardown",
                report.model,
                workload,
                report.summary,
                fmt(work),
                harness::report::fmt_ns(per_op),
                workload.op(),
                fmt(report.call_ns),
            ),
            // What a failed server run still measured (how far behind it fell).
            Some(e) if !report.summary.is_empty() => {
                println!("{} {}: {e}\n  ({})", report.model, workload, report.summary);
            }
            Some(e) => println!("{} {}: {e}", report.model, workload),
        }
        print_fetches(&report, &target);
    }
    Ok(if report.verified {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// URLs `run` lists after its sentence; `--json` lists them all.
const MAX_LISTED: usize = 40;

/// What each URL of a crawl of `--urls` got, one line each.
fn print_fetches(report: &cell::CellReport, target: &CrawlTarget) {
    let origin = match target {
        CrawlTarget::Urls { list, .. } => list.origin.as_str(),
        _ => "",
    };
    for f in report.fetches.iter().take(MAX_LISTED) {
        println!("  {origin}{}: {}", f.path, f.outcome());
    }
    if report.fetches.len() > MAX_LISTED {
        println!(
            "  … and {} more URLs (--json lists them all)",
            report.fetches.len() - MAX_LISTED
        );
    }
}
