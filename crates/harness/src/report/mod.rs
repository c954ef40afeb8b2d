//! Turning measured rows into what people read: a terminal table, `results.json`,
//! `results.csv`, `report.md`, SVG charts, and `report.html`, the one page that
//! holds them all; and several results folders side by side.
//!
//! Rows are grouped by what was run (a workload at one set of sizes); inside a
//! group every number is comparable, because it was taken in the same `compare`
//! run on the same machine. Each row's headline is the workload's *marginal* cost
//! (the probe's measured phase divided by the operations in it); `× best` divides
//! each row's median headline cost by the group's best, with a bootstrap interval,
//! and a row whose interval holds 1 is called a tie. Rows that did not verify keep
//! their error and are never ranked. A row taken on a busy machine or against a
//! saturated server is flagged wherever its figures appear.
//!
//! 1. this file: [`Row`], [`CodeCost`], [`rank`], [`groups`].
//! 2. `machine.rs`: [`Machine`], the fingerprint.
//! 3. `flags.rs`: busy machine, saturated server ([`BUSY_OTHERS`]).
//! 4. [`stats`]: medians, spread, outliers, bootstrap, Kendall's tau.
//! 5. `columns.rs`: the columns every table shares; `text.rs`: the terminal
//!    tables, Markdown and CSV.
//! 6. [`charts`]: plotters SVG (bars, lines, axes, the palette); `figures.rs`:
//!    which charts a folder has.
//! 7. [`html`]: `report.html`; `multi.rs`: several folders in one report.
//! 8. `files.rs`: writing a results folder and reading it back.
//! 9. `units.rs`: nanoseconds, bytes and headlines as people read them, and
//!    what each headline is called.
//! 10. `fetches.rs`: what each URL of a crawl of `--urls` got, under its table.

pub mod charts;
mod columns;
mod fetches;
mod figures;
mod files;
mod flags;
pub mod html;
mod machine;
mod multi;
pub mod stats;
#[cfg(test)]
mod tests;
mod text;
mod units;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::measure::{Extra, Sample, median};
use crate::spec::Workload;

pub use flags::{BUSY_OTHERS, FLAG_MARK, SATURATED_IDLE, SATURATED_SERVER};
pub use machine::{Machine, UNMEASURED_KEY};

pub use figures::{Figure, ideal_ns};
pub use files::{load, stamp, write_all};
pub use html::HTML_FILE;
pub use multi::{Run, compare_runs, write_multi};
pub use text::{csv, describe, markdown, terminal_tables};
use units::fmt_headline;
pub use units::{cost_label, fmt_bytes, fmt_ns, headline_label};

/// What an implementation costs to write and read (issue #17): computed from the
/// model's source at build time by the root crate and set by `compare`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct CodeCost {
    pub workload_lines: u32,
    pub runtime_lines: u32,
    pub unsafe_blocks: u32,
    pub direct_deps: u32,
}

/// One model on one workload at one size, over all its runs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Row {
    pub workload: Workload,
    /// What the rows of one table share: the workload and, in a sweep, the size.
    pub group: String,
    pub model: String,
    pub family: String,
    /// The primitive the model did the hand-overs with (see `Model::primitive`).
    #[serde(default)]
    pub primitive: String,
    pub params: BTreeMap<String, u64>,
    /// The swept parameter's name, in a sweep.
    pub sweep: Option<String>,
    /// The measured runs (warm-up runs are not here).
    pub runs: Vec<Sample>,
    pub median_wall_ns: Option<u64>,
    pub min_wall_ns: Option<u64>,
    pub max_wall_ns: Option<u64>,
    /// CPU of the whole child process (start-up included).
    pub median_cpu_ns: Option<u64>,
    /// The same split: user time (the model's own code) and system time (the
    /// kernel working for it), from `wait4`.
    #[serde(default)]
    pub median_user_ns: Option<u64>,
    #[serde(default)]
    pub median_sys_ns: Option<u64>,
    /// The measured phase's CPU, split the same way (crawl shows it per request).
    #[serde(default)]
    pub median_work_user_ns: Option<u64>,
    #[serde(default)]
    pub median_work_sys_ns: Option<u64>,
    /// CPU of the measured phase alone.
    #[serde(default)]
    pub median_work_cpu_ns: Option<u64>,
    pub median_peak_rss_bytes: Option<u64>,
    /// The measured phase (probe `begin` to `end`).
    pub median_work_ns: Option<u64>,
    /// Wall time outside the measured phase: process start, runtime build,
    /// teardown, verification, exit.
    #[serde(default)]
    pub median_startup_ns: Option<u64>,
    /// The cost each run's headline is ranked by, lower is better: ns per
    /// operation, CPU ns per request, bytes per task (see [`cost_label`]).
    #[serde(default)]
    pub costs: Vec<f64>,
    /// The workload's headline figure (see [`headline_label`]): the median cost,
    /// or for fanout the items per second it amounts to.
    pub headline: Option<f64>,
    /// Spread of the costs: MAD / median.
    #[serde(default)]
    pub spread: Option<f64>,
    /// Outliers or two modes among the runs, in words.
    #[serde(default)]
    pub warning: Option<String>,
    pub ratio_to_best: Option<f64>,
    /// 95 % bootstrap interval of the ratio to the best row.
    #[serde(default)]
    pub ratio_interval: Option<(f64, f64)>,
    /// The interval holds 1: not distinguishable from the best row.
    #[serde(default)]
    pub tie: bool,
    /// The next better row in the ranking, when the bootstrap interval of this
    /// row's ratio to it holds 1: the two cannot be told apart on this run.
    #[serde(default)]
    pub tie_with: Option<String>,
    /// OS threads the model ran on (median over runs).
    #[serde(default)]
    pub os_threads: Option<usize>,
    /// spawn: memory per task as the cell's cgroup saw it (user and kernel pages).
    #[serde(default)]
    pub cgroup_bytes_per_task: Option<f64>,
    /// crawl: the delay server's CPU as a share of one core, and the machine's idle
    /// share, medians over runs.
    #[serde(default)]
    pub server_cpu_share: Option<f64>,
    #[serde(default)]
    pub machine_idle: Option<f64>,
    /// crawl: why this cell measured the machine rather than the model, if it did.
    #[serde(default)]
    pub saturated: Option<String>,
    /// The share of the machine's CPU other processes used during the runs
    /// (median; see [`crate::measure::others_share`]).
    #[serde(default)]
    pub others_share: Option<f64>,
    /// Why this row was taken on a busy machine, if it was (see [`BUSY_OTHERS`]).
    #[serde(default)]
    pub busy: Option<String>,
    /// crawl: the server the rows fetched from (set by `compare` after [`Row::new`]).
    #[serde(default)]
    pub target: Option<crate::target::TargetInfo>,
    /// crawl of `--urls`: what each URL got in this row's last measured run.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fetches: Vec<crate::spec::Fetched>,
    /// What the model's implementation of this workload costs to write and read
    /// (set by `compare` after [`Row::new`], as `target` is).
    #[serde(default)]
    pub code_cost: Option<CodeCost>,
    /// server, fairness, cancel: the cell's own figures, medians over the runs;
    /// for a failed server run, that run's figures (how far behind it fell).
    #[serde(default)]
    pub extra: Option<Extra>,
    pub verified: bool,
    pub error: Option<String>,
    pub machine: Machine,
}

/// What a row is built from.
#[derive(Debug, Clone)]
pub struct RowInput {
    pub workload: Workload,
    pub group: String,
    pub model: String,
    pub family: String,
    pub primitive: String,
    pub params: BTreeMap<String, u64>,
    pub sweep: Option<String>,
    pub runs: Vec<Sample>,
    /// A failed run whose figures are still worth showing (never ranked).
    pub unranked: Option<Sample>,
    pub error: Option<String>,
    pub machine: Machine,
    /// crawl: the delay server's worker threads.
    pub server_threads: Option<usize>,
}

/// Each of the runs' extra figures, its median over the runs that have it.
fn median_extra(runs: &[Sample]) -> Option<Extra> {
    let all: Vec<Extra> = runs.iter().filter_map(|r| r.extra).collect();
    if all.is_empty() {
        return None;
    }
    let m = |get: fn(&Extra) -> Option<f64>| {
        let v: Vec<f64> = all.iter().filter_map(get).collect();
        stats::median_f(&v)
    };
    Some(Extra {
        rate: m(|e| e.rate),
        p50_ns: m(|e| e.p50_ns),
        p99_ns: m(|e| e.p99_ns),
        p999_ns: m(|e| e.p999_ns),
        max_ns: m(|e| e.max_ns),
        errors: m(|e| e.errors),
        held: m(|e| e.held),
        cpu_per_op_ns: m(|e| e.cpu_per_op_ns),
        send_lag_p99_ns: m(|e| e.send_lag_p99_ns),
        hogs_done_ns: m(|e| e.hogs_done_ns),
        returned_ns: m(|e| e.returned_ns),
        tasks_left: m(|e| e.tasks_left),
        threads_left: m(|e| e.threads_left),
        sockets_left: m(|e| e.sockets_left),
    })
}

fn median_usize(v: &[usize]) -> Option<usize> {
    let v: Vec<u64> = v.iter().map(|x| *x as u64).collect();
    median(&v).map(|x| x as usize)
}

impl Row {
    /// Builds a row from its runs; medians and the headline are derived here, the
    /// ratio later by [`rank`] once the group is complete.
    pub fn new(input: RowInput) -> Self {
        let RowInput {
            workload,
            group,
            model,
            family,
            primitive,
            params,
            sweep,
            runs,
            unranked,
            error,
            machine,
            server_threads,
        } = input;
        let walls: Vec<u64> = runs.iter().map(|r| r.wall_ns).collect();
        let cpu: Vec<u64> = runs.iter().map(|r| r.user_ns + r.sys_ns).collect();
        let user: Vec<u64> = runs.iter().map(|r| r.user_ns).collect();
        let sys: Vec<u64> = runs.iter().map(|r| r.sys_ns).collect();
        let work_user: Vec<u64> = runs.iter().filter_map(|r| r.work_user_ns).collect();
        let work_sys: Vec<u64> = runs.iter().filter_map(|r| r.work_sys_ns).collect();
        let others: Vec<f64> = runs.iter().filter_map(|r| r.others_share).collect();
        let others_share = stats::median_f(&others);
        let work_cpu: Vec<u64> = runs.iter().map(|r| r.work_cpu_ns).collect();
        let rss: Vec<u64> = runs.iter().map(Sample::peak_bytes).collect();
        let work: Vec<u64> = runs.iter().map(|r| r.work_ns).collect();
        let startup: Vec<u64> = runs.iter().map(Sample::startup_ns).collect();
        let verified = error.is_none() && !runs.is_empty();
        let ops = params
            .get(workload.ops_param().name())
            .copied()
            .unwrap_or(1)
            .max(1) as f64;
        // A run without the reading its cost needs (spawn: the RSS at `begin`, which
        // not every system gives) has no cost; a row with none shows "not measured".
        let costs: Vec<f64> = if verified {
            runs.iter()
                .filter_map(|r| match workload {
                    Workload::Crawl => Some(r.work_cpu_ns as f64 / ops),
                    Workload::PingPong | Workload::Ring | Workload::Fanout => {
                        Some(r.work_ns as f64 / ops)
                    }
                    Workload::Spawn => Some(r.added_rss_bytes()? as f64 / ops),
                    Workload::Server | Workload::Fairness | Workload::Cancel => r.headline_ns,
                })
                .collect()
        } else {
            Vec::new()
        };
        let median_cost = stats::median_f(&costs);
        let headline = match workload {
            Workload::Fanout => median_cost.map(|c| 1e9 / c.max(f64::MIN_POSITIVE)),
            _ => median_cost,
        };
        let cgroup_bytes_per_task = (workload == Workload::Spawn && verified)
            .then(|| {
                let per: Vec<f64> = runs
                    .iter()
                    .filter_map(|r| r.added_cgroup_bytes().map(|b| b as f64 / ops))
                    .collect();
                stats::median_f(&per)
            })
            .flatten();
        let threads: Vec<usize> = runs.iter().filter_map(|r| r.os_threads).collect();
        let server_share: Vec<f64> = runs
            .iter()
            .filter_map(|r| Some(r.server_cpu_ns? as f64 / r.wall_ns.max(1) as f64))
            .collect();
        let idle: Vec<f64> = runs.iter().filter_map(|r| r.machine_idle).collect();
        let server_cpu_share = stats::median_f(&server_share);
        let machine_idle = stats::median_f(&idle);
        let saturated = flags::saturation(server_cpu_share, server_threads, machine_idle);
        Self {
            workload,
            group,
            model,
            family,
            primitive,
            params,
            sweep,
            median_wall_ns: median(&walls),
            min_wall_ns: walls.iter().min().copied(),
            max_wall_ns: walls.iter().max().copied(),
            median_cpu_ns: median(&cpu),
            median_user_ns: median(&user),
            median_sys_ns: median(&sys),
            median_work_user_ns: median(&work_user),
            median_work_sys_ns: median(&work_sys),
            median_work_cpu_ns: median(&work_cpu),
            median_peak_rss_bytes: median(&rss),
            median_work_ns: median(&work),
            median_startup_ns: median(&startup),
            spread: stats::relative_spread(&costs),
            warning: stats::warning(&costs),
            costs,
            headline,
            ratio_to_best: None,
            ratio_interval: None,
            tie: false,
            tie_with: None,
            os_threads: median_usize(&threads),
            cgroup_bytes_per_task,
            server_cpu_share,
            machine_idle,
            saturated,
            others_share,
            busy: flags::busy(others_share),
            target: None,
            fetches: Vec::new(),
            code_cost: None,
            extra: median_extra(&runs).or_else(|| unranked.and_then(|s| s.extra)),
            runs,
            verified,
            error,
            machine,
        }
    }

    /// The median cost this row is ranked by.
    pub fn cost(&self) -> Option<f64> {
        stats::median_f(&self.costs)
    }
}

/// Sets each verified row's ratio to the best verified median cost of its group,
/// with a bootstrap interval (seeded by `seed`), and marks rows tied with the best.
pub fn rank(rows: &mut [Row], seed: u64) {
    let mut best: BTreeMap<String, (f64, Vec<f64>)> = BTreeMap::new();
    for r in rows.iter().filter(|r| r.verified) {
        if let Some(c) = r.cost() {
            let b = best
                .entry(r.group.clone())
                .or_insert_with(|| (c, r.costs.clone()));
            if c < b.0 {
                *b = (c, r.costs.clone());
            }
        }
    }
    let mut rng = stats::Rng::new(seed);
    for r in rows.iter_mut() {
        let (Some(c), Some((b, best_costs))) = (r.cost(), best.get(&r.group)) else {
            r.ratio_to_best = None;
            r.ratio_interval = None;
            r.tie = false;
            continue;
        };
        if !r.verified || *b <= 0.0 {
            continue;
        }
        r.ratio_to_best = Some(c / b);
        r.ratio_interval = stats::ratio_interval(&r.costs, best_costs, &mut rng);
        r.tie = c > *b && r.ratio_interval.is_some_and(|(lo, _)| lo <= 1.0);
    }
    // Neighbours: each row against the next better one in its group.
    let mut by_group: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (i, r) in rows.iter().enumerate() {
        if r.verified && r.cost().is_some() {
            by_group.entry(r.group.clone()).or_default().push(i);
        }
    }
    for (_, mut idx) in by_group {
        // Every index here has a cost (filtered above).
        let cost = |i: usize| rows[i].cost().unwrap_or(f64::MAX);
        idx.sort_by(|a, b| cost(*a).total_cmp(&cost(*b)));
        for pair in idx.windows(2) {
            let (better, worse) = (pair[0], pair[1]);
            let interval = stats::ratio_interval(&rows[worse].costs, &rows[better].costs, &mut rng);
            rows[worse].tie_with = interval
                .filter(|(lo, _)| *lo <= 1.0)
                .map(|_| rows[better].model.clone());
        }
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
