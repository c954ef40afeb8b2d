//! The page of several runs: their fingerprints side by side, the colour legend,
//! and per workload a table of each model's headline in every run (with the ratio
//! to run 1) and a chart with a bar per model and run.

use std::fmt::Write as _;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use super::super::charts::{self, Bar, Bars, Frame, Palette, Unit, hex};
use super::super::html::{self, HTML_FILE, esc};
use super::super::stats::Rng;
use super::super::{FLAG_MARK, Figure, Row, describe, headline_label};
use super::{Run, agreement, cell, union};
use crate::spec::Workload;

/// The page of several runs, with its charts, into `out`; returns the page's path.
pub fn write_multi(runs: &[Run], out: &Path, command: &str) -> io::Result<PathBuf> {
    fs::create_dir_all(out)?;
    let all: Vec<&Row> = runs.iter().flat_map(|r| &r.rows).collect();
    let palette = Palette::new(all.iter().map(|r| (r.model.as_str(), r.family.as_str())));
    let title = format!("concurrency-models: {} runs side by side", runs.len());
    let mut s = html::head(&title);
    let _ = writeln!(s, "<header>\n<h1>{}</h1>", esc(&title));
    let _ = writeln!(s, "<p>Command: <code>{}</code></p>", esc(command));
    s.push_str("<div class=\"table-wrap\"><table class=\"runs\"><thead><tr><th>run</th><th>machine</th><th>commit</th><th>date (UTC)</th><th>load before → after</th><th>flagged rows</th><th>folder</th></tr></thead><tbody>\n");
    for (i, run) in runs.iter().enumerate() {
        let (machine, commit, date) = run.fingerprint();
        let load = format!(
            "{} → {}",
            run.context("load before").unwrap_or("?"),
            run.context("load after").unwrap_or("?")
        );
        let flagged = run.rows.iter().filter(|r| !r.flags().is_empty()).count();
        let _ = writeln!(
            s,
            "<tr data-run=\"{}\"><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td class=\"num\">{flagged} of {}</td><td><code>{}</code></td></tr>",
            i + 1,
            i + 1,
            esc(&machine),
            esc(&commit),
            esc(&date),
            esc(&load),
            run.rows.len(),
            esc(&run.dir.display().to_string())
        );
    }
    s.push_str("</tbody></table></div>\n");
    for (i, run) in runs.iter().enumerate() {
        let _ = writeln!(
            s,
            "<details><summary>run {}: what it depended on</summary>",
            i + 1
        );
        s.push_str(&html::fingerprint(&run.rows[0].machine));
        s.push_str("</details>\n");
    }
    s.push_str("</header>\n");
    s.push_str(&html::legend(&palette));
    let _ = writeln!(
        s,
        "<p class=\"reading\">Per workload, each model's headline in every run; a later run's \
         figure is followed by its ratio to run 1 (headline of run k / run 1) and the ratio's \
         95 % bootstrap interval. {FLAG_MARK} marks a figure taken on a busy machine or against a \
         saturated server. The charts draw every run of a model in the model's colour.</p>"
    );
    let mut rng = Rng::new(1);
    for (group, models) in union(runs) {
        let Some(sample) = all.iter().find(|r| r.group == group) else {
            continue;
        };
        let w = sample.workload;
        let rows_of: Vec<&Row> = all.iter().copied().filter(|r| r.group == group).collect();
        let _ = writeln!(
            s,
            "<section class=\"workload\" id=\"{}\" data-workload=\"{w}\">\n<h2>{}</h2>",
            html::anchor("s", &group),
            esc(&group)
        );
        s.push_str("<div class=\"table-wrap\"><table class=\"results\"><thead><tr>");
        let _ = write!(s, "<th>model</th>");
        for k in 1..=runs.len() {
            let _ = write!(
                s,
                "<th class=\"num\">run {k}: {}</th>",
                esc(headline_label(w))
            );
        }
        s.push_str("</tr></thead><tbody>\n");
        let mut bars = Vec::new();
        for model in &models {
            let first = runs[0].row(&group, model);
            let colour = palette.colour(model);
            let _ = write!(
                s,
                "<tr data-model=\"{}\"><td><span class=\"swatch\" style=\"background:{}\"></span>{}</td>",
                esc(model),
                hex(colour),
                esc(model)
            );
            for (k, run) in runs.iter().enumerate() {
                let this = run.row(&group, model);
                let c = cell(first, this, k, &mut rng);
                let class = if c.flagged { "num flag" } else { "num" };
                let _ = write!(s, "<td class=\"{class}\">{}</td>", esc(&c.text));
                if let Some(r) = this.filter(|r| r.verified) {
                    if let Some(h) = r.headline {
                        let per: Vec<f64> = r
                            .costs
                            .iter()
                            .map(|c| {
                                if w == Workload::Fanout {
                                    1e9 / c.max(f64::MIN_POSITIVE)
                                } else {
                                    *c
                                }
                            })
                            .collect();
                        let lo = per.iter().copied().fold(f64::MAX, f64::min);
                        let hi = per.iter().copied().fold(f64::MIN, f64::max);
                        bars.push(Bar {
                            label: format!("{model} · run {}", k + 1),
                            colour,
                            value: h,
                            extra: None,
                            whisker: (lo <= hi).then_some((lo, hi)),
                        });
                    }
                }
            }
            s.push_str("</tr>\n");
        }
        s.push_str("</tbody></table></div>\n<ul class=\"notes\">\n");
        let _ = writeln!(s, "<li>{}</li>", esc(&describe(&rows_of[..1])));
        for k in 1..runs.len() {
            if let Some(tau) = agreement(runs, &group, k) {
                let _ = writeln!(
                    s,
                    "<li>ranking agreement of run {} with run 1 (Kendall's tau): {tau:.2}</li>",
                    k + 1
                );
            }
        }
        s.push_str("</ul>\n");
        if !bars.is_empty() {
            let unit = match w {
                Workload::Spawn => Unit::Bytes,
                Workload::Fanout => Unit::PerSec,
                _ => Unit::Ns,
            };
            let spec = Bars {
                frame: Frame {
                    title: format!("{w}: {} in each run", headline_label(w)),
                    subtitle: group.clone(),
                    notes: vec!["Bar: the median over a run's runs; whisker: its fastest to its slowest. Log scale.".into()],
                    key: palette
                        .families()
                        .iter()
                        .filter(|f| rows_of.iter().any(|r| r.family.eq_ignore_ascii_case(&f.name)))
                        .map(|f| (f.name.clone(), f.colour))
                        .collect(),
                },
                unit,
                log: true,
                bars,
                ideal: None,
                x_desc: super::super::figures::headline_title(w).2.to_owned(),
            };
            let svg = charts::bars(&spec, charts::WIDTH)?;
            let file = format!("{}.svg", html::anchor("runs", &group));
            fs::write(out.join(&file), &svg)?;
            let fig = Figure {
                file,
                title: spec.frame.title.clone(),
                svg,
                caption: spec.frame.notes.join(" "),
            };
            s.push_str(&html::charts_html(std::iter::once(&fig)));
        }
        s.push_str("</section>\n");
    }
    s.push_str(html::TAIL);
    let path = out.join(HTML_FILE);
    fs::write(&path, s)?;
    Ok(path)
}
