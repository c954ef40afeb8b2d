//! Several results folders in one report: a laptop, a CI runner and a 64-core
//! server, or one machine before and after a change. Each folder is a [`Run`],
//! keyed by its fingerprint (machine, commit, date); per workload the runs' headlines
//! stand side by side, each later run with its ratio to the first (headline of
//! run k / headline of run 1, with a bootstrap interval) and how well the models'
//! ranking agrees with the first run's (Kendall's tau).
//!
//! Only figures of one run are ever ranked against each other; across runs the
//! page compares a model with itself.
//!
//! 1. this file: [`Run`], the matching of groups and models across runs, the
//!    terminal comparison ([`compare_runs`]).
//! 2. `page.rs`: the combined `report.html` ([`write_multi`]).

mod page;

pub use page::write_multi;

use std::fmt::Write as _;
use std::io;
use std::path::{Path, PathBuf};

use comfy_table::{Cell, CellAlignment, ContentArrangement, Table, presets::UTF8_FULL_CONDENSED};

use super::columns::{num, ratio};
use super::stats::{Rng, kendall_tau, ratio_interval};
use super::{FLAG_MARK, Row, describe, fmt_headline, groups, headline_label, load};
use crate::spec::Workload;

/// One results folder.
#[derive(Debug, Clone)]
pub struct Run {
    pub dir: PathBuf,
    pub rows: Vec<Row>,
}

impl Run {
    /// Reads a results folder (or its results.json).
    pub fn load(dir: &Path) -> io::Result<Self> {
        let rows = load(dir)?;
        if rows.is_empty() {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!("{}: the results hold no rows", dir.display()),
            ));
        }
        Ok(Self {
            dir: dir.to_owned(),
            rows,
        })
    }

    fn context(&self, key: &str) -> Option<&str> {
        self.rows[0].machine.context.get(key).map(String::as_str)
    }

    /// What tells this run from the others: machine, commit, date.
    pub fn fingerprint(&self) -> (String, String, String) {
        let m = &self.rows[0].machine;
        let machine = format!("{} · {} cores · {} build", m.cpu, m.cores, m.profile);
        let commit = match (self.context("commit"), self.context("tree dirty")) {
            (Some(c), Some("yes")) => format!("{c} (dirty)"),
            (Some(c), _) => c.to_owned(),
            (None, _) => "unknown".to_owned(),
        };
        // Older results have no date of their own; their folder is named by it.
        let date = self
            .context("date (UTC)")
            .map(str::to_owned)
            .unwrap_or_else(|| {
                self.dir
                    .file_name()
                    .map_or_else(|| "unknown".into(), |f| f.to_string_lossy().into_owned())
            });
        (machine, commit, date)
    }

    /// The row of `model` in the group named `group`.
    fn row(&self, group: &str, model: &str) -> Option<&Row> {
        self.rows
            .iter()
            .find(|r| r.group == group && r.model == model)
    }
}

/// The groups of every run in first-seen order, each with its models.
fn union(runs: &[Run]) -> Vec<(String, Vec<String>)> {
    let mut out: Vec<(String, Vec<String>)> = Vec::new();
    for run in runs {
        for (name, group) in groups(&run.rows) {
            let i = match out.iter().position(|(g, _)| g == name) {
                Some(i) => i,
                None => {
                    out.push((name.to_owned(), Vec::new()));
                    out.len() - 1
                }
            };
            for r in group {
                if !out[i].1.contains(&r.model) {
                    out[i].1.push(r.model.clone());
                }
            }
        }
    }
    out
}

/// A model's headline in run k, and its ratio to run 1 with an interval.
struct Cellv {
    text: String,
    flagged: bool,
}

fn cell(first: Option<&Row>, this: Option<&Row>, k: usize, rng: &mut Rng) -> Cellv {
    let Some(r) = this else {
        return Cellv {
            text: "–".into(),
            flagged: false,
        };
    };
    let Some(h) = r.headline.filter(|_| r.verified) else {
        let why = match &r.error {
            _ if r.verified => "not measured",
            Some(e) if e.starts_with("unsupported") => "unsupported",
            _ => "failed",
        };
        return Cellv {
            text: why.into(),
            flagged: false,
        };
    };
    let flagged = !r.flags().is_empty();
    let mark = if flagged {
        format!(" {FLAG_MARK}")
    } else {
        String::new()
    };
    let mut text = format!("{}{mark}", fmt_headline(r.workload, h));
    let base = first.filter(|f| f.verified).and_then(|f| f.headline);
    if let (true, Some(b)) = (k > 0, base) {
        // The interval is of the cost ratio; for items/s the headline is its inverse.
        let iv = first.and_then(|f| ratio_interval(&r.costs, &f.costs, rng));
        let iv = match (r.workload, iv) {
            (Workload::Fanout, Some((lo, hi))) => Some((1.0 / hi, 1.0 / lo)),
            (_, iv) => iv,
        };
        let _ = write!(text, " ({}", ratio(h / b.max(f64::MIN_POSITIVE)));
        if let Some((lo, hi)) = iv {
            let _ = write!(text, ", {}–{}", num(lo), num(hi));
        }
        text.push(')');
    }
    Cellv { text, flagged }
}

/// Kendall's tau between run k's and run 1's headline ranking of one group.
fn agreement(runs: &[Run], group: &str, k: usize) -> Option<f64> {
    let ranked = |run: &Run| -> Vec<(String, f64)> {
        run.rows
            .iter()
            .filter(|r| r.group == group && r.verified)
            .filter_map(|r| Some((r.model.clone(), r.cost()?)))
            .collect()
    };
    let (a, b) = (ranked(&runs[0]), ranked(&runs[k]));
    let a: Vec<(&str, f64)> = a.iter().map(|(m, c)| (m.as_str(), *c)).collect();
    let b: Vec<(&str, f64)> = b.iter().map(|(m, c)| (m.as_str(), *c)).collect();
    kendall_tau(&a, &b)
}

fn run_lines(runs: &[Run]) -> Vec<String> {
    runs.iter()
        .enumerate()
        .map(|(i, run)| {
            let (machine, commit, date) = run.fingerprint();
            format!(
                "run {}: {machine} · commit {commit} · {date} ({})",
                i + 1,
                run.dir.display()
            )
        })
        .collect()
}

/// The terminal comparison: the runs, then a table per group.
pub fn compare_runs(runs: &[Run]) -> String {
    let mut out = String::new();
    for line in run_lines(runs) {
        let _ = writeln!(out, "{line}");
    }
    let _ = writeln!(
        out,
        "\nEach later run's headline is followed by its ratio to run 1 (95 % interval); \
         {FLAG_MARK} marks a figure taken on a busy machine or against a saturated server.\n"
    );
    let mut rng = Rng::new(1);
    for (group, models) in union(runs) {
        let Some(sample) = runs
            .iter()
            .find_map(|r| r.rows.iter().find(|x| x.group == group))
        else {
            continue;
        };
        let rows_of: Vec<&Row> = runs[0].rows.iter().filter(|r| r.group == group).collect();
        let title = if rows_of.is_empty() {
            group.clone()
        } else {
            describe(&rows_of)
        };
        let mut table = Table::new();
        table
            .load_preset(UTF8_FULL_CONDENSED)
            .set_content_arrangement(ContentArrangement::Dynamic);
        let mut head = vec![format!("model ({})", headline_label(sample.workload))];
        head.extend((1..=runs.len()).map(|k| format!("run {k}")));
        table.set_header(head);
        for model in &models {
            let first = runs[0].row(&group, model);
            let mut line = vec![Cell::new(model)];
            for (k, run) in runs.iter().enumerate() {
                let c = cell(first, run.row(&group, model), k, &mut rng);
                line.push(Cell::new(c.text).set_alignment(CellAlignment::Right));
            }
            table.add_row(line);
        }
        let _ = writeln!(out, "{title}\n{table}");
        for k in 1..runs.len() {
            if let Some(tau) = agreement(runs, &group, k) {
                let _ = writeln!(
                    out,
                    "  ranking agreement with run 1 (Kendall's tau), run {}: {tau:.2}",
                    k + 1
                );
            }
        }
        out.push('\n');
    }
    out
}
