//! Which charts a results folder has, made from its rows: per group the headline
//! figure and the wall time against the ideal; per sweep the same two against
//! the swept size (and for spawn the cgroup's memory per task too).
//!
//! Each is a [`Figure`]: the SVG text and the file it goes to, shared by the
//! `.svg` files and `report.html`.

use std::io;

use super::charts::{self, Bar, Bars, Frame, Lines, Palette, Series, Unit};
use super::{FLAG_MARK, Row, describe};
use crate::spec::Workload;

/// One chart, ready to write or inline.
#[derive(Debug, Clone)]
pub struct Figure {
    /// The file it is written to, in the results folder.
    pub file: String,
    pub title: String,
    pub svg: String,
    /// How to read it, for the page's caption.
    pub caption: String,
}

/// What the headline chart draws, per workload: its title, its unit, and what
/// its axis measures.
pub(super) fn headline_title(w: Workload) -> (&'static str, Unit, &'static str) {
    match w {
        Workload::Crawl => (
            "CPU time per request",
            Unit::Ns,
            "CPU per request, user + kernel, in the measured phase",
        ),
        Workload::PingPong => ("time per round trip", Unit::Ns, "measured phase / rounds"),
        Workload::Ring => ("time per hop", Unit::Ns, "measured phase / hops"),
        Workload::Spawn => (
            "memory (RSS) per task",
            Unit::Bytes,
            "peak RSS above the RSS at begin, per task",
        ),
        Workload::Fanout => ("items per second", Unit::PerSec, "items / measured phase"),
        Workload::Server => (
            "p99 latency",
            Unit::Ns,
            "99th percentile latency from each request's intended send time",
        ),
        Workload::Fairness => (
            "ticker's worst lateness",
            Unit::Ns,
            "the latest the ticker woke past its tick",
        ),
        Workload::Cancel => (
            "cancel to quiet",
            Unit::Ns,
            "from the cancel until the server saw every connection closed",
        ),
    }
}

/// A row's headline in each run (costs turned into the headline's own unit).
fn run_headlines(r: &Row) -> Vec<f64> {
    r.costs
        .iter()
        .map(|c| match r.workload {
            Workload::Fanout => 1e9 / c.max(f64::MIN_POSITIVE),
            _ => *c,
        })
        .collect()
}

fn min_max(v: &[f64]) -> Option<(f64, f64)> {
    let lo = v.iter().copied().fold(f64::MAX, f64::min);
    let hi = v.iter().copied().fold(f64::MIN, f64::max);
    (lo <= hi).then_some((lo, hi))
}

/// The fastest the workload could be, in ns, where it has a floor: a crawl waits
/// `ceil(n / concurrency)` delays, a spawn task sleeps once.
pub fn ideal_ns(r: &Row) -> Option<(f64, String)> {
    let p = &r.params;
    match r.workload {
        Workload::Crawl => {
            let (n, c, d) = (p.get("n")?, p.get("concurrency")?, p.get("delay_ms")?);
            let rounds = n.div_ceil((*c).max(1));
            Some((
                (rounds * d) as f64 * 1e6,
                format!("ceil(n / concurrency) × delay = {rounds} × {d} ms"),
            ))
        }
        Workload::Spawn => {
            let s = p.get("sleep_ms")?;
            Some((*s as f64 * 1e6, format!("every task sleeps {s} ms at once")))
        }
        _ => None,
    }
}

fn label(r: &Row) -> String {
    if r.flags().is_empty() {
        r.model.clone()
    } else {
        format!("{} {FLAG_MARK}", r.model)
    }
}

/// The families present, for the colour key.
fn key(rows: &[&Row], palette: &Palette) -> Vec<(String, plotters::style::RGBColor)> {
    palette
        .families()
        .iter()
        .filter(|f| rows.iter().any(|r| r.family.eq_ignore_ascii_case(&f.name)))
        .map(|f| (f.name.clone(), f.colour))
        .collect()
}

fn flag_note(rows: &[&Row]) -> Option<String> {
    rows.iter().any(|r| !r.flags().is_empty()).then(|| {
        format!("{FLAG_MARK} after a name: taken on a busy machine or against a saturated server (see the table's notes).")
    })
}

fn stem(name: &str) -> String {
    name.chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect()
}

/// The charts of one group that is not part of a sweep.
pub fn group_figures(name: &str, group: &[&Row], palette: &Palette) -> io::Result<Vec<Figure>> {
    let Some(first) = group.first() else {
        return Ok(Vec::new());
    };
    let w = first.workload;
    let ok: Vec<&Row> = group.iter().copied().filter(|r| r.verified).collect();
    let mut out = Vec::new();
    let (what, unit, axis_desc) = headline_title(w);
    let bars: Vec<Bar> = ok
        .iter()
        .filter_map(|r| {
            Some(Bar {
                label: label(r),
                colour: palette.colour(&r.model),
                value: r.headline?,
                extra: None,
                whisker: min_max(&run_headlines(r)),
            })
        })
        .collect();
    if !bars.is_empty() {
        let better = if w == Workload::Fanout {
            "higher"
        } else {
            "lower"
        };
        let mut notes = vec![format!(
            "Bar: the median over the runs; whisker: the fastest to the slowest run. Log scale; {better} is better."
        )];
        notes.extend(flag_note(&ok));
        let frame = Frame {
            title: format!("{w}: {what}"),
            subtitle: describe(group),
            notes,
            key: key(&ok, palette),
        };
        let spec = Bars {
            frame,
            unit,
            log: true,
            bars,
            ideal: None,
            x_desc: axis_desc.to_owned(),
        };
        out.push(figure(
            format!("{}.svg", stem(name)),
            &spec.frame,
            charts::bars(&spec, charts::WIDTH)?,
        ));
    }
    let walls: Vec<Bar> = ok
        .iter()
        .filter_map(|r| {
            Some(Bar {
                label: label(r),
                colour: palette.colour(&r.model),
                value: r.median_work_ns? as f64,
                extra: r.median_startup_ns.map(|s| s as f64),
                whisker: Some((r.min_wall_ns? as f64, r.max_wall_ns? as f64)),
            })
        })
        .collect();
    if !walls.is_empty() {
        let ideal = ideal_ns(first);
        let mut notes = vec![
            "Dark: the measured phase; light: start-up (process start, runtime build, teardown, verification); both medians. Whisker: the fastest to the slowest run's whole wall time. Linear scale.".to_owned(),
        ];
        if let Some((_, how)) = &ideal {
            notes.push(format!("Dashed line: the ideal, {how}."));
        }
        notes.extend(flag_note(&ok));
        let frame = Frame {
            title: format!(
                "{w}: wall time{}",
                if ideal.is_some() {
                    " against the ideal"
                } else {
                    ""
                }
            ),
            subtitle: describe(group),
            notes,
            key: key(&ok, palette),
        };
        let mut spec = Bars {
            frame,
            unit: Unit::Ns,
            log: false,
            bars: walls,
            ideal: ideal.map(|(v, _)| (v, format!("ideal {}", charts::tick_label(Unit::Ns, v)))),
            x_desc: "wall time of one run".into(),
        };
        if charts::cut_at(&spec).is_some() {
            spec.frame.notes.insert(
                1,
                "The axis is cut so the short bars can be read: a bar that runs past it has a gap and its length written after it (▸).".into(),
            );
        }
        out.push(figure(
            format!("{}-wall.svg", stem(name)),
            &spec.frame,
            charts::bars(&spec, charts::WIDTH)?,
        ));
    }
    Ok(out)
}

fn figure(file: String, frame: &Frame, svg: String) -> Figure {
    Figure {
        file,
        title: frame.title.clone(),
        svg,
        caption: frame.notes.join(" "),
    }
}

/// The server's floor at each size: the page delay, which no request can beat.
/// A dashed line's label and points.
type Ideal = (String, Vec<(f64, f64)>);

fn server_ideal(rows: &[&Row], param: &str) -> (Option<Ideal>, Option<String>) {
    let mut points: Vec<(f64, f64)> = Vec::new();
    for r in rows {
        if let (Some(x), Some(d)) = (r.params.get(param), r.params.get("delay_ms")) {
            if !points.iter().any(|p| p.0 == *x as f64) {
                points.push((*x as f64, *d as f64 * 1e6));
            }
        }
    }
    points.sort_by(|a, b| a.0.total_cmp(&b.0));
    if points.is_empty() {
        (None, None)
    } else {
        (
            Some(("page delay".to_owned(), points)),
            Some("Dashed line: the page delay, the floor of every latency.".to_owned()),
        )
    }
}

/// A line per model over the rows of a sweep, of whatever `value` gives.
fn series(
    rows: &[&Row],
    param: &str,
    palette: &Palette,
    value: impl Fn(&Row) -> Option<(f64, Option<(f64, f64)>)>,
) -> Vec<Series> {
    let mut out: Vec<Series> = Vec::new();
    // A server run that fell behind is a point of its own (hollow): where a model
    // stops keeping up is what a rate sweep is for.
    let shown = |r: &&&Row| r.verified || (r.workload == Workload::Server && r.extra.is_some());
    for r in rows.iter().filter(shown) {
        let (Some(x), Some((y, spread))) = (r.params.get(param), value(r)) else {
            continue;
        };
        let point = (*x as f64, y, spread);
        let i = match out.iter().position(|s| s.label == r.model) {
            Some(i) => i,
            None => {
                out.push(Series {
                    label: r.model.clone(),
                    colour: palette.colour(&r.model),
                    points: Vec::new(),
                    flagged: Vec::new(),
                });
                out.len() - 1
            }
        };
        out[i].points.push(point);
        if !r.flags().is_empty() || !r.verified {
            out[i].flagged.push(point.0);
        }
    }
    out
}

/// The charts of a sweep of `param` over `rows` (one workload).
pub fn sweep_figures(rows: &[&Row], param: &str, palette: &Palette) -> io::Result<Vec<Figure>> {
    let Some(first) = rows.first() else {
        return Ok(Vec::new());
    };
    let w = first.workload;
    let (what, unit, _) = headline_title(w);
    let base = format!("{w}-sweep-{param}");
    let mut sizes: Vec<u64> = rows
        .iter()
        .filter_map(|r| r.params.get(param).copied())
        .collect();
    sizes.sort_unstable();
    sizes.dedup();
    let fixed: Vec<String> = first
        .params
        .iter()
        .filter(|(k, _)| k.as_str() != param && k.as_str() != "threads")
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    let subtitle = format!(
        "{w} ({}) at {} sizes of {param}; every point the median of its runs",
        fixed.join(", "),
        sizes.len()
    );
    let whisker = "Whisker: the fastest to the slowest run at that size. Log scales.";
    let flagged = rows.iter().any(|r| !r.flags().is_empty()).then(|| {
        "A hollow point: taken on a busy machine or against a saturated server (see the tables' notes).".to_owned()
    });
    let mut specs: Vec<(String, Lines)> = Vec::new();
    // A server's latency has a floor: the page delay, drawn dashed.
    let server_floor = if w == Workload::Server {
        server_ideal(rows, param)
    } else {
        (None, None)
    };
    let headline = series(rows, param, palette, |r| {
        let unranked = || r.extra.and_then(|e| e.p99_ns);
        Some((r.headline.or_else(unranked)?, min_max(&run_headlines(r))))
    });
    let failed_server = (w == Workload::Server && rows.iter().any(|r| !r.verified)).then(|| {
        "A hollow point: a run that failed (requests timed out or failed); its latency is \
         that of the requests that were answered, so the truth is worse."
            .to_owned()
    });
    let frame = |title: String, extra: Option<String>| Frame {
        title,
        subtitle: subtitle.clone(),
        notes: std::iter::once(whisker.to_owned())
            .chain(extra)
            .chain(flagged.clone())
            .chain(failed_server.clone())
            .collect(),
        key: key(rows, palette),
    };
    specs.push((
        format!("{base}.svg"),
        Lines {
            frame: frame(
                format!("{w}: {what} against {param}"),
                server_floor.1.clone(),
            ),
            x_unit: Unit::Count,
            y_unit: unit,
            series: headline,
            ideal: server_floor.0.clone(),
            x_desc: param.to_owned(),
            y_desc: what.to_owned(),
        },
    ));
    if w == Workload::Server {
        // The percentiles every server comparison draws against offered load.
        for (file, label, get) in [
            (
                "p50",
                "median latency",
                (|e: &crate::measure::Extra| e.p50_ns) as fn(&_) -> _,
            ),
            ("p999", "p99.9 latency", |e| e.p999_ns),
        ] {
            let line = series(rows, param, palette, |r| Some((get(&r.extra?)?, None)));
            let (ideal, how) = server_ideal(rows, param);
            specs.push((
                format!("{base}-{file}.svg"),
                Lines {
                    frame: frame(format!("{w}: {label} against {param}"), how),
                    x_unit: Unit::Count,
                    y_unit: Unit::Ns,
                    series: line,
                    ideal,
                    x_desc: param.to_owned(),
                    y_desc: format!("{label}, from each request's intended send"),
                },
            ));
        }
    }
    if w == Workload::Spawn && rows.iter().any(|r| r.cgroup_bytes_per_task.is_some()) {
        let cgroup = series(rows, param, palette, |r| {
            Some((r.cgroup_bytes_per_task?, None))
        });
        specs.push((
            format!("{base}-cgroup.svg"),
            Lines {
                frame: frame(
                    format!("{w}: memory per task (cgroup) against {param}"),
                    Some(
                        "The cgroup counts the kernel's memory too: thread stacks, page tables."
                            .into(),
                    ),
                ),
                x_unit: Unit::Count,
                y_unit: Unit::Bytes,
                series: cgroup,
                ideal: None,
                x_desc: param.to_owned(),
                y_desc: "memory per task, kernel included".into(),
            },
        ));
    }
    let wall = series(rows, param, palette, |r| {
        let spread = Some((r.min_wall_ns? as f64, r.max_wall_ns? as f64));
        Some((r.median_wall_ns? as f64, spread))
    });
    let mut ideal: Vec<(f64, f64)> = Vec::new();
    let mut how = None;
    for r in rows {
        if let (Some(x), Some((v, h))) = (r.params.get(param), ideal_ns(r)) {
            if !ideal.iter().any(|p| p.0 == *x as f64) {
                ideal.push((*x as f64, v));
                how.get_or_insert(h);
            }
        }
    }
    specs.push((
        format!("{base}-wall.svg"),
        Lines {
            frame: frame(
                format!("{w}: wall time against {param}"),
                how.as_ref()
                    .map(|h| format!("Dashed line: the ideal, {h}.")),
            ),
            x_unit: Unit::Count,
            y_unit: Unit::Ns,
            series: wall,
            ideal: (!ideal.is_empty()).then(|| ("ideal".to_owned(), ideal)),
            x_desc: param.to_owned(),
            y_desc: "wall time of one run".into(),
        },
    ));
    specs
        .into_iter()
        .filter(|(_, l)| !l.series.is_empty())
        .map(|(file, spec)| {
            Ok(figure(
                file,
                &spec.frame,
                charts::lines(&spec, charts::WIDTH)?,
            ))
        })
        .collect()
}
