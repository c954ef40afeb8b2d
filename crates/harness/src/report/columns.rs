//! The columns every table shares (the terminal, `report.md` and `report.html`):
//! the header, each row's cells, and the notes under a table.
//!
//! CPU is shown split: user time (the model's own code) and kernel time (system
//! calls, the TCP stack, page faults on its behalf). For crawl the split is per
//! request and of the measured phase, so the two add up to the headline; for the
//! other workloads it is the whole child's, as `wait4` saw it. A headline taken on
//! a busy machine or against a saturated server carries [`FLAG_MARK`], and the
//! notes say why.

use super::{FLAG_MARK, Row, fmt_bytes, fmt_headline, fmt_ns, headline_label};
use crate::spec::Workload;

/// The columns the server, fairness and cancel tables show after the ratio, in
/// place of the wall and CPU columns: what their cells measured themselves.
fn own_columns(workload: Workload) -> &'static [&'static str] {
    match workload {
        Workload::Server => &[
            "rate",
            "p50",
            "p99.9",
            "max",
            "errors",
            "held",
            "CPU/request",
        ],
        Workload::Fairness => &[
            "p50 late",
            "p99 late",
            "hogs done",
            "CPU user",
            "CPU kernel",
        ],
        Workload::Cancel => &["returned", "left: tasks/threads/sockets"],
        _ => &[],
    }
}

/// Whether the workload's table has its own columns (see [`own_columns`]).
fn has_own(workload: Workload) -> bool {
    !own_columns(workload).is_empty()
}

/// The header of a group's table.
pub(super) fn header(workload: Workload) -> Vec<&'static str> {
    if has_own(workload) {
        let mut h = vec![
            model_col(),
            headline_label(workload),
            "±",
            "× best (95 % CI)",
        ];
        h.extend(own_columns(workload));
        h.extend(["start-up", "peak RSS", "threads", "verified"]);
        return h;
    }
    let (user, kernel) = cpu_labels(workload);
    let mut h = vec![
        model_col(),
        headline_label(workload),
        "±",
        "× best (95 % CI)",
        "start-up",
        "wall",
        user,
        kernel,
        "peak RSS",
    ];
    if workload == Workload::Spawn {
        h.push("memory/task (cgroup)");
    }
    h.extend(["threads", "verified"]);
    h
}

fn model_col() -> &'static str {
    "model"
}

/// The names of the two CPU columns.
fn cpu_labels(workload: Workload) -> (&'static str, &'static str) {
    match workload {
        Workload::Crawl => ("user/request", "kernel/request"),
        _ => ("CPU user", "CPU kernel"),
    }
}

/// A row's user and kernel CPU as its table shows them: for crawl the measured
/// phase's, per request; otherwise the whole child's.
pub(super) fn cpu_split(r: &Row) -> (Option<f64>, Option<f64>) {
    match r.workload {
        Workload::Crawl => {
            let n = r.params.get("n").copied().unwrap_or(1).max(1) as f64;
            let per = |v: Option<u64>| v.map(|v| v as f64 / n);
            (per(r.median_work_user_ns), per(r.median_work_sys_ns))
        }
        _ => (
            r.median_user_ns.map(|v| v as f64),
            r.median_sys_ns.map(|v| v as f64),
        ),
    }
}

/// Below this much CPU the user/kernel split is a few timer ticks' guess: Linux
/// times a thread's CPU exactly but splits it by sampling the mode at each tick
/// (1 to 10 ms apart, by the kernel's `HZ`).
const ROUGH_SPLIT_NS: u64 = 50_000_000;

/// The CPU the split columns divide: the measured phase's for crawl, else the
/// whole child's.
fn split_cpu_ns(r: &Row) -> Option<u64> {
    match r.workload {
        Workload::Crawl => Some(r.median_work_user_ns? + r.median_work_sys_ns?),
        _ => Some(r.median_user_ns? + r.median_sys_ns?),
    }
}

/// The cells of one row, as every table shows them.
pub(super) fn cells(r: &Row) -> Vec<String> {
    let dash = || "–".to_owned();
    let opt_ns = |v: Option<u64>| v.map_or_else(dash, |v| fmt_ns(v as f64));
    let status = match (&r.error, r.verified) {
        (_, true) => "yes".to_owned(),
        (Some(e), _) => e.clone(),
        (None, false) => "no runs".to_owned(),
    };
    let ratio = match (r.ratio_to_best, r.ratio_interval) {
        (Some(x), Some((lo, hi))) if r.tie => format!("{} tie ({}–{})", ratio(x), num(lo), num(hi)),
        (Some(x), Some((lo, hi))) if x > 1.0 => {
            format!("{} ({}–{})", ratio(x), num(lo), num(hi))
        }
        (Some(x), _) => ratio(x),
        _ => dash(),
    };
    // A verified row without a reading says so; a dash is for rows with no runs.
    let unmeasured = || {
        if r.verified {
            "not measured".to_owned()
        } else {
            dash()
        }
    };
    let flag = if r.flags().is_empty() {
        String::new()
    } else {
        format!(" {FLAG_MARK}")
    };
    let (user, kernel) = cpu_split(r);
    let cpu = |v: Option<f64>| {
        if r.runs.is_empty() {
            dash()
        } else {
            v.map_or_else(unmeasured, fmt_ns)
        }
    };
    // A failed server run that still measured its latency shows it, marked: how
    // far behind it fell is the point, but it is never ranked.
    let headline = match (r.headline, r.extra.and_then(|e| e.p99_ns)) {
        (Some(v), _) => format!("{}{flag}", fmt_headline(r.workload, v)),
        (None, Some(p99)) if r.workload == Workload::Server && !r.verified => {
            format!("{} (unranked)", fmt_ns(p99))
        }
        _ => unmeasured(),
    };
    if has_own(r.workload) {
        let mut c = vec![
            r.model.clone(),
            headline,
            r.spread
                .filter(|_| r.verified)
                .map_or_else(dash, |s| format!("{:.1} %", 100.0 * s)),
            ratio,
        ];
        c.extend(own_cells(r));
        c.extend([
            opt_ns(r.median_startup_ns.filter(|_| r.verified)),
            r.median_peak_rss_bytes
                .map_or_else(unmeasured, |b| fmt_bytes(b as f64)),
            r.os_threads.map_or_else(unmeasured, |t| t.to_string()),
            status,
        ]);
        return c;
    }
    let mut c = vec![
        r.model.clone(),
        headline,
        r.spread
            .filter(|_| r.verified)
            .map_or_else(dash, |s| format!("{:.1} %", 100.0 * s)),
        ratio,
        opt_ns(r.median_startup_ns.filter(|_| r.verified)),
        opt_ns(r.median_wall_ns),
        cpu(user),
        cpu(kernel),
        r.median_peak_rss_bytes
            .map_or_else(unmeasured, |b| fmt_bytes(b as f64)),
    ];
    if r.workload == Workload::Spawn {
        c.push(r.cgroup_bytes_per_task.map_or_else(unmeasured, fmt_bytes));
    }
    c.push(r.os_threads.map_or_else(unmeasured, |t| t.to_string()));
    c.push(status);
    c
}

/// The cells under [`own_columns`], from the row's extra figures.
fn own_cells(r: &Row) -> Vec<String> {
    let dash = || "–".to_owned();
    let e = r.extra.unwrap_or_default();
    let ns = |v: Option<f64>| v.map_or_else(dash, fmt_ns);
    let count = |v: Option<f64>| v.map_or_else(dash, |v| format!("{v:.0}"));
    match r.workload {
        Workload::Server => vec![
            e.rate.map_or_else(dash, |v| format!("{v:.0}/s")),
            ns(e.p50_ns),
            ns(e.p999_ns),
            ns(e.max_ns),
            count(e.errors),
            count(e.held),
            ns(e.cpu_per_op_ns),
        ],
        Workload::Fairness => {
            let (user, kernel) = cpu_split(r);
            vec![
                ns(e.p50_ns),
                ns(e.p99_ns),
                ns(e.hogs_done_ns),
                ns(user),
                ns(kernel),
            ]
        }
        Workload::Cancel => vec![
            ns(e.returned_ns),
            format!(
                "{}/{}/{}",
                count(e.tasks_left),
                count(e.threads_left),
                count(e.sockets_left)
            ),
        ],
        _ => Vec::new(),
    }
}

/// A ratio with as many digits as it needs: `1.04`, `12.3`, `4210`.
pub(super) fn num(x: f64) -> String {
    if x >= 100.0 {
        format!("{x:.0}")
    } else if x >= 10.0 {
        format!("{x:.1}")
    } else {
        format!("{x:.2}")
    }
}

pub(super) fn ratio(x: f64) -> String {
    format!("{}×", num(x))
}

/// The notes under a group's table: primitives, ties, warnings, and every flagged
/// figure with why.
pub(super) fn notes(group: &[&Row]) -> Vec<String> {
    let mut out = Vec::new();
    let prims: Vec<String> = group
        .iter()
        .filter(|r| !r.primitive.is_empty())
        .map(|r| format!("{}: {}", r.model, r.primitive))
        .collect();
    if !prims.is_empty() {
        out.push(format!("primitives: {}", prims.join("; ")));
    }
    let ties: Vec<String> = group
        .iter()
        .filter_map(|r| Some(format!("{} ≈ {}", r.model, r.tie_with.as_ref()?)))
        .collect();
    if !ties.is_empty() {
        out.push(format!(
            "ties (the interval of a row's ratio to the next better row holds 1): {}",
            ties.join("; ")
        ));
    }
    let rough: Vec<&str> = group
        .iter()
        .filter(|r| r.verified && split_cpu_ns(r).is_some_and(|ns| ns < ROUGH_SPLIT_NS))
        .map(|r| r.model.as_str())
        .collect();
    if !rough.is_empty() {
        out.push(format!(
            "CPU user/kernel is a rough split for {}: under {} ms of CPU, the kernel divides the \
             exact total by which mode its timer ticks caught the threads in",
            rough.join(", "),
            ROUGH_SPLIT_NS / 1_000_000
        ));
    }
    out.extend(super::fetches::url_notes(group));
    for r in group {
        if let Some(w) = &r.warning {
            out.push(format!("{}: {w}", r.model));
        }
        let flags = r.flags();
        if !flags.is_empty() {
            out.push(format!(
                "{FLAG_MARK} {}: {}; this row measures the machine, not the model",
                r.model,
                flags.join("; ")
            ));
        }
    }
    out
}
