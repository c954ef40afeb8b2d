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
        Command::Report(args) => report(&args.path),
        Command::Show(args) => show::show(&args),
        Command::Grade(args) => grade::grade(&args),
        Command::NewModel(args) => new_model::new_model(&args),
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

fn report(path: &std::path::Path) -> Result<ExitCode, CliError> {
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
    Ok(ExitCode::SUCCESS)
}
