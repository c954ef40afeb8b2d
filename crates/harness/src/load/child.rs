//! Where the generator runs: in a child process of the root binary
//! (`concurrency-models loadgen --config <json>`), so that its CPU is charged to
//! neither the model nor the cell's process, or, where no binary registered
//! itself (tests, benches), on a fresh thread of this process.
//!
//! The child is started with [`crate::measure::run_child`]: it dies with its
//! parent, it is killed at a deadline (the schedule, plus the timeout twice, for
//! the connect phase and the last request, plus 30 s for process start-up), and
//! `wait4` gives its user and system CPU time, which the report carries as
//! `cpu_ns`. It prints its [`LoadReport`] as one line of JSON, the last on stdout.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;
use std::time::Duration;

use super::generate::generate;
use super::{LoadConfig, LoadReport, generator_error};

/// What the report says when the generator ran in a child process.
const IN_CHILD: &str = "child process";
/// What the report says when it ran on a thread of the calling process.
const ON_THREAD: &str = "thread (in-process)";
/// Time a child gets beyond its schedule and timeouts: process start, exit.
const CHILD_SLACK: Duration = Duration::from_secs(30);

/// The binary that answers `loadgen --config <json>`, once registered.
static CHILD_EXE: OnceLock<PathBuf> = OnceLock::new();

/// Makes [`run`] start the generator as `<exe> loadgen --config <json>`. The root
/// binary calls it with its own path at the start of `main`; the first call wins.
pub fn use_child_process(exe: PathBuf) {
    let _ = CHILD_EXE.set(exe);
}

/// Runs the load described by `config` and reports what it saw: in a child
/// process when the binary registered one ([`use_child_process`]), on a thread
/// of this process otherwise. Never panics: a generator that could not run
/// reports every request as an error of kind `generator`.
pub fn run(config: &LoadConfig) -> LoadReport {
    match CHILD_EXE.get() {
        Some(exe) => in_child(exe, config),
        None => on_thread(config),
    }
}

/// The `loadgen` subcommand: parses the config, runs the load on this thread and
/// prints the report as one line of JSON. Returns the exit code: 0 when a report
/// was printed (whatever it says), 2 for a config that does not parse.
pub fn child_main(config_json: &str) -> i32 {
    let config: LoadConfig = match serde_json::from_str(config_json) {
        Ok(config) => config,
        Err(e) => {
            eprintln!("error: loadgen: the --config is not a load config: {e}");
            return 2;
        }
    };
    let mut report = generate(&config);
    report.generator = IN_CHILD.to_owned();
    match serde_json::to_string(&report) {
        Ok(line) => {
            println!("{line}");
            0
        }
        Err(e) => {
            eprintln!("error: loadgen: could not write the report: {e}");
            1
        }
    }
}

fn on_thread(config: &LoadConfig) -> LoadReport {
    let owned = config.clone();
    let joined = std::thread::Builder::new()
        .name("loadgen".into())
        .spawn(move || generate(&owned))
        .map(|handle| handle.join());
    let mut report = match joined {
        Ok(Ok(report)) => report,
        Ok(Err(panic)) => {
            let what = panic
                .downcast_ref::<&str>()
                .map(|s| (*s).to_owned())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "a panic".into());
            generator_error(config, format!("the load generator panicked: {what}"))
        }
        Err(e) => generator_error(config, format!("could not start the load generator: {e}")),
    };
    report.generator = ON_THREAD.to_owned();
    report
}

fn in_child(exe: &Path, config: &LoadConfig) -> LoadReport {
    let mut report = child_report(exe, config);
    report.generator = IN_CHILD.to_owned();
    report
}

fn child_report(exe: &Path, config: &LoadConfig) -> LoadReport {
    let json = match serde_json::to_string(config) {
        Ok(json) => json,
        Err(e) => return generator_error(config, format!("could not write the config: {e}")),
    };
    let deadline = Duration::from_millis(config.duration_ms)
        .saturating_add(config.timeout().saturating_mul(2))
        .saturating_add(CHILD_SLACK);
    let mut cmd = Command::new(exe);
    cmd.args(["loadgen", "--config", &json]);
    let run = match crate::measure::run_child(&mut cmd, deadline, None) {
        Ok(run) => run,
        Err(e) => {
            return generator_error(
                config,
                format!("could not start the load generator {}: {e}", exe.display()),
            );
        }
    };
    let cpu_ns = run.sample.user_ns.saturating_add(run.sample.sys_ns);
    let last_line = |text: &str| {
        text.lines()
            .rev()
            .map(str::trim)
            .find(|l| !l.is_empty())
            .map(str::to_owned)
    };
    let parsed = last_line(&run.stdout).and_then(|l| serde_json::from_str::<LoadReport>(&l).ok());
    let mut report = match parsed {
        Some(report) if run.code == Some(0) && !run.timed_out => report,
        _ => {
            let how = if run.timed_out {
                format!("was killed after {} s", deadline.as_secs())
            } else if let Some(signal) = run.signal {
                format!("was killed by signal {signal}")
            } else {
                match run.code {
                    Some(0) => "printed no report".to_owned(),
                    Some(code) => format!("exited with code {code}"),
                    None => "ended".to_owned(),
                }
            };
            let why = last_line(&run.stderr)
                .unwrap_or_else(|| format!("the load generator child process {how}"));
            generator_error(config, why)
        }
    };
    report.cpu_ns = Some(cpu_ns);
    report
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> LoadConfig {
        LoadConfig {
            addr: "127.0.0.1:1".parse().unwrap(),
            rate: 10,
            duration_ms: 100,
            connections: 1,
            delay_ms: 0,
            body_bytes: 10,
            timeout_ms: 100,
        }
    }

    #[test]
    fn a_child_that_fails_is_a_generator_error() {
        // `false` ignores its arguments and exits 1 with nothing on stderr.
        let report = in_child(Path::new("false"), &config());
        assert_eq!(report.generator, IN_CHILD);
        assert_eq!(report.errors.get("generator"), Some(&1));
        assert!(
            report
                .first_error
                .as_deref()
                .unwrap()
                .contains("exited with code 1"),
            "{report:?}"
        );
        // `echo` exits 0 but prints its arguments, which are not a report.
        let report = in_child(Path::new("echo"), &config());
        assert_eq!(report.errors.get("generator"), Some(&1), "{report:?}");
        // A binary that is not there.
        let report = in_child(Path::new("/nonexistent/loadgen"), &config());
        assert!(
            report
                .first_error
                .as_deref()
                .unwrap()
                .contains("could not start"),
            "{report:?}"
        );
    }

    #[test]
    fn a_bad_config_is_exit_code_2() {
        assert_eq!(child_main("{not json"), 2);
    }
}
