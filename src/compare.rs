//! `compare`: every chosen model on every chosen workload, each run a child process
//! timed from outside, all in one sitting so ratios are fair.
//!
//! The method, as hyperfine and criterion would have it:
//! - a warm-up run of every cell first, discarded;
//! - then rounds: each round runs every cell that still needs runs once, in an
//!   order shuffled per round (seeded, and the seed recorded), so a burst of noise
//!   spreads over all models and no model always follows the same predecessor (and
//!   inherits its TIME_WAIT sockets);
//! - a cell under a second gets `--runs` measured runs (default 10); a longer one
//!   as many as `--budget-s` allows, at least `--min-runs`;
//! - each run in a memory cgroup of its own where one can be made, so kernel
//!   memory is counted; around every run, the machine's CPU ticks and the delay
//!   server's CPU, so a run on a busy machine (others' share of the CPU) and a
//!   crawl against a saturated server or machine are flagged.
//!
//! Crawls fetch from one delay server, itself a child process, started once; or,
//! with `--target URL` or `--urls FILE`, from a server that is not ours, in which
//! case none is started and every child gets the same flag.

use std::path::Path;
use std::process::{Command, ExitCode};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use harness::cell::{CellReport, shown_params};
use harness::cgroup::CellCgroup;
use harness::measure::{Sample, run_child};
use harness::report::{self, Machine, Row, RowInput, stats::Rng};
use harness::spec::{Fetched, Workload};
use harness::target::CrawlTarget;
use indicatif::{ProgressBar, ProgressStyle};

use crate::CliError;
use crate::args::CompareArgs;
use crate::plan::{Cell, plan};
use crate::server_child::ServerChild;

/// The child command line for one run of a cell.
fn child_command(cell: &Cell, target: Option<&CrawlTarget>) -> Result<Command, CliError> {
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
    match (cell.workload, target) {
        (Workload::Crawl, Some(target)) => {
            cmd.args(target.child_args());
        }
        (Workload::Cancel, Some(CrawlTarget::DelayServer(addr))) => {
            cmd.args(["--server", &addr.to_string()]);
        }
        _ => {}
    }
    Ok(cmd)
}

/// One run's sample (and a crawl of URLs' fetches), or why it failed with the
/// sample it still measured, if any (a server run that fell behind).
type RunOutcome = Result<(Sample, Vec<Fetched>), (String, Option<Sample>)>;

/// Runs one cell once and returns its sample (and, for a crawl of URLs, what each
/// got), or why it has none. A warm-up run is measured the same way and then
/// discarded by the caller. `server` is our own delay server, whose CPU is
/// watched; `target` is where a crawl goes (that server, or one not ours).
fn run_once(
    cell: &Cell,
    server: Option<&ServerChild>,
    target: Option<&CrawlTarget>,
    deadline: Duration,
) -> Result<RunOutcome, CliError> {
    let mut cmd = child_command(cell, target)?;
    let cgroup = CellCgroup::create();
    // The server's CPU and the machine's ticks around every run: how much of the
    // machine others used (the busy flag), and for crawls the saturation figures.
    let server_before = server.and_then(ServerChild::cpu_ns);
    let ticks_before = harness::os::machine_cpu_ticks();
    let run = run_child(&mut cmd, deadline, cgroup.as_ref())?;
    let server_after = server.and_then(ServerChild::cpu_ns);
    let ticks_after = harness::os::machine_cpu_ticks();
    drop(cgroup);
    let crawl = cell.workload == Workload::Crawl;
    let parsed: Option<CellReport> = run
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
    // A server run that fell behind failed, but what it measured is the point:
    // how far behind. Its sample is kept beside the error, never ranked.
    let measured_anyway = parsed
        .as_ref()
        .is_some_and(|r| r.figures.is_some() && r.phases.is_some());
    if let Some(e) = failure.clone().filter(|_| !measured_anyway) {
        return Ok(Err((e, None)));
    }
    let mut report = parsed.expect("no failure means the report parsed");
    let Some(phases) = report.phases else {
        return Ok(Err(("the run reported no measured phase".into(), None)));
    };
    let mut sample = run.sample;
    sample.vm_hwm_bytes = report.vm_hwm_bytes;
    sample.base_rss_bytes = phases.rss_at_begin_bytes;
    sample.work_ns = phases.work_ns;
    sample.work_cpu_ns = phases.work_cpu_ns();
    sample.cgroup_base_bytes = phases.cgroup_at_begin_bytes;
    sample.os_threads = phases.os_threads;
    sample.work_user_ns = Some(phases.work_user_ns);
    sample.work_sys_ns = Some(phases.work_sys_ns);
    if let Some(f) = &report.figures {
        sample.headline_ns = f.headline_ns();
        sample.extra = Some(f.extra(phases.work_cpu_ns()));
    }
    let server_cpu = server_before
        .zip(server_after)
        .map(|(a, b)| b.saturating_sub(a));
    if crawl {
        sample.server_cpu_ns = server_cpu;
    }
    if let (Some((t0, i0)), Some((t1, i1))) = (ticks_before, ticks_after) {
        let (total, idle) = (t1.saturating_sub(t0), i1.saturating_sub(i0));
        // The idle share matters where a server shares the machine: crawls. Under
        // a few ticks it means nothing (a 10 ms tick, a 5 ms cell).
        if crawl && total >= harness::measure::MIN_MACHINE_TICKS {
            sample.machine_idle = Some(idle as f64 / total as f64);
        }
        let ours = sample.user_ns + sample.sys_ns + server_cpu.unwrap_or(0);
        sample.others_share = harness::os::clock_tick_ns()
            .and_then(|tick| harness::measure::others_share(total, idle, tick, ours));
    }
    // A server cell's `wait4` peak is its load generator's, a child it reaped
    // (the kernel reports the larger of the two): only the cell's own VmHWM is
    // the server's, and that is the one the tables use.
    let own_child_peak = cell.workload != Workload::Server;
    if let Some(hwm) = report.vm_hwm_bytes.filter(|_| own_child_peak) {
        // ru_maxrss and VmHWM measure the same peak; a large gap means one of them
        // is not what we think it is (VmHWM is the one the tables use).
        let (a, b) = (hwm as f64, run.sample.peak_rss_bytes as f64);
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
    if let Some(e) = failure {
        return Ok(Err((e, Some(sample))));
    }
    Ok(Ok((sample, std::mem::take(&mut report.fetches))))
}

/// The measured runs a cell gets, from its warm-up's wall time: `runs` under a
/// second, else what the budget allows, between `min_runs` and `runs`.
fn runs_wanted(warm_wall: Duration, args: &CompareArgs) -> u32 {
    if warm_wall < Duration::from_secs(1) {
        return args.runs;
    }
    let fit = (args.budget_s / warm_wall.as_secs_f64()).floor() as u32;
    fit.clamp(args.min_runs.min(args.runs), args.runs)
}

/// The project's commit and whether its tree has changes, where the source is a
/// git checkout (it is for `cargo run`).
fn git_state() -> (String, String) {
    let dir = env!("CARGO_MANIFEST_DIR");
    let git = |args: &[&str]| {
        Command::new("git")
            .arg("-C")
            .arg(dir)
            .args(args)
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
    };
    match git(&["rev-parse", "--short=12", "HEAD"]) {
        Some(commit) => {
            let dirty = git(&["status", "--porcelain", "--untracked-files=no"])
                .map_or("unknown", |s| if s.is_empty() { "no" } else { "yes" });
            (commit, dirty.to_owned())
        }
        None => ("unknown (not a git checkout)".into(), "unknown".into()),
    }
}

pub fn compare(args: &CompareArgs) -> Result<ExitCode, CliError> {
    let started = Instant::now();
    let (mut cells, external) = plan(args)?;
    let seed = args.seed.unwrap_or_else(|| {
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(1, |d| d.as_nanos() as u64)
    });
    let mut rng = Rng::new(seed);
    let load_before = Machine::loadavg();
    // A delay server of our own only for crawls that name no server of their own.
    // (A cancel run counts the delay server's connections, so it needs one too.)
    let crawls = cells
        .iter()
        .any(|c| matches!(c.workload, Workload::Crawl | Workload::Cancel));
    let server = if crawls && external.is_none() {
        Some(ServerChild::start()?)
    } else {
        None
    };
    let target = external.or_else(|| server.as_ref().map(|s| CrawlTarget::DelayServer(s.addr())));
    let deadline = Duration::from_secs(args.cell_timeout_s.max(1));
    // A compare killed outright last time could not remove its last cgroup.
    CellCgroup::sweep_stale();
    let cgroups = match CellCgroup::create() {
        Some(cg) => format!(
            "one per run, under {}",
            cg.dir()
                .parent()
                .map_or_else(String::new, |p| p.display().to_string())
        ),
        None => format!("not measured ({})", harness::os::no_cgroup_reason()),
    };
    // indicatif draws only when stderr is a terminal, so logs and CI stay clean.
    let bar = ProgressBar::new(cells.len() as u64 * u64::from(args.warmup + args.runs)).with_style(
        ProgressStyle::with_template("{elapsed_precise} [{bar:30}] {pos}/{len} {msg}")
            .expect("the template is valid")
            .progress_chars("=> "),
    );
    let mut order: Vec<usize> = (0..cells.len()).collect();
    // Warm-up rounds: measured like the rest, then discarded; the first decides
    // how many runs each cell gets.
    for round in 0..args.warmup {
        rng.shuffle(&mut order);
        for &i in &order {
            let cell = &mut cells[i];
            bar.set_message(format!("{} · {} · warm-up", cell.group, cell.model.name()));
            if cell.error.is_none() {
                let t = Instant::now();
                match run_once(cell, server.as_ref(), target.as_ref(), deadline)? {
                    Ok(_) if round == 0 => cell.wanted = runs_wanted(t.elapsed(), args),
                    Ok(_) => {}
                    // One failed run condemns the cell: a result that verified only
                    // some of the time is not a result.
                    Err((e, unranked)) => (cell.error, cell.unranked) = (Some(e), unranked),
                }
            }
            bar.inc(1);
        }
    }
    // Now that each cell's share is known, the bar can say how far there is to go.
    let measured: u64 = cells
        .iter()
        .filter(|c| c.error.is_none())
        .map(|c| u64::from(c.wanted))
        .sum();
    bar.set_length(bar.position() + measured);
    for round in 1..=args.runs {
        rng.shuffle(&mut order);
        for &i in &order {
            let cell = &mut cells[i];
            if cell.error.is_some() || cell.samples.len() as u32 >= cell.wanted {
                continue;
            }
            bar.set_message(format!(
                "{} · {} · run {round}/{}",
                cell.group,
                cell.model.name(),
                cell.wanted
            ));
            match run_once(cell, server.as_ref(), target.as_ref(), deadline)? {
                Ok((sample, fetches)) => {
                    cell.samples.push(sample);
                    cell.fetches = fetches;
                }
                Err((e, unranked)) => (cell.error, cell.unranked) = (Some(e), unranked),
            }
            bar.inc(1);
        }
    }
    bar.finish_and_clear();
    let server_threads = server.as_ref().map(ServerChild::threads);
    drop(server);
    let mut machine = Machine::detect(
        env!("CM_RUSTC_VERSION"),
        if cfg!(debug_assertions) {
            "debug"
        } else {
            "release"
        },
    );
    let (commit, dirty) = git_state();
    let context = &mut machine.context;
    context.insert("commit".into(), commit);
    context.insert("tree dirty".into(), dirty);
    context.insert("load before".into(), load_before);
    context.insert("load after".into(), Machine::loadavg());
    context.insert("seed".into(), seed.to_string());
    // The folder's name is the date too, but a results.json can travel alone.
    let stamp = report::stamp();
    context.insert("date (UTC)".into(), stamp.clone());
    context.insert("memory cgroups".into(), cgroups);
    context.insert(
        "runs".into(),
        format!(
            "{} warm-up discarded; {} measured under 1 s, else {} s of runs (at least {})",
            args.warmup,
            args.runs,
            args.budget_s,
            args.min_runs.min(args.runs)
        ),
    );
    if let Some(t) = server_threads {
        context.insert("delay server threads".into(), t.to_string());
    }
    // Our own server is the default, and its threads are recorded above.
    let elsewhere = target
        .as_ref()
        .filter(|t| crawls && !matches!(t, CrawlTarget::DelayServer(_)));
    if let Some(t) = elsewhere {
        context.insert("crawl target".into(), t.info().describe());
    }
    let mut rows: Vec<Row> = cells
        .into_iter()
        .map(|c| {
            let crawl = c.workload == Workload::Crawl;
            let mut row = Row::new(RowInput {
                workload: c.workload,
                group: c.group,
                model: c.model.name().to_owned(),
                family: c.model.family().to_string(),
                primitive: c.model.primitive(c.workload).to_owned(),
                params: shown_params(c.model, c.workload, &c.params),
                sweep: c.sweep.map(|p| p.name().to_owned()),
                runs: c.samples,
                unranked: c.unranked,
                error: c.error,
                machine: machine.clone(),
                server_threads: server_threads.filter(|_| crawl),
            });
            row.target = target.as_ref().filter(|_| crawl).map(CrawlTarget::info);
            // From the sources this binary embeds, so the cost describes the code
            // that was measured.
            row.code_cost = Some(concurrency_models::cost::code_cost(
                c.model.name(),
                c.workload,
            ));
            row.fetches = c.fetches;
            row
        })
        .collect();
    report::rank(&mut rows, seed);
    print!("{}", report::terminal_tables(&rows));
    if let Some(what) = machine.context.get(report::UNMEASURED_KEY) {
        println!("{}: {what}", report::UNMEASURED_KEY);
    }
    let dir = args.out.join(&stamp);
    let command = std::env::args().collect::<Vec<_>>().join(" ");
    report::write_all(&dir, &rows, &command)?;
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
    let wrong = rows
        .iter()
        .filter(|r| {
            r.error
                .as_deref()
                // A declined cell and a server that fell behind are results.
                .is_some_and(|e| !e.starts_with("unsupported") && !e.starts_with("fell behind"))
        })
        .count();
    if wrong > 0 {
        eprintln!("error: {wrong} cell(s) failed or did not verify; see the verified column");
    }
    // Last, so it is the line to copy: the page to open.
    println!("report: {}", dir.join(report::HTML_FILE).display());
    Ok(if wrong == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
