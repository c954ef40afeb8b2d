//! A results folder: `results.json`, `results.csv`, `report.md`, the charts and
//! `report.html`, written together; `results.json` read back for `report`; and
//! the stamp folders are named by.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use super::charts::Palette;
use super::figures::{Figure, group_figures, sweep_figures};
use super::html::{HTML_FILE, page};
use super::{Row, csv, groups, markdown};
use crate::spec::Workload;

/// Every chart of `rows`, keyed as `report.html`'s sections are: a sweep by
/// "`<workload>` sweep over `<param>`", any other group by its name.
pub(super) fn all_figures(rows: &[Row]) -> io::Result<Vec<(String, Vec<Figure>)>> {
    let palette = Palette::new(rows.iter().map(|r| (r.model.as_str(), r.family.as_str())));
    let mut out = Vec::new();
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
        out.push((
            format!("{workload} sweep over {param}"),
            sweep_figures(&these, param, &palette)?,
        ));
    }
    for (name, group) in groups(rows) {
        if group[0].sweep.is_none() {
            out.push((name.to_owned(), group_figures(name, &group, &palette)?));
        }
    }
    Ok(out)
}

/// Writes results.json, results.csv, the SVG charts, report.md and report.html
/// into `dir`; returns the files written, report.html last.
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
    let figures = all_figures(rows)?;
    // report.md shows a group's charts under its table; a sweep's go under the
    // table of its first size.
    let mut charts: Vec<(String, PathBuf)> = Vec::new();
    for (key, figs) in &figures {
        let group = rows
            .iter()
            .find(|r| {
                r.group == *key
                    || r.sweep
                        .as_ref()
                        .is_some_and(|p| *key == format!("{} sweep over {p}", r.workload))
            })
            .map_or_else(|| key.clone(), |r| r.group.clone());
        for f in figs {
            let path = dir.join(&f.file);
            fs::write(&path, &f.svg)?;
            charts.push((group.clone(), path.clone()));
            written.push(path);
        }
    }
    let md = dir.join("report.md");
    fs::write(&md, markdown(rows, command, &charts))?;
    written.push(md);
    let html = dir.join(HTML_FILE);
    fs::write(&html, page(rows, command, &figures))?;
    written.push(html);
    Ok(written)
}

/// `20261123-154501`, in UTC: what results folders are named by.
pub fn stamp() -> String {
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let (days, rem) = (secs / 86_400, secs % 86_400);
    // Howard Hinnant's days-to-civil algorithm.
    let z = days as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}{m:02}{d:02}-{:02}{:02}{:02}",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
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
