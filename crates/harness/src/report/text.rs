//! The tables people read: one per group in the terminal and in `report.md`, and
//! `results.csv` with one line per row.
//!
//! Every table leads with the headline (the marginal cost, with its spread), ranks
//! by it (`× best`, with its 95 % interval, ties marked), and shows start-up apart
//! and CPU split into user and kernel time (the columns are in `columns.rs`).
//! Below each table, notes name every row's primitive and any warning: outliers,
//! two modes, a saturated server, a busy machine.

use std::fmt::Write as _;
use std::path::PathBuf;

use comfy_table::{Cell, CellAlignment, ContentArrangement, Table, presets::UTF8_FULL_CONDENSED};

use super::columns::{cells, header, notes};
use super::{BUSY_OTHERS, FLAG_MARK, Row, groups};
use crate::spec::Workload;
use crate::target::TargetKind;

/// A one-line description of a group: its sizes, and for crawl the ideal time.
pub fn describe(rows: &[&Row]) -> String {
    let Some(first) = rows.first() else {
        return String::new();
    };
    let params: Vec<String> = first
        .params
        .iter()
        .filter(|(k, _)| k.as_str() != "threads")
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    let mut s = format!("{} ({})", first.workload, params.join(", "));
    if first.workload == Workload::Crawl {
        // Our own delay server goes unnamed, as it always has; another is named.
        let elsewhere = first
            .target
            .as_ref()
            .filter(|t| t.kind != TargetKind::DelayServer);
        if let Some(target) = elsewhere {
            let _ = write!(s, " {}", target.describe());
        }
        // Without a delay of ours (a crawl of URLs), there is no ideal to give.
        let p = &first.params;
        if let (Some(n), Some(c), Some(d)) = (p.get("n"), p.get("concurrency"), p.get("delay_ms")) {
            let ideal = n.div_ceil((*c).max(1)) * d;
            let _ = write!(s, ", ideal {ideal} ms");
        }
    }
    let runs: Vec<usize> = rows
        .iter()
        .map(|r| r.runs.len())
        .filter(|n| *n > 0)
        .collect();
    match (runs.iter().min(), runs.iter().max()) {
        (Some(lo), Some(hi)) if lo == hi => {
            let _ = write!(s, ", {hi} runs each");
        }
        (Some(lo), Some(hi)) => {
            let _ = write!(s, ", {lo} to {hi} runs each");
        }
        _ => {}
    }
    s
}

/// Widest verified-column text the terminal table shows in its cell.
const STATUS_WIDTH: usize = 48;

/// The terminal tables, one per group.
pub fn terminal_tables(rows: &[Row]) -> String {
    let mut out = String::new();
    for (_, group) in groups(rows) {
        let mut table = Table::new();
        table
            .load_preset(UTF8_FULL_CONDENSED)
            .set_content_arrangement(ContentArrangement::Dynamic)
            .set_header(header(group[0].workload));
        let mut notes = Vec::new();
        for r in &group {
            let mut cells = cells(r);
            let last = cells.len() - 1;
            // A long reason would stretch the table past any terminal: cut it in
            // the cell and print it whole below.
            if cells[last].chars().count() > STATUS_WIDTH {
                notes.push(format!("  {}: {}", r.model, cells[last]));
                let cut: String = cells[last].chars().take(STATUS_WIDTH - 1).collect();
                cells[last] = format!("{cut}…");
            }
            let row: Vec<Cell> = cells
                .into_iter()
                .enumerate()
                .map(|(i, c)| {
                    let cell = Cell::new(c);
                    if (1..last).contains(&i) {
                        cell.set_alignment(CellAlignment::Right)
                    } else {
                        cell
                    }
                })
                .collect();
            table.add_row(row);
        }
        let _ = writeln!(out, "{}\n{table}", describe(&group));
        for note in notes {
            let _ = writeln!(out, "{note}");
        }
        for note in self::notes(&group) {
            let _ = writeln!(out, "  {note}");
        }
        out.push('\n');
    }
    out
}

/// `report.md`: the machine, then a table and a chart per group.
pub fn markdown(rows: &[Row], command: &str, charts: &[(String, PathBuf)]) -> String {
    let mut md = String::from("# concurrency-models: results\n\n");
    if let Some(first) = rows.first() {
        let _ = writeln!(md, "Machine: {}\n", first.machine);
    }
    let _ = writeln!(
        md,
        "Command: `{command}`\n\nThe headline is the marginal cost: the model's measured \
         phase (its runtime already up) divided by the operations in it; `±` is the \
         spread (MAD / median); `× best` divides each median by the best in the same \
         table, with a 95 % bootstrap interval, and a row whose interval holds 1 is a \
         tie. `start-up` is the wall time outside the measured phase (process start, \
         runtime build, teardown, verification). Wall time is taken by the parent \
         around each child process; CPU (split into user and kernel time; for crawl \
         the measured phase's, per request) and peak RSS come from `wait4` and the \
         child's own peak (`VmHWM` on Linux). {FLAG_MARK} marks a figure taken on a \
         busy machine (other processes used more than {:.0} % of the CPU during its \
         runs) or against a saturated server; the note under its table says which. \
         See docs/measuring.md.\n",
        100.0 * BUSY_OTHERS
    );
    if let Some(first) = rows.first() {
        for (k, v) in &first.machine.context {
            let _ = writeln!(md, "- {k}: {v}");
        }
        md.push('\n');
    }
    for (name, group) in groups(rows) {
        let _ = writeln!(md, "## {}\n", describe(&group));
        let h = header(group[0].workload);
        let _ = writeln!(md, "| {} |", h.join(" | "));
        let _ = writeln!(md, "|{}", "---|".repeat(h.len()));
        for r in &group {
            let c: Vec<String> = cells(r).iter().map(|c| c.replace('|', "\\|")).collect();
            let _ = writeln!(md, "| {} |", c.join(" | "));
        }
        let n = notes(&group);
        if !n.is_empty() {
            md.push('\n');
            for note in n {
                let _ = writeln!(md, "- {}", note.replace('|', "\\|"));
            }
        }
        for (chart_group, path) in charts {
            if chart_group == name {
                let file = path.file_name().map(|f| f.to_string_lossy().into_owned());
                let _ = writeln!(md, "\n![{name}]({})", file.unwrap_or_default());
            }
        }
        md.push('\n');
    }
    md
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_owned()
    }
}

/// `results.csv`: one line per row, parameters as `k=v` pairs.
pub fn csv(rows: &[Row]) -> String {
    let mut out = String::from(
        "workload,group,model,family,primitive,params,runs,median_wall_ns,min_wall_ns,\
         max_wall_ns,median_cpu_ns,median_work_cpu_ns,median_peak_rss_bytes,median_work_ns,\
         median_startup_ns,headline,spread,ratio_to_best,ratio_lo,ratio_hi,tie,tie_with,os_threads,\
         cgroup_bytes_per_task,server_cpu_share,machine_idle,saturated,warning,verified,error,\
         median_user_ns,median_sys_ns,median_work_user_ns,median_work_sys_ns,others_share,busy,\
         target,target_url\n",
    );
    let o = |v: Option<u64>| v.map_or(String::new(), |v| v.to_string());
    let f = |v: Option<f64>, digits: usize| v.map_or(String::new(), |v| format!("{v:.digits$}"));
    for r in rows {
        let params: Vec<String> = r.params.iter().map(|(k, v)| format!("{k}={v}")).collect();
        let fields = [
            r.workload.name().to_owned(),
            r.group.clone(),
            r.model.clone(),
            r.family.clone(),
            r.primitive.clone(),
            params.join(";"),
            r.runs.len().to_string(),
            o(r.median_wall_ns),
            o(r.min_wall_ns),
            o(r.max_wall_ns),
            o(r.median_cpu_ns),
            o(r.median_work_cpu_ns),
            o(r.median_peak_rss_bytes),
            o(r.median_work_ns),
            o(r.median_startup_ns),
            f(r.headline, 3),
            f(r.spread, 4),
            f(r.ratio_to_best, 4),
            f(r.ratio_interval.map(|i| i.0), 4),
            f(r.ratio_interval.map(|i| i.1), 4),
            r.tie.to_string(),
            r.tie_with.clone().unwrap_or_default(),
            r.os_threads.map_or(String::new(), |t| t.to_string()),
            f(r.cgroup_bytes_per_task, 1),
            f(r.server_cpu_share, 4),
            f(r.machine_idle, 4),
            r.saturated.clone().unwrap_or_default(),
            r.warning.clone().unwrap_or_default(),
            r.verified.to_string(),
            r.error.clone().unwrap_or_default(),
            o(r.median_user_ns),
            o(r.median_sys_ns),
            o(r.median_work_user_ns),
            o(r.median_work_sys_ns),
            f(r.others_share, 4),
            r.busy.clone().unwrap_or_default(),
            // The target stays last: scripts read a crawl's server from the end.
            r.target
                .as_ref()
                .map_or(String::new(), |t| t.kind.name().to_owned()),
            r.target.as_ref().map_or(String::new(), |t| t.url.clone()),
        ];
        let line: Vec<String> = fields.iter().map(|f| csv_field(f)).collect();
        out.push_str(&line.join(","));
        out.push('\n');
    }
    out
}
