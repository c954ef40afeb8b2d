//! The `concurrency-models` command line: `list`, `run`, `compare`, `serve`, `report`,
//! `show`, `grade` (the conformance suite as a score, for a model or a crate folder)
//! and `new-model` (a starter crate, every workload stubbed, registered).
//!
//! Every failure the user can fix (an unknown model, a bad number, a port in use,
//! an open-file limit too low) ends here as one line on stderr and exit code 2;
//! a run that computes a wrong answer exits 1. Nothing panics at the user.

mod args;
mod compare;
mod grade;
mod new_model;
mod plan;
mod run;
mod server_child;
mod show;

use std::process::ExitCode;

use clap::Parser;
use clap::error::ErrorKind;
use concurrency_models::MODELS;
use harness::params::Param;
use harness::spec::Workload;

use args::{Cli, Command, ServeArgs};

/// How a command failed.
#[derive(Debug)]
pub enum CliError {
    /// The user asked for something that cannot be done as asked: exit 2.
    Usage(String),
    /// The command ran and something went wrong: exit 1.
    Failed(String),
}

impl From<std::io::Error> for CliError {
    fn from(e: std::io::Error) -> Self {
        CliError::Failed(e.to_string())
    }
}

fn main() -> ExitCode {
    // A cell or delay server that `compare` started must not outlive it; Linux
    // sees to that itself, other systems need the child to watch.
    harness::os::exit_with_parent_if_asked();
    // The server workload's load generator runs as a child of this binary
    // (`loadgen`), so its CPU is never charged to the model it loads.
    if let Ok(exe) = std::env::current_exe() {
        harness::load::use_child_process(exe);
    }
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) if matches!(e.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion) => {
            e.exit()
        }
        Err(e) => {
            // clap's message runs over several lines; keep what is wrong, on one.
            let text = e.to_string();
            let what: Vec<&str> = text
                .lines()
                .take_while(|l| !l.trim().is_empty() && !l.starts_with("Usage:"))
                .map(str::trim)
                .collect();
            let what = what.join(" ");
            let what = what.strip_prefix("error: ").unwrap_or(&what);
            eprintln!("error: {what} (see --help)");
            return ExitCode::from(2);
        }
    };
    let result = match cli.command {
        Command::List => {
            list();
            Ok(ExitCode::SUCCESS)
        }
        Command::Run(args) => run::run(&args),
        Command::Compare(args) => compare::compare(&args),
        Command::Serve(args) => serve(&args),
        Command::Report(args) => report(&args),
        Command::Show(args) => show::show(&args),
        Command::Grade(args) => grade::grade(&args),
        Command::NewModel(args) => new_model::new_model(&args),
        Command::Loadgen(args) => Ok(ExitCode::from(
            u8::try_from(harness::load::child_main(&args.config)).unwrap_or(1),
        )),
    };
    match result {
        Ok(code) => code,
        Err(CliError::Usage(msg)) => {
            eprintln!("error: {msg}");
            ExitCode::from(2)
        }
        Err(CliError::Failed(msg)) => {
            eprintln!("error: {msg}");
            ExitCode::from(1)
        }
    }
}

fn list() {
    println!("models:");
    for m in MODELS {
        let threads = if m.uses_threads() { " [--threads]" } else { "" };
        println!(
            "  {:<14} {:<10} {}{threads}",
            m.name(),
            m.family(),
            m.summary()
        );
    }
    println!("\nworkloads (flags, quick defaults):");
    let defaults = harness::params::Params::new();
    for w in Workload::ALL {
        let flags: Vec<String> = w
            .params()
            .iter()
            .filter(|p| **p != Param::Threads)
            .map(|p| format!("{} {}", p.flag(), defaults.get(w, *p)))
            .collect();
        println!("  {:<10} {}", w.name(), flags.join("  "));
    }
    list_costs();
}

/// `list`'s cost table: one line per model, the code lines of each workload file,
/// of the runtime share, the `unsafe` count and the direct dependencies, as
/// `concurrency_models::cost` defines them (the same figures `compare` puts in its
/// rows, where each row's `unsafe` is its workload file's plus the runtime's).
fn list_costs() {
    use concurrency_models::{cost, source};
    println!("\ncode cost (non-blank non-comment lines, tests left out):");
    let mut header = format!("  {:<13}", "model");
    for w in Workload::ALL {
        header.push_str(&format!(" {:>w$}", w.name(), w = w.name().len().max(5)));
    }
    println!("{header} {:>7} {:>6}  deps", "runtime", "unsafe");
    for m in MODELS {
        let Some(dir) = source::source_dir(m.name()) else {
            continue;
        };
        let mut line = format!("  {:<13}", m.name());
        let mut workload_unsafe = 0;
        for w in Workload::ALL {
            let c = cost::code_cost(m.name(), w);
            line.push_str(&format!(
                " {:>w$}",
                c.workload_lines,
                w = w.name().len().max(5)
            ));
            workload_unsafe += source::workload_file(m.name(), w)
                .map_or(0, |(_, text)| cost::measure(text).unsafe_keywords);
        }
        let runtime = cost::runtime_cost(dir);
        let deps = cost::direct_deps(dir);
        let deps = if deps.is_empty() {
            "0 (std only)".to_owned()
        } else {
            let names: Vec<&str> = deps.iter().map(String::as_str).collect();
            format!("{} {}", deps.len(), names.join(" "))
        };
        let unsafe_split = format!("{workload_unsafe}+{}", runtime.unsafe_keywords);
        println!("{line} {:>7} {unsafe_split:>6}  {deps}", runtime.lines);
    }
    println!(
        "  runtime: the model's other non-test files; unsafe: `unsafe` keywords (blocks, fns,\n  \
         impls) in the workload files + in the runtime; deps: direct, harness left out"
    );
}

fn serve(args: &ServeArgs) -> Result<ExitCode, CliError> {
    let config = harness::server::ServerConfig {
        addr: std::net::SocketAddr::new(args.host, args.port),
        delay: std::time::Duration::from_millis(args.delay_ms),
        body_bytes: args.body_bytes,
        threads: args
            .threads
            .unwrap_or_else(|| (harness::spec::default_threads() / 2).max(1)),
        verbose: args.verbose,
        ..Default::default()
    };
    match harness::server::serve_forever(config) {
        Ok(()) => Ok(ExitCode::SUCCESS),
        Err(e) if e.kind() == std::io::ErrorKind::AddrInUse => Err(CliError::Usage(format!(
            "port {} is in use; pick another with --port (--port 0 picks a free one)",
            args.port
        ))),
        Err(e) if e.kind() == std::io::ErrorKind::PermissionDenied => {
            Err(CliError::Usage(format!(
                "not allowed to listen on port {}: {e}; use a port above 1023",
                args.port
            )))
        }
        // A default delay or body size past the server's bounds.
        Err(e) if e.kind() == std::io::ErrorKind::InvalidInput => {
            Err(CliError::Usage(e.to_string()))
        }
        Err(e) => Err(CliError::Failed(format!("the delay server stopped: {e}"))),
    }
}

fn report(args: &args::ReportArgs) -> Result<ExitCode, CliError> {
    let [path] = args.paths.as_slice() else {
        return report_many(args);
    };
    let rows = harness::report::load(path).map_err(|e| CliError::Usage(e.to_string()))?;
    print!("{}", harness::report::terminal_tables(&rows));
    let dir = if path.is_dir() {
        path.to_owned()
    } else {
        path.parent().map(ToOwned::to_owned).unwrap_or_default()
    };
    let command = format!("concurrency-models report {}", path.display());
    let files = harness::report::write_all(&dir, &rows, &command)?;
    eprintln!("rewrote {} files in {}", files.len(), dir.display());
    println!("report: {}", dir.join(harness::report::HTML_FILE).display());
    Ok(ExitCode::SUCCESS)
}

/// `report A B ...`: the runs of several folders side by side, in the terminal and
/// in a new report.html.
fn report_many(args: &args::ReportArgs) -> Result<ExitCode, CliError> {
    let runs = args
        .paths
        .iter()
        .map(|p| harness::report::Run::load(p).map_err(|e| CliError::Usage(e.to_string())))
        .collect::<Result<Vec<_>, _>>()?;
    print!("{}", harness::report::compare_runs(&runs));
    let out = args.out.clone().unwrap_or_else(|| {
        // Beside the first folder: `results/<stamp>` gives `results/multi-<stamp>`.
        let first = &args.paths[0];
        let first = if first.is_dir() {
            first.as_path()
        } else {
            first.parent().unwrap_or(first)
        };
        let parent = first.parent().unwrap_or(std::path::Path::new("."));
        parent.join(format!("multi-{}", harness::report::stamp()))
    });
    let paths: Vec<String> = args.paths.iter().map(|p| p.display().to_string()).collect();
    let command = format!("concurrency-models report {}", paths.join(" "));
    let page = harness::report::write_multi(&runs, &out, &command)?;
    println!("report: {}", page.display());
    Ok(ExitCode::SUCCESS)
}
