//! The starter crate's files: the templates beside this file (`*.in`, filled in
//! with the model's name, type and family), and each workload's file, built from
//! its parts' markers as `show` and the parts test expect them (`// ## <part>`, in
//! [`parts_of`] order), with a hint under each and a `run` that answers
//! `unsupported("not written yet")`.

use std::path::PathBuf;

use concurrency_models::source::{MARKER, parts_of};
use harness::Family;
use harness::spec::Workload;

const CARGO_TEMPLATE: &str = include_str!("Cargo.toml.in");
const LIB_TEMPLATE: &str = include_str!("lib.rs.in");
const WORKLOAD_TEMPLATE: &str = include_str!("workload.rs.in");

/// What the stubs answer, and what the suite recognises as not yet written.
const NOT_WRITTEN: &str = "not written yet";

/// The crate's files, relative to its folder, with their contents.
pub(super) fn crate_files(name: &str, type_name: &str, family: Family) -> Vec<(PathBuf, String)> {
    let fill = |template: &str| {
        template
            .replace("{{name}}", name)
            .replace("{{Type}}", type_name)
            .replace("{{family}}", family.name())
            .replace("{{Family}}", &format!("{family:?}"))
    };
    let mut files = vec![
        (PathBuf::from("Cargo.toml"), fill(CARGO_TEMPLATE)),
        (PathBuf::from("src/lib.rs"), fill(LIB_TEMPLATE)),
    ];
    for w in Workload::ALL {
        let path = PathBuf::from(format!("src/{}.rs", w.name()));
        files.push((path, fill(&workload_file(w))));
    }
    files
}

/// A workload's starter file: its parts' markers in order, a hint under each, and
/// `run` answering unsupported.
fn workload_file(w: Workload) -> String {
    let (what, imports, run) = match w {
        Workload::Crawl => (
            "GET every path in `spec.paths` from `spec.addr`, at most `spec.concurrency` in \
             flight.",
            "CrawlOutcome, CrawlSpec",
            "fn run(spec: &CrawlSpec) -> Result<CrawlOutcome, ModelError>",
        ),
        Workload::PingPong => (
            "Two tasks pass a counter back and forth `spec.rounds` times.",
            "Counted, PingPongSpec",
            "fn run(spec: &PingPongSpec) -> Result<Counted, ModelError>",
        ),
        Workload::Ring => (
            "`spec.tasks` tasks in a ring pass a token `spec.hops` times.",
            "RingOutcome, RingSpec",
            "fn run(spec: &RingSpec) -> Result<RingOutcome, ModelError>",
        ),
        Workload::Spawn => (
            "Spawn `spec.n` tasks that each sleep `spec.sleep` and report; join them all.",
            "Counted, SpawnSpec",
            "fn run(spec: &SpawnSpec) -> Result<Counted, ModelError>",
        ),
        Workload::Fanout => (
            "A producer feeds `spec.items` items to `spec.workers` workers; a collector sums.",
            "FanoutOutcome, FanoutSpec",
            "fn run(spec: &FanoutSpec) -> Result<FanoutOutcome, ModelError>",
        ),
        Workload::Server => (
            "Serve the page protocol on `spec.take_listener()` until `spec.stop` fires.",
            "ServerOutcome, ServerSpec",
            "fn run(spec: &ServerSpec) -> Result<ServerOutcome, ModelError>",
        ),
        Workload::Fairness => (
            "A ticker sleeps `spec.ticks` times among `spec.hogs` CPU hogs.",
            "FairnessOutcome, FairnessSpec",
            "fn run(spec: &FairnessSpec) -> Result<FairnessOutcome, ModelError>",
        ),
        Workload::Cancel => (
            "Start a slow request per path; after `spec.after`, cancel them all.",
            "CancelOutcome, CancelSpec",
            "fn run(spec: &CancelSpec) -> Result<CancelOutcome, ModelError>",
        ),
    };
    let mut parts = Vec::new();
    for part in parts_of(w) {
        let body = if *part == "run" {
            format!(
                "// Build the runtime, then `spec.probe.begin()`, then start the work.\n\
                 pub(crate) {run} {{\n    \
                 let _ = spec;\n    \
                 Err(ModelError::unsupported(\"{NOT_WRITTEN}\"))\n}}"
            )
        } else {
            wrap("// ", hint(w, part))
        };
        parts.push(format!("{MARKER}{part}\n\n{body}\n"));
    }
    WORKLOAD_TEMPLATE
        .replace("{{workload}}", w.name())
        .replace("//! {{what}}", &wrap("//! ", what))
        .replace("{{imports}}", imports)
        .replace("{{parts}}", parts.join("\n").trim_end())
}

/// `text` as comment lines that each start with `prefix` and stay within 90
/// columns, as the workspace's files do.
fn wrap(prefix: &str, text: &str) -> String {
    let mut lines = vec![prefix.trim_end().to_owned()];
    for word in text.split_whitespace() {
        let last = lines.last_mut().expect("one line to start with");
        if last.len() > prefix.len() && last.len() + 1 + word.len() > 90 {
            lines.push(format!("{prefix}{word}"));
        } else {
            last.push(' ');
            last.push_str(word);
        }
    }
    lines.join("\n")
}

/// One line on what a part of a workload does, for the starter's empty parts.
fn hint(w: Workload, part: &str) -> &'static str {
    match (w, part) {
        (Workload::Crawl, "fetch") => {
            "One GET: send `harness::http::request(..)`, feed every read to a \
             `harness::http::ResponseReader`; `spec.timeout` bounds it all."
        }
        (Workload::Crawl, "worker") => {
            "What takes the next path and fetches it, so at most `spec.concurrency` are \
             in flight."
        }
        (Workload::Crawl, "collect") => {
            "One result per path, in path order; `spec.probe.end()`; every task ended."
        }
        (Workload::PingPong, "message") => {
            "What ping and pong send each other: the counter, and a stop."
        }
        (Workload::Ring, "message") => {
            "What travels round the ring: the token with the hops still to go, and a stop."
        }
        (Workload::PingPong, "pong") => {
            "pong: answer every counter `c` with `c + 1`, until stopped."
        }
        (Workload::PingPong, "ping") => {
            "ping: send the counter and wait for it back, `spec.rounds` times; then stop pong."
        }
        (Workload::Ring, "task") => {
            "One task: pass the token to the next, one hop fewer; at 0 it holds the token."
        }
        (Workload::Ring, "collect") => "The holder's id (1 to `spec.tasks`); every task ended.",
        (Workload::Spawn, "task") => {
            "One task: hold `spec.probe.enter()` from its first step to its last; sleep; report."
        }
        (Workload::Spawn, "collect") => "Count the reports; `spec.probe.end()`; every task ended.",
        (Workload::Fanout, "worker") => {
            "A worker: `harness::spec::run_job` on each job it gets, then one result message."
        }
        (Workload::Fanout, "produce") => "Send `spec.job_ranges()` as the job messages.",
        (Workload::Fanout, "collect") => {
            "Add every worker's result into a `FanoutOutcome`; every task ended."
        }
        (Workload::Server, "connection") => {
            "One connection: read into a buffer, `harness::respond::parse` it, wait the \
             request's delay with the model's own sleep, write `response()`; keep-alive \
             loops; hold `spec.probe.enter()` while the connection is open."
        }
        (Workload::Server, "accept") => {
            "Accept until `spec.stop` fires; count each in `spec.tally`; a connection \
             the model cannot hold is `spec.tally.dropped(reason)` and closed."
        }
        (Workload::Fairness, "ticker") => {
            "Sleep `spec.tick` `spec.ticks` times; push `harness::spec::lateness_ns` of \
             each; record when the first sleep began."
        }
        (Workload::Fairness, "hog") => {
            "Hog `h`: `HogResult::run_chunk` on each of `spec.hog_chunks(h)`, yielding in \
             the model's idiom between two (count each yield)."
        }
        (Workload::Cancel, "request") => {
            "One slow request on its own connection, holding `spec.probe.enter()`; it \
             ends `Cancelled` when cancelled."
        }
        (Workload::Cancel, "cancel") => {
            "After `spec.after`: `spec.cancelling()`, cancel every request the way the \
             library intends, collect every end in path order."
        }
        _ => "Not written yet.",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_starter_file_has_its_workloads_parts() {
        for w in Workload::ALL {
            let text = workload_file(w);
            assert_eq!(
                concurrency_models::source::check_parts(w, &text),
                None,
                "{text}"
            );
            assert!(text.contains("Err(ModelError::unsupported(\"not written yet\"))"));
            let long = text.lines().find(|l| l.chars().count() > 100);
            assert_eq!(long, None, "a line past rustfmt's width");
            // The model's name is filled in with the rest of the crate.
            let filled = text.replace("{{name}}", "mpsc");
            assert!(!filled.contains("{{"), "a placeholder left: {filled}");
        }
    }

    #[test]
    fn every_template_is_filled_in() {
        for (path, text) in crate_files("my-mpsc", "MyMpsc", Family::Csp) {
            assert!(
                !text.contains("{{"),
                "{}: a placeholder left",
                path.display()
            );
        }
    }
}
