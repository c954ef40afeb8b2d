//! Turning measured rows into what people read: a terminal table, `results.json`,
//! `results.csv`, `report.md`, and one SVG chart per workload (or per sweep).
//!
//! Rows are grouped by what was run (a workload at one set of sizes); inside a
//! group every number is comparable, because it was taken in the same `compare`
//! run on the same machine, and the ratio column divides each model's median by the
//! group's best verified median. Rows that did not verify keep their error and are
//! never ranked.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use comfy_table::{Cell, CellAlignment, ContentArrangement, Table, presets::UTF8_FULL_CONDENSED};
use plotters::prelude::*;
use serde::{Deserialize, Serialize};

use crate::measure::{Sample, median};
use crate::spec::Workload;

/// The machine a run was taken on: numbers from different machines do not compare.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Machine {
    pub cpu: String,
    pub cores: usize,
    pub kernel: String,
    pub rustc: String,
    /// `release` or `debug`: debug-build timings are not worth quoting.
    pub profile: String,
}

impl Machine {
    /// Reads this machine's fingerprint; `rustc` and `profile` come from the build.
    pub fn detect(rustc: &str, profile: &str) -> Self {
        let cpu = fs::read_to_string("/proc/cpuinfo")
            .ok()
            .and_then(|s| {
                s.lines()
                    .find(|l| l.starts_with("model name"))
                    .and_then(|l| l.split_once(':'))
                    .map(|(_, v)| v.trim().to_owned())
            })
            .unwrap_or_else(|| std::env::consts::ARCH.to_owned());
        let kernel = fs::read_to_string("/proc/sys/kernel/osrelease")
            .map(|s| format!("Linux {}", s.trim()))
            .unwrap_or_else(|_| std::env::consts::OS.to_owned());
        Self {
            cpu,
            cores: crate::spec::default_threads(),
            kernel,
            rustc: rustc.to_owned(),
            profile: profile.to_owned(),
        }
    }
}

impl std::fmt::Display for Machine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} · {} cores · {} · {} · {} build",
            self.cpu, self.cores, self.kernel, self.rustc, self.profile
        )
    }
}

/// One model on one workload at one size, over all its runs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Row {
    pub workload: Workload,
    /// What the rows of one table share: the workload and, in a sweep, the size.
    pub group: String,
    pub model: String,
    pub family: String,
    pub params: BTreeMap<String, u64>,
    /// The swept parameter's name, in a sweep.
    pub sweep: Option<String>,
    pub runs: Vec<Sample>,
    /// Time inside the child around the model call alone (no process start-up, no
    /// verification), one per run.
    pub work_ns: Vec<u64>,
    pub median_wall_ns: Option<u64>,
    pub min_wall_ns: Option<u64>,
    pub max_wall_ns: Option<u64>,
    pub median_cpu_ns: Option<u64>,
    pub median_peak_rss_bytes: Option<u64>,
    pub median_work_ns: Option<u64>,
    /// The workload's headline figure (see [`headline_label`]).
    pub headline: Option<f64>,
    pub ratio_to_best: Option<f64>,
    pub verified: bool,
    pub error: Option<String>,
    pub machine: Machine,
}

/// What the headline column means for each workload.
pub fn headline_label(workload: Workload) -> &'static str {
    match workload {
        Workload::Crawl => "CPU/request",
        Workload::PingPong => "per round trip",
        Workload::Ring => "per hop",
        Workload::Spawn => "added RSS/task",
        Workload::Fanout => "items/s",
    }
}

impl Row {
    /// Builds a row from its runs; medians and the headline are derived here, the
    /// ratio later by [`rank`] once the group is complete.
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        workload: Workload,
        group: String,
        model: &str,
        family: &str,
        params: BTreeMap<String, u64>,
        sweep: Option<String>,
        runs: Vec<Sample>,
        work_ns: Vec<u64>,
        error: Option<String>,
        machine: Machine,
    ) -> Self {
        let walls: Vec<u64> = runs.iter().map(|r| r.wall_ns).collect();
        let cpu: Vec<u64> = runs.iter().map(|r| r.user_ns + r.sys_ns).collect();
        let rss: Vec<u64> = runs.iter().map(|r| r.peak_rss_bytes).collect();
        let added_rss: Vec<u64> = runs.iter().map(Sample::added_rss_bytes).collect();
        let verified = error.is_none() && !runs.is_empty();
        let ops = params
            .get(workload.ops_param().name())
            .copied()
            .unwrap_or(1)
            .max(1) as f64;
        let median_work_ns = median(&work_ns);
        let median_cpu_ns = median(&cpu);
        let median_peak_rss_bytes = median(&rss);
        let headline = if verified {
            match workload {
                Workload::Crawl => median_cpu_ns.map(|c| c as f64 / ops),
                Workload::PingPong | Workload::Ring => median_work_ns.map(|w| w as f64 / ops),
                // Above the process's own starting footprint, which is not the
                // tasks' doing (about 4 MiB, or 400 B a task at n=10,000).
                Workload::Spawn => median(&added_rss).map(|r| r as f64 / ops),
                Workload::Fanout => median_work_ns.map(|w| ops / (w.max(1) as f64 / 1e9)),
            }
        } else {
            None
        };
        Self {
            workload,
            group,
            model: model.to_owned(),
            family: family.to_owned(),
            params,
            sweep,
            median_wall_ns: median(&walls),
            min_wall_ns: walls.iter().min().copied(),
            max_wall_ns: walls.iter().max().copied(),
            median_cpu_ns,
            median_peak_rss_bytes,
            median_work_ns,
            runs,
            work_ns,
            headline,
            ratio_to_best: None,
            verified,
            error,
            machine,
        }
    }
}

/// Sets each verified row's ratio to the best verified median of its group.
pub fn rank(rows: &mut [Row]) {
    let mut best: BTreeMap<String, u64> = BTreeMap::new();
    for r in rows.iter().filter(|r| r.verified) {
        if let Some(m) = r.median_wall_ns {
            let b = best.entry(r.group.clone()).or_insert(m);
            *b = (*b).min(m);
        }
    }
    for r in rows.iter_mut() {
        r.ratio_to_best = match (r.verified, r.median_wall_ns, best.get(&r.group)) {
            (true, Some(m), Some(&b)) if b > 0 => Some(m as f64 / b as f64),
            _ => None,
        };
    }
}

/// Groups in first-seen order, each with its rows.
pub fn groups(rows: &[Row]) -> Vec<(&str, Vec<&Row>)> {
    let mut out: Vec<(&str, Vec<&Row>)> = Vec::new();
    for r in rows {
        match out.iter_mut().find(|(g, _)| *g == r.group) {
            Some((_, v)) => v.push(r),
            None => out.push((&r.group, vec![r])),
        }
    }
    out
}

/// `1.23 ms`, `456 µs`, `2.50 s`.
pub fn fmt_ns(ns: f64) -> String {
    if ns >= 1e9 {
        format!("{:.2} s", ns / 1e9)
    } else if ns >= 1e6 {
        format!("{:.2} ms", ns / 1e6)
    } else if ns >= 1e3 {
        format!("{:.1} µs", ns / 1e3)
    } else {
        format!("{ns:.0} ns")
    }
}

/// `12.3 MiB`, `840 B`.
pub fn fmt_bytes(b: f64) -> String {
    if b >= (1u64 << 30) as f64 {
        format!("{:.2} GiB", b / (1u64 << 30) as f64)
    } else if b >= (1u64 << 20) as f64 {
        format!("{:.1} MiB", b / (1u64 << 20) as f64)
    } else if b >= 1024.0 {
        format!("{:.1} KiB", b / 1024.0)
    } else {
        format!("{b:.0} B")
    }
}

fn fmt_headline(workload: Workload, v: f64) -> String {
    match workload {
        Workload::Crawl | Workload::PingPong | Workload::Ring => fmt_ns(v),
        Workload::Spawn => fmt_bytes(v),
        Workload::Fanout => {
            if v >= 1e6 {
                format!("{:.2} M", v / 1e6)
            } else {
                format!("{:.0} k", v / 1e3)
            }
        }
    }
}

/// The cells of one row, as both the terminal table and the Markdown show them.
fn cells(r: &Row) -> [String; 8] {
    let opt_ns = |v: Option<u64>| v.map_or("–".into(), |v| fmt_ns(v as f64));
    let status = match (&r.error, r.verified) {
        (_, true) => "yes".to_owned(),
        (Some(e), _) => e.clone(),
        (None, false) => "no runs".to_owned(),
    };
    [
        r.model.clone(),
        opt_ns(r.median_wall_ns),
        match (r.min_wall_ns, r.max_wall_ns) {
            (Some(a), Some(b)) => format!("{} – {}", fmt_ns(a as f64), fmt_ns(b as f64)),
            _ => "–".into(),
        },
        r.ratio_to_best.map_or("–".into(), |x| format!("{x:.2}×")),
        r.headline
            .map_or("–".into(), |v| fmt_headline(r.workload, v)),
        opt_ns(r.median_cpu_ns),
        r.median_peak_rss_bytes
            .map_or("–".into(), |b| fmt_bytes(b as f64)),
        status,
    ]
}

fn header(workload: Workload) -> [&'static str; 8] {
    [
        "model",
        "median",
        "min – max",
        "× best",
        headline_label(workload),
        "CPU",
        "peak RSS",
        "verified",
    ]
}

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
        let p = &first.params;
        if let (Some(n), Some(c), Some(d)) = (p.get("n"), p.get("concurrency"), p.get("delay_ms")) {
            let ideal = n.div_ceil((*c).max(1)) * d;
            let _ = write!(s, ", ideal {ideal} ms");
        }
    }
    let runs = rows.iter().map(|r| r.runs.len()).max().unwrap_or(0);
    let _ = write!(s, ", {runs} runs each");
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
            // A long reason would stretch the table past any terminal: cut it in
            // the cell and print it whole below.
            if cells[7].chars().count() > STATUS_WIDTH {
                notes.push(format!("  {}: {}", r.model, cells[7]));
                let cut: String = cells[7].chars().take(STATUS_WIDTH - 1).collect();
                cells[7] = format!("{cut}…");
            }
            let row: Vec<Cell> = cells
                .into_iter()
                .enumerate()
                .map(|(i, c)| {
                    let cell = Cell::new(c);
                    if (1..=6).contains(&i) {
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
        "Command: `{command}`\n\nMedians of the runs; `× best` divides by the fastest verified \
         median in the same table. Wall time is taken by the parent around each child \
         process; CPU and peak RSS come from `wait4`.\n"
    );
    for (name, group) in groups(rows) {
        let _ = writeln!(md, "## {}\n", describe(&group));
        let h = header(group[0].workload);
        let _ = writeln!(md, "| {} |", h.join(" | "));
        let _ = writeln!(md, "|{}", "---|".repeat(h.len()));
        for r in &group {
            let c = cells(r).map(|c| c.replace('|', "\\|"));
            let _ = writeln!(md, "| {} |", c.join(" | "));
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
        "workload,group,model,family,params,runs,median_wall_ns,min_wall_ns,max_wall_ns,\
         median_cpu_ns,median_peak_rss_bytes,median_work_ns,headline,ratio_to_best,verified,error\n",
    );
    let o = |v: Option<u64>| v.map_or(String::new(), |v| v.to_string());
    for r in rows {
        let params: Vec<String> = r.params.iter().map(|(k, v)| format!("{k}={v}")).collect();
        let fields = [
            r.workload.name().to_owned(),
            r.group.clone(),
            r.model.clone(),
            r.family.clone(),
            params.join(";"),
            r.runs.len().to_string(),
            o(r.median_wall_ns),
            o(r.min_wall_ns),
            o(r.max_wall_ns),
            o(r.median_cpu_ns),
            o(r.median_peak_rss_bytes),
            o(r.median_work_ns),
            r.headline.map_or(String::new(), |h| format!("{h:.3}")),
            r.ratio_to_best.map_or(String::new(), |x| format!("{x:.4}")),
            r.verified.to_string(),
            r.error.clone().unwrap_or_default(),
        ];
        let line: Vec<String> = fields.iter().map(|f| csv_field(f)).collect();
        out.push_str(&line.join(","));
        out.push('\n');
    }
    out
}

fn plot_err(e: impl std::fmt::Display) -> io::Error {
    io::Error::other(format!("drawing a chart: {e}"))
}

const PALETTE: [RGBColor; 10] = [
    RGBColor(31, 119, 180),
    RGBColor(255, 127, 14),
    RGBColor(44, 160, 44),
    RGBColor(214, 39, 40),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
    RGBColor(227, 119, 194),
    RGBColor(127, 127, 127),
    RGBColor(188, 189, 34),
    RGBColor(23, 190, 207),
];

/// A horizontal bar per verified model: median wall time, with a min–max whisker.
pub fn bar_chart(path: &Path, title: &str, rows: &[&Row]) -> io::Result<()> {
    let bars: Vec<(&str, f64, f64, f64)> = rows
        .iter()
        .filter(|r| r.verified)
        .filter_map(|r| {
            Some((
                r.model.as_str(),
                r.median_wall_ns? as f64 / 1e6,
                r.min_wall_ns? as f64 / 1e6,
                r.max_wall_ns? as f64 / 1e6,
            ))
        })
        .collect();
    let n = bars.len().max(1);
    let height = 90 + 34 * u32::try_from(n).unwrap_or(1);
    let root = SVGBackend::new(path, (820, height)).into_drawing_area();
    root.fill(&WHITE).map_err(plot_err)?;
    // Models differ by orders of magnitude (a function call against a context
    // switch), so the axis is logarithmic: on a linear one the fast bars vanish.
    let max = bars.iter().map(|b| b.3).fold(0.0, f64::max).max(1e-3) * 1.5;
    let floor = bars
        .iter()
        .map(|b| b.2)
        .fold(f64::MAX, f64::min)
        .min(max / 10.0)
        / 1.5;
    let mut chart = ChartBuilder::on(&root)
        .caption(title, ("sans-serif", 18))
        .margin(12)
        .x_label_area_size(36)
        .y_label_area_size(120)
        .build_cartesian_2d((floor..max).log_scale(), (0..n).into_segmented())
        .map_err(plot_err)?;
    let names: Vec<String> = bars.iter().map(|b| b.0.to_owned()).collect();
    chart
        .configure_mesh()
        .disable_y_mesh()
        .x_desc("median wall time (ms, log scale), whiskers: min – max")
        .y_label_formatter(&|v| match v {
            SegmentValue::CenterOf(i) => names.get(*i).cloned().unwrap_or_default(),
            _ => String::new(),
        })
        .draw()
        .map_err(plot_err)?;
    chart
        .draw_series(bars.iter().enumerate().map(|(i, b)| {
            let mut bar = Rectangle::new(
                [
                    (0.0, SegmentValue::Exact(i)),
                    (b.1, SegmentValue::Exact(i + 1)),
                ],
                PALETTE[i % PALETTE.len()].filled(),
            );
            bar.set_margin(6, 6, 0, 0);
            bar
        }))
        .map_err(plot_err)?;
    chart
        .draw_series(bars.iter().enumerate().map(|(i, b)| {
            PathElement::new(
                vec![
                    (b.2, SegmentValue::CenterOf(i)),
                    (b.3, SegmentValue::CenterOf(i)),
                ],
                BLACK.stroke_width(2),
            )
        }))
        .map_err(plot_err)?;
    root.present().map_err(plot_err)
}

/// A sweep: median wall time against the swept size, one line per model, log axes.
pub fn sweep_chart(path: &Path, title: &str, param: &str, rows: &[&Row]) -> io::Result<()> {
    let mut lines: BTreeMap<&str, Vec<(f64, f64)>> = BTreeMap::new();
    let mut order: Vec<&str> = Vec::new();
    for r in rows.iter().filter(|r| r.verified) {
        let (Some(x), Some(y)) = (r.params.get(param), r.median_wall_ns) else {
            continue;
        };
        if !order.contains(&r.model.as_str()) {
            order.push(&r.model);
        }
        lines
            .entry(&r.model)
            .or_default()
            .push((*x as f64, y as f64 / 1e6));
    }
    let xs = || lines.values().flatten().map(|p| p.0);
    let ys = || lines.values().flatten().map(|p| p.1);
    let (x0, x1) = (xs().fold(f64::MAX, f64::min), xs().fold(0.0, f64::max));
    let (y0, y1) = (ys().fold(f64::MAX, f64::min), ys().fold(0.0, f64::max));
    let (x0, x1) = if x0 > x1 {
        (1.0, 10.0)
    } else {
        (x0 / 1.5, x1 * 1.5)
    };
    let (y0, y1) = if y0 > y1 {
        (1.0, 10.0)
    } else {
        (y0 / 1.5, y1 * 1.5)
    };
    let root = SVGBackend::new(path, (820, 520)).into_drawing_area();
    root.fill(&WHITE).map_err(plot_err)?;
    let mut chart = ChartBuilder::on(&root)
        .caption(title, ("sans-serif", 18))
        .margin(12)
        .x_label_area_size(40)
        .y_label_area_size(70)
        .build_cartesian_2d((x0..x1).log_scale(), (y0..y1).log_scale())
        .map_err(plot_err)?;
    chart
        .configure_mesh()
        .x_desc(param)
        .y_desc("median wall time (ms)")
        .draw()
        .map_err(plot_err)?;
    for (i, model) in order.iter().enumerate() {
        let color = PALETTE[i % PALETTE.len()];
        let mut points = lines.remove(model).unwrap_or_default();
        points.sort_by(|a, b| a.0.total_cmp(&b.0));
        chart
            .draw_series(LineSeries::new(points.clone(), color.stroke_width(2)))
            .map_err(plot_err)?
            .label(*model)
            .legend(move |(x, y)| {
                PathElement::new(vec![(x, y), (x + 18, y)], color.stroke_width(2))
            });
        chart
            .draw_series(
                points
                    .into_iter()
                    .map(|p| Circle::new(p, 3, color.filled())),
            )
            .map_err(plot_err)?;
    }
    chart
        .configure_series_labels()
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK)
        .position(SeriesLabelPosition::UpperLeft)
        .draw()
        .map_err(plot_err)?;
    root.present().map_err(plot_err)
}

/// Writes results.json, results.csv, one SVG per group (or per sweep) and report.md
/// into `dir`; returns the files written.
pub fn write_all(dir: &Path, rows: &[Row], command: &str) -> io::Result<Vec<PathBuf>> {
    fs::create_dir_all(dir)?;
    let mut written = Vec::new();
    let json = dir.join("results.json");
    fs::write(
        &json,
        serde_json::to_string_pretty(rows).map_err(io::Error::other)?,
    )?;
    written.push(json);
    let csv_path = dir.join("results.csv");
    fs::write(&csv_path, csv(rows))?;
    written.push(csv_path);
    let mut charts = Vec::new();
    // A sweep is one chart per workload with every size on it.
    let mut swept: Vec<(Workload, String)> = Vec::new();
    for r in rows {
        if let Some(p) = &r.sweep {
            if !swept.contains(&(r.workload, p.clone())) {
                swept.push((r.workload, p.clone()));
            }
        }
    }
    for (workload, param) in &swept {
        let these: Vec<&Row> = rows
            .iter()
            .filter(|r| r.workload == *workload && r.sweep.as_deref() == Some(param))
            .collect();
        let path = dir.join(format!("{workload}-sweep-{param}.svg"));
        sweep_chart(
            &path,
            &format!("{workload}: cost against {param}"),
            param,
            &these,
        )?;
        for r in &these {
            if !charts.iter().any(|(g, _)| g == &r.group) {
                charts.push((r.group.clone(), path.clone()));
            }
        }
        written.push(path);
    }
    for (name, group) in groups(rows) {
        if group[0].sweep.is_some() {
            continue;
        }
        let file: String = name
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
            .collect();
        let path = dir.join(format!("{file}.svg"));
        bar_chart(&path, &describe(&group), &group)?;
        charts.push((name.to_owned(), path.clone()));
        written.push(path);
    }
    let md = dir.join("report.md");
    fs::write(&md, markdown(rows, command, &charts))?;
    written.push(md);
    Ok(written)
}

/// Reads rows back from a results.json (or the directory holding one).
pub fn load(path: &Path) -> io::Result<Vec<Row>> {
    let file = if path.is_dir() {
        path.join("results.json")
    } else {
        path.to_owned()
    };
    let text = fs::read_to_string(&file)
        .map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", file.display())))?;
    serde_json::from_str(&text).map_err(|e| {
        io::Error::new(
            io::ErrorKind::InvalidData,
            format!("{} is not a results.json: {e}", file.display()),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn machine() -> Machine {
        Machine::detect("rustc test", "debug")
    }

    fn row(model: &str, walls: &[u64], error: Option<&str>, group: &str, n: u64) -> Row {
        let runs = walls
            .iter()
            .map(|&w| Sample {
                wall_ns: w,
                user_ns: w / 2,
                sys_ns: w / 4,
                peak_rss_bytes: 4 << 20,
                vm_hwm_bytes: None,
                base_rss_bytes: Some(1 << 20),
            })
            .collect();
        let params = BTreeMap::from([("n".to_owned(), n), ("sleep_ms".to_owned(), 10)]);
        Row::new(
            Workload::Spawn,
            group.into(),
            model,
            "Baseline",
            params,
            Some("n".into()),
            runs,
            walls.to_vec(),
            error.map(str::to_owned),
            machine(),
        )
    }

    #[test]
    fn ratios_rank_within_groups_and_skip_failures() {
        let mut rows = vec![
            row("a", &[30, 10, 20], None, "g1", 100),
            row("b", &[40, 40, 40], None, "g1", 100),
            row("c", &[1, 1, 1], Some("unsupported: no"), "g1", 100),
            row("a", &[5], None, "g2", 1000),
        ];
        rank(&mut rows);
        assert_eq!(rows[0].median_wall_ns, Some(20));
        assert_eq!(
            (rows[0].min_wall_ns, rows[0].max_wall_ns),
            (Some(10), Some(30))
        );
        assert_eq!(rows[0].ratio_to_best, Some(1.0));
        assert_eq!(rows[1].ratio_to_best, Some(2.0));
        assert_eq!(rows[2].ratio_to_best, None);
        assert!(!rows[2].verified);
        assert_eq!(rows[3].ratio_to_best, Some(1.0));
        // Spawn's headline is the peak RSS the run added, per task.
        assert_eq!(rows[0].headline, Some((3u64 << 20) as f64 / 100.0));
    }

    #[test]
    fn everything_is_written_and_reads_back() {
        let dir = std::env::temp_dir().join(format!("cm-report-{}", std::process::id()));
        let mut rows = vec![
            row("a", &[3_000_000, 1_000_000], None, "spawn n=100", 100),
            row(
                "b",
                &[9_000_000],
                Some("verification failed: 1 of 2, \"x\""),
                "spawn n=100",
                100,
            ),
            row("a", &[5_000_000], None, "spawn n=1000", 1000),
        ];
        rank(&mut rows);
        let files = write_all(&dir, &rows, "compare --sweep n=100,1000").unwrap();
        let names: Vec<String> = files
            .iter()
            .map(|f| f.file_name().unwrap().to_string_lossy().into_owned())
            .collect();
        assert_eq!(
            names,
            [
                "results.json",
                "results.csv",
                "spawn-sweep-n.svg",
                "report.md"
            ]
        );
        assert_eq!(load(&dir).unwrap(), rows);
        let csv = fs::read_to_string(dir.join("results.csv")).unwrap();
        assert_eq!(csv.lines().count(), 4);
        assert!(
            csv.contains("\"verification failed: 1 of 2, \"\"x\"\"\""),
            "{csv}"
        );
        let svg = fs::read_to_string(dir.join("spawn-sweep-n.svg")).unwrap();
        assert!(
            svg.starts_with("<svg") && svg.contains("\na\n"),
            "legend names the model"
        );
        let md = fs::read_to_string(dir.join("report.md")).unwrap();
        assert!(md.contains("| a | 2.00 ms |"), "{md}");
        assert!(md.contains("![spawn n=100](spawn-sweep-n.svg)"), "{md}");
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn bar_charts_name_each_model() {
        let dir = std::env::temp_dir().join(format!("cm-bars-{}", std::process::id()));
        fs::create_dir_all(&dir).unwrap();
        let mut rows = vec![
            row("fast", &[1_000_000], None, "g", 10),
            row("slow", &[4_000_000], None, "g", 10),
        ];
        rows.iter_mut().for_each(|r| r.sweep = None);
        rank(&mut rows);
        let refs: Vec<&Row> = rows.iter().collect();
        let path = dir.join("g.svg");
        bar_chart(&path, "title", &refs).unwrap();
        let svg = fs::read_to_string(&path).unwrap();
        // plotters writes each label as a text element on a line of its own.
        assert!(
            svg.contains("\nfast\n") && svg.contains("\nslow\n"),
            "{svg}"
        );
        rows[1].error = Some(format!("unsupported: {}", "x".repeat(100)));
        rows[1].verified = false;
        rank(&mut rows);
        let table = terminal_tables(&rows);
        assert!(table.contains("1.00×"), "{table}");
        // The long reason is cut in the table and printed whole below it.
        assert!(table.contains("xxx…"), "{table}");
        assert!(table.contains(&format!("  slow: unsupported: {}", "x".repeat(100))));
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn units() {
        assert_eq!(fmt_ns(999.0), "999 ns");
        assert_eq!(fmt_ns(1_500.0), "1.5 µs");
        assert_eq!(fmt_ns(2_500_000.0), "2.50 ms");
        assert_eq!(fmt_bytes(8.7 * 1024.0), "8.7 KiB");
    }
}
