//! `show WORKLOAD [--models a,b]`: two or more models' implementations of one
//! workload, side by side in the terminal, part by part.
//!
//! The files come from the binary itself (embedded at build time by `build.rs`),
//! so what is shown is what was built, wherever the binary is run. The layout
//! fits the terminal (`$COLUMNS`, else the terminal's size, else 120 columns), or
//! `--width`.

use std::process::ExitCode;

use concurrency_models::side_by_side::{self, Column, Layout};
use concurrency_models::source::{self, PREAMBLE};
use harness::spec::Workload;

use crate::CliError;
use crate::args::ShowArgs;

/// The pair shown when `--models` is not given: stackless against stackful, the
/// contrast the project is built around.
const DEFAULT_MODELS: [&str; 2] = ["tokio", "may"];

pub fn show(args: &ShowArgs) -> Result<ExitCode, CliError> {
    let workload: Workload = args.workload.parse().map_err(CliError::Usage)?;
    let models: Vec<String> = match &args.models {
        Some(models) => models.clone(),
        None => DEFAULT_MODELS.map(String::from).to_vec(),
    };
    if models.is_empty() {
        return Err(CliError::Usage("--models needs at least one model".into()));
    }
    let mut columns = Vec::with_capacity(models.len());
    let mut paths = Vec::with_capacity(models.len());
    for name in &models {
        let model = concurrency_models::find(name).map_err(CliError::Usage)?;
        let (path, text) = source::workload_file(model.name(), workload).ok_or_else(|| {
            CliError::Usage(format!(
                "{} has no {} file in this build",
                model.name(),
                workload.name()
            ))
        })?;
        let parts = source::parts(text);
        // A file without part markers (a starter crate's, say) is one part.
        let unparted = parts.len() == 1;
        let parts = parts
            .into_iter()
            .filter(|p| args.full || unparted || p.name != PREAMBLE)
            .map(|p| (p.name.to_owned(), p.lines))
            .collect();
        columns.push(Column {
            head: model.name().to_owned(),
            parts,
        });
        paths.push(path);
    }
    let layout = Layout {
        width: args.width.unwrap_or_else(terminal_width),
        no_comments: args.no_comments,
    };
    print!("{}", side_by_side::render(&columns, layout));
    println!();
    for (model, path) in models.iter().zip(&paths) {
        println!("{model}: {path}");
    }
    Ok(ExitCode::SUCCESS)
}

/// `$COLUMNS`, else the width of the terminal on stdout, else 120.
fn terminal_width() -> usize {
    if let Some(cols) = std::env::var("COLUMNS").ok().and_then(|c| c.parse().ok()) {
        return cols;
    }
    terminal_columns().unwrap_or(120)
}

#[cfg(unix)]
fn terminal_columns() -> Option<usize> {
    // SAFETY: `winsize` is plain old data, so all zeroes is a valid value.
    let mut size: libc::winsize = unsafe { std::mem::zeroed() };
    // SAFETY: TIOCGWINSZ writes one `winsize` through the pointer, which points at
    // a live, writable one; on a descriptor that is no terminal it fails and
    // writes nothing.
    let ok = unsafe { libc::ioctl(libc::STDOUT_FILENO, libc::TIOCGWINSZ, &mut size) } == 0;
    (ok && size.ws_col > 0).then_some(usize::from(size.ws_col))
}

#[cfg(not(unix))]
fn terminal_columns() -> Option<usize> {
    None
}
