//! What `compare` will run: every cell (model × workload × size), built from the
//! flags and checked in full before the first child starts, so a typo in the last
//! model's name or a `--urls` file that cannot be read costs nothing.
//!
//! A cell's parameters are what its workload takes: with one workload named, a
//! flag it does not take is an error; with all of them, each takes the flags that
//! apply to it, and `--threads` goes only to the models that use threads there. A
//! crawl target (`--target`, `--urls`) is read and resolved once, here, and its
//! cells' parameters fitted to it (a crawl of URLs is as large as its file).

use concurrency_models::{MODELS, find};
use harness::Model;
use harness::measure::Sample;
use harness::params::{Param, Params};
use harness::spec::{Fetched, Workload};
use harness::target::CrawlTarget;

use crate::CliError;
use crate::args::CompareArgs;
use crate::run::check;

/// One model on one workload at one size.
pub struct Cell {
    pub model: &'static dyn Model,
    pub workload: Workload,
    pub group: String,
    pub params: Params,
    pub sweep: Option<Param>,
    pub samples: Vec<Sample>,
    /// Measured runs this cell gets, decided after its warm-up.
    pub wanted: u32,
    pub error: Option<String>,
    /// server: the failed run's figures (how far behind it fell), never ranked.
    pub unranked: Option<Sample>,
    /// crawl of `--urls`: what each URL got in the last measured run.
    pub fetches: Vec<Fetched>,
}

/// Parses `--sweep name=v1,v2,...`.
fn parse_sweep(s: &str) -> Result<(Param, Vec<u64>), CliError> {
    let usage = || {
        CliError::Usage(format!(
            "--sweep takes name=v1,v2,... (e.g. n=1000,10000), got '{s}'"
        ))
    };
    let (name, values) = s.split_once('=').ok_or_else(usage)?;
    let param: Param = name.parse().map_err(CliError::Usage)?;
    let values = values
        .split(',')
        .map(|v| v.trim().parse::<u64>().map_err(|_| usage()))
        .collect::<Result<Vec<_>, _>>()?;
    if values.is_empty() {
        return Err(usage());
    }
    Ok((param, values))
}

/// Builds every cell, checking every name and flag before anything runs; and the
/// crawl target the flags name, if they name one.
pub fn plan(args: &CompareArgs) -> Result<(Vec<Cell>, Option<CrawlTarget>), CliError> {
    if args.runs == 0 || args.runs > 1000 {
        return Err(CliError::Usage(format!(
            "--runs must be between 1 and 1000, got {}",
            args.runs
        )));
    }
    if args.min_runs == 0 || args.min_runs > 1000 {
        return Err(CliError::Usage(format!(
            "--min-runs must be between 1 and 1000, got {}",
            args.min_runs
        )));
    }
    if !(args.budget_s.is_finite() && args.budget_s > 0.0) {
        return Err(CliError::Usage(format!(
            "--budget-s must be a positive number of seconds, got {}",
            args.budget_s
        )));
    }
    if args.warmup > 100 {
        return Err(CliError::Usage(format!(
            "--warmup must be between 0 and 100, got {}",
            args.warmup
        )));
    }
    let base = args.params.to_params().map_err(CliError::Usage)?;
    let models: Vec<&'static dyn Model> = match &args.models {
        Some(names) => names
            .iter()
            .map(|n| find(n.trim()).map_err(CliError::Usage))
            .collect::<Result<_, _>>()?,
        None => MODELS.to_vec(),
    };
    let sweep = args.sweep.as_deref().map(parse_sweep).transpose()?;
    let mut workloads: Vec<Workload> = match &args.workload {
        Some(w) => vec![w.parse().map_err(CliError::Usage)?],
        None => Workload::ALL.to_vec(),
    };
    if let Some((param, _)) = &sweep {
        workloads.retain(|w| w.params().contains(param));
        if workloads.is_empty() {
            return Err(CliError::Usage(format!(
                "--sweep {param}: the chosen workload does not take --{}",
                param.name().replace('_', "-")
            )));
        }
    }
    let target = args.target.to_target().map_err(CliError::Usage)?;
    if let Some(t) = &target {
        if !workloads.contains(&Workload::Crawl) {
            return Err(CliError::Usage(format!(
                "{} applies to the crawl workload only, and none is chosen",
                t.flag()
            )));
        }
    }
    let mut cells = Vec::new();
    for &workload in &workloads {
        // With one workload named, a flag it does not take is an error; with all of
        // them, each takes the flags that apply to it.
        let mut params = base.clone();
        if args.workload.is_some() {
            params.check_for(workload).map_err(CliError::Usage)?;
        } else {
            params = Params::new();
            // `--delay-ms` across every workload is a page delay for crawl and
            // server; cancel's delay must outlast its run (60 s by default), so it
            // takes it only when it is the one workload named.
            let applies = |p: &Param| {
                workload.params().contains(p)
                    && !(workload == Workload::Cancel && *p == Param::DelayMs)
            };
            for (p, v) in base.given().filter(|(p, _)| applies(p)) {
                params.set(p, v).map_err(CliError::Usage)?;
            }
        }
        let sizes: Vec<(Params, String, Option<Param>)> = match &sweep {
            None => vec![(params, workload.name().to_owned(), None)],
            Some((param, values)) => values
                .iter()
                .map(|v| {
                    let mut p = params.clone();
                    p.set(*param, *v).map_err(CliError::Usage)?;
                    Ok((p, format!("{workload} {param}={v}"), Some(*param)))
                })
                .collect::<Result<_, CliError>>()?,
        };
        for (params, group, swept) in sizes {
            for &model in &models {
                // --threads goes to the models that use threads in this workload;
                // the rest run as they are (a report shows `threads` only for the
                // former, and every row the OS threads the cell really ran on).
                let mut params = params.clone();
                if !model.threads_in(workload) {
                    let mut without = Params::new();
                    for (p, v) in params.given().filter(|(p, _)| *p != Param::Threads) {
                        without.set(p, v).map_err(CliError::Usage)?;
                    }
                    params = without;
                }
                let own = target.as_ref().filter(|_| workload == Workload::Crawl);
                let checked = check(model.name(), workload.name(), params, own)?;
                cells.push(Cell {
                    model,
                    workload,
                    group: group.clone(),
                    params: checked.params,
                    sweep: swept,
                    samples: Vec::new(),
                    wanted: args.runs,
                    error: None,
                    unranked: None,
                    fetches: Vec::new(),
                });
            }
        }
    }
    Ok((cells, target))
}
