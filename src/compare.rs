//! `compare`: every chosen model on every chosen workload, `--runs` times, each run
//! a child process timed from outside, all in one sitting so ratios are fair.
//!
//! Runs are interleaved (run 1 of every cell, then run 2 of every cell, ...) so a
//! burst of noise on a shared machine spreads over all models instead of landing on
//! one. Crawls fetch from one delay server, itself a child process, started once.

use std::path::Path;
use std::process::{Command, ExitCode};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use concurrency_models::{MODELS, find};
use harness::Model;
use harness::measure::{Sample, run_child};
use harness::params::{Param, Params};
use harness::report::{self, Machine, Row};
use harness::spec::Workload;
use indicatif::{ProgressBar, ProgressStyle};

use crate::CliError;
use crate::args::CompareArgs;
use crate::run::{RunReport, check, shown_params};
use crate::server_child::ServerChild;

/// One model on one workload at one size.
struct Cell {
    model: &'static dyn Model,
    workload: Workload,
    group: String,
    params: Params,
    sweep: Option<Param>,
    samples: Vec<Sample>,
    work_ns: Vec<u64>,
    error: Option<String>,
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

/// Builds every cell, checking every name and flag before anything runs.
fn plan(args: &CompareArgs) -> Result<Vec<Cell>, CliError> {
    if args.runs == 0 || args.runs > 1000 {
        return Err(CliError::Usage(format!(
            "--runs must be between 1 and 1000, got {}",
            args.runs
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
    let mut cells = Vec::new();
    for &workload in &workloads {
        // With one workload named, a flag it does not take is an error; with all of
        // them, each takes the flags that apply to it.
        let mut params = base.clone();
        if args.workload.is_some() {
            params.check_for(workload).map_err(CliError::Usage)?;
        } else {
            params = Params::new();
            for (p, v) in base.given().filter(|(p, _)| workload.params().contains(p)) {
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
                // --threads goes to the models that have threads; the rest run as
                // they are (a report shows `threads` only for the former).
                let mut params = params.clone();
                if !model.uses_threads() {
                    let mut without = Params::new();
                    for (p, v) in params.given().filter(|(p, _)| *p != Param::Threads) {
                        without.set(p, v).map_err(CliError::Usage)?;
                    }
                    params = without;
                }
                let checked = check(model.name(), workload.name(), params)?;
                cells.push(Cell {
                    model,
                    workload,
                    group: group.clone(),
                    params: checked.params,
                    sweep: swept,
                    samples: Vec::new(),
                    work_ns: Vec::new(),
                    error: None,
                });
            }
        }
    }
    Ok(cells)
}

/// The child command line for one run of a cell.
fn child_command(cell: &Cell, server: Option<std::net::SocketAddr>) -> Result<Command, CliError> {
    let mut cmd = Command::new(std::env::current_exe()?);
    cmd.args([
        "run",
        "--json",
        "--model",
        cell.model.name(),
        "--workload",
        cell.workload.name(),
    ]);
    for (param, value) in cell.params.given() {
        cmd.arg(param.flag()).arg(value.to_string());
    }
    if let (Workload::Crawl, Some(addr)) = (cell.workload, server) {
        cmd.arg("--server").arg(addr.to_string());
    }
    Ok(cmd)
}

/// Runs one cell once and records its sample, or why it has none.
fn run_once(
    cell: &mut Cell,
    server: Option<std::net::SocketAddr>,
    deadline: Duration,
) -> Result<(), CliError> {
    let mut cmd = child_command(cell, server)?;
    let run = run_child(&mut cmd, deadline)?;
    let parsed: Option<RunReport> = run
        .stdout
        .lines()
        .last()
        .and_then(|l| serde_json::from_str(l).ok());
    let last_err = run.stderr.lines().last().unwrap_or("").to_owned();
    let failure = match (&parsed, run.code, run.signal) {
        _ if run.timed_out => Some(format!(
            "killed after the {}-second cell limit",
            deadline.as_secs()
        )),
        (Some(r), _, _) => r.error.clone(),
        (None, _, Some(sig)) => Some(format!("crashed with signal {sig}: {last_err}")),
        (None, Some(code), _) => Some(format!("exited {code} without a report: {last_err}")),
        (None, None, None) => Some("ended without a report".into()),
    };
    match failure {
        Some(e) => {
            // One failed run condemns the cell: a result that verified only some of
            // the time is not a result.
            cell.error.get_or_insert(e);
        }
        None => {
            let report = parsed.expect("no failure means the report parsed");
            let mut sample = run.sample;
            sample.vm_hwm_bytes = report.vm_hwm_bytes;
            sample.base_rss_bytes = report.base_rss_bytes;
            if let Some(hwm) = report.vm_hwm_bytes {
                // ru_maxrss and VmHWM measure the same peak; a large gap means one
                // of them is not what we think it is.
                let (a, b) = (hwm as f64, sample.peak_rss_bytes as f64);
                if (a - b).abs() > 0.25 * a.max(b) {
                    eprintln!(
                        "warning: {} {}: wait4 peak RSS {} but the child's VmHWM {}",
                        cell.model.name(),
                        cell.workload,
                        report::fmt_bytes(b),
                        report::fmt_bytes(a)
                    );
                }
            }
            cell.samples.push(sample);
            cell.work_ns.push(report.work_ns);
        }
    }
    Ok(())
}

/// `20261123-154501`, in UTC, for the results folder.
fn stamp() -> String {
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let (days, rem) = (secs / 86_400, secs % 86_400);
    // Howard Hinnant's days-to-civil algorithm.
    let z = days as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}{m:02}{d:02}-{:02}{:02}{:02}",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

pub fn compare(args: &CompareArgs) -> Result<ExitCode, CliError> {
    let started = Instant::now();
    let mut cells = plan(args)?;
    let server = if cells.iter().any(|c| c.workload == Workload::Crawl) {
        Some(ServerChild::start()?)
    } else {
        None
    };
    let addr = server.as_ref().map(ServerChild::addr);
    let deadline = Duration::from_secs(args.cell_timeout_s.max(1));
    let total = cells.len() as u64 * u64::from(args.runs);
    // indicatif draws only when stderr is a terminal, so logs and CI stay clean.
    let bar = ProgressBar::new(total).with_style(
        ProgressStyle::with_template("{elapsed_precise} [{bar:30}] {pos}/{len} {msg}")
            .expect("the template is valid")
            .progress_chars("=> "),
    );
    for run in 1..=args.runs {
        for cell in &mut cells {
            bar.set_message(format!(
                "{} · {} · run {run}/{}",
                cell.group,
                cell.model.name(),
                args.runs
            ));
            // A cell that failed once is not run again: its verdict is in.
            if cell.error.is_none() {
                run_once(cell, addr, deadline)?;
            }
            bar.inc(1);
        }
    }
    bar.finish_and_clear();
    drop(server);
    let machine = Machine::detect(
        env!("CM_RUSTC_VERSION"),
        if cfg!(debug_assertions) {
            "debug"
        } else {
            "release"
        },
    );
    let mut rows: Vec<Row> = cells
        .into_iter()
        .map(|c| {
            Row::new(
                c.workload,
                c.group,
                c.model.name(),
                &c.model.family().to_string(),
                shown_params(c.model, c.workload, &c.params),
                c.sweep.map(|p| p.name().to_owned()),
                c.samples,
                c.work_ns,
                c.error,
                machine.clone(),
            )
        })
        .collect();
    report::rank(&mut rows);
    print!("{}", report::terminal_tables(&rows));
    let dir = args.out.join(stamp());
    let command = std::env::args().collect::<Vec<_>>().join(" ");
    let files = report::write_all(&dir, &rows, &command)?;
    if let Some(json) = &args.json {
        std::fs::copy(dir.join("results.json"), json)?;
    }
    println!(
        "{} rows in {:.1} s on {machine}; reports in {}{}",
        rows.len(),
        started.elapsed().as_secs_f64(),
        dir.display(),
        args.json
            .as_deref()
            .map(|p: &Path| format!(" (and {})", p.display()))
            .unwrap_or_default()
    );
    if cfg!(debug_assertions) {
        eprintln!("note: this is a debug build; quote only figures from `cargo run --release`");
    }
    let _ = files;
    let wrong = rows
        .iter()
        .filter(|r| {
            r.error
                .as_deref()
                .is_some_and(|e| !e.starts_with("unsupported"))
        })
        .count();
    Ok(if wrong == 0 {
        ExitCode::SUCCESS
    } else {
        eprintln!("error: {wrong} cell(s) failed or did not verify; see the verified column");
        ExitCode::from(1)
    })
}
