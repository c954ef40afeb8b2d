//! The conformance suite: what every model must get right, at sizes small enough
//! for a debug build on a 2-core CI machine. `concurrency-models grade` prints it
//! as a score; a model crate's test runs it in one line:
//!
//! ```text
//! #[test]
//! fn conformance() {
//!     harness::conformance::check(&my_crate::MyModel);
//! }
//! ```
//!
//! The cases (`cases.rs`) run every workload at several small shapes and verify each
//! outcome; then the crawl fault matrix: every fault path of the delay server mixed
//! with good pages, plus an address where nothing listens. Each failed path must
//! carry its typed error, every good path must still come back, the server must
//! never see more requests in flight than the spec allows, and nothing may panic,
//! hang past its deadline, or leave a thread behind. Two cases prove concurrency
//! from counts, not timings: the server must see `concurrency` requests in flight
//! at once, and spawn must have all `n` tasks alive at once.
//!
//! [`Options::seed`] varies the sizes, the fault mix and the order of the paths, so
//! a submission cannot hard-code its answers; seed 0, the default, is the
//! reference set that [`check`] and the model crates' tests run.
//!
//! The suite counts the process's threads, so one model per process: one model per
//! test binary, one per `grade` process. A case that hangs is abandoned on its
//! thread (`runner.rs`), the suite stops there, and the process's exit ends it.

mod cases;
mod checks;
mod draw;
mod runner;
mod serving;

use std::net::{SocketAddr, TcpListener};
use std::sync::Arc;
use std::time::Duration;

use crate::model::Model;
use crate::server::{self, ServerConfig};

use runner::Ran;

/// The longest one case may take before it counts as hung.
pub const CASE_DEADLINE: Duration = Duration::from_secs(60);

/// What happened to one case.
#[derive(Debug, Clone)]
pub struct Finding {
    /// The case, with its sizes: `crawl, 24 pages of 5000 bytes, 6 in flight`.
    pub case: String,
    /// What the case requires, in one short phrase.
    pub expected: String,
    /// `Ok` for a pass; otherwise what happened instead.
    pub result: Result<(), String>,
    /// False for a case that never ran because an earlier one hung.
    pub ran: bool,
    /// How long the case took (zero for one that did not run).
    pub elapsed: Duration,
}

impl Finding {
    /// Whether the case passed.
    pub fn passed(&self) -> bool {
        self.result.is_ok()
    }
}

/// How the suite is run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Options {
    /// 0 for the reference cases; any other value draws their sizes, the fault
    /// mix and the order of the paths from a generator seeded with it.
    pub seed: u64,
    /// How long one case may run before it counts as hung.
    pub deadline: Duration,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            seed: 0,
            deadline: CASE_DEADLINE,
        }
    }
}

impl Options {
    /// The cases drawn with `seed`, at the usual deadline.
    pub fn seed(seed: u64) -> Self {
        Self {
            seed,
            ..Self::default()
        }
    }
}

/// Runs the reference cases against `model` and panics with every failure listed,
/// if any.
pub fn check(model: &'static dyn Model) {
    let findings = run(model);
    let failed: Vec<_> = findings.iter().filter(|f| !f.passed()).collect();
    if !failed.is_empty() {
        let mut msg = format!(
            "model '{}' failed {} of {} conformance cases:",
            model.name(),
            failed.len(),
            findings.len()
        );
        for f in failed {
            if let Err(e) = &f.result {
                msg.push_str(&format!("\n  - {}: {e}", f.case));
            }
        }
        panic!("{msg}");
    }
}

/// Runs every reference case against `model` and returns one finding per case.
pub fn run(model: &'static dyn Model) -> Vec<Finding> {
    run_with(model, &Options::default())
}

/// Runs every case `options` draws against `model`; one finding per case.
pub fn run_with(model: &'static dyn Model, options: &Options) -> Vec<Finding> {
    run_each(model, options, |_| {})
}

/// The cases `options` draws, as `(case, expected)`, without running any: what a
/// grader can show before it starts, and what the seed tests compare.
pub fn plan(options: &Options) -> Vec<(String, String)> {
    // The addresses only go into the specs, never into a name.
    let addr = SocketAddr::from(([127, 0, 0, 1], 9));
    cases::cases(addr, addr, options.seed)
        .into_iter()
        .map(|c| (c.name, c.expected))
        .collect()
}

/// [`run_with`], calling `on_finding` as each case ends, so that a grader can print
/// its lines as they come.
pub fn run_each(
    model: &'static dyn Model,
    options: &Options,
    mut on_finding: impl FnMut(&Finding),
) -> Vec<Finding> {
    let mut findings = Vec::new();
    let mut push = |f: Finding, findings: &mut Vec<Finding>| {
        on_finding(&f);
        findings.push(f);
    };
    let (server, dead) = match start() {
        Ok(started) => started,
        Err(e) => {
            // Nothing can run without the server; say so for every case.
            for (case, expected) in plan(options) {
                let result = Err(format!("not run: could not start the delay server: {e}"));
                push(not_run(case, expected, result), &mut findings);
            }
            return findings;
        }
    };
    let mut baseline_threads = None;
    let mut cases = cases::cases(server.addr(), dead, options.seed).into_iter();
    while let Some(case) = cases.next() {
        let (name, expected) = (case.name, case.expected);
        let (ran, elapsed) = runner::run_case(model, &server, case.body, options.deadline);
        let result = match ran {
            Ran::Hung => {
                let result = Err(format!(
                    "still running after {} s; a hung case cannot be stopped from \
                     outside, so the suite stops here",
                    options.deadline.as_secs_f64()
                ));
                let hung = name.clone();
                push(
                    Finding {
                        case: name,
                        expected,
                        result,
                        ran: true,
                        elapsed,
                    },
                    &mut findings,
                );
                for rest in cases {
                    let why = Err(format!("not run: case '{hung}' hung before it"));
                    push(not_run(rest.name, rest.expected, why), &mut findings);
                }
                return findings;
            }
            // The first case also starts whatever process-wide runtime a model
            // keeps (may's scheduler threads live as long as the process); every
            // later case must leave the thread count where the first left it.
            Ran::Done(result) => {
                result.and_then(
                    |()| match (baseline_threads, runner::settled_thread_count()) {
                        (None, now) => {
                            baseline_threads = now;
                            Ok(())
                        }
                        (Some(before), Some(after)) if after > before => Err(format!(
                            "{} thread(s) still running after the run ended",
                            after - before
                        )),
                        _ => Ok(()),
                    },
                )
            }
        };
        let result = result.map_err(|e| format!("{e} (after {elapsed:.2?})"));
        push(
            Finding {
                case: name,
                expected,
                result,
                ran: true,
                elapsed,
            },
            &mut findings,
        );
    }
    findings
}

fn not_run(case: String, expected: String, result: Result<(), String>) -> Finding {
    Finding {
        case,
        expected,
        result,
        ran: false,
        elapsed: Duration::ZERO,
    }
}

/// The delay server the cases fetch from, shared with a case's thread (which may
/// outlive the suite if it hangs), and an address where nothing listens.
fn start() -> std::io::Result<(Arc<server::ServerHandle>, SocketAddr)> {
    let server = server::spawn(ServerConfig::default())?;
    // Bind a port, then free it: nothing listens there for the next moment.
    let dead = TcpListener::bind("127.0.0.1:0")?.local_addr()?;
    Ok((Arc::new(server), dead))
}
