//! The SVG charts: a bar per model of a group's headline cost, and a line per model
//! across a sweep.

use std::collections::BTreeMap;
use std::io;
use std::path::Path;

use plotters::prelude::*;

use super::{Row, cost_label};

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

/// An axis label: few digits, no trailing `.0`, thousands as `k` and millions as
/// `M`, so that neighbouring labels on a log axis do not run into each other.
fn axis_number(v: f64) -> String {
    let (scaled, unit) = if v.abs() >= 1e6 {
        (v / 1e6, "M")
    } else if v.abs() >= 1e3 {
        (v / 1e3, "k")
    } else {
        (v, "")
    };
    let digits = if scaled.abs() >= 10.0 || scaled.fract() == 0.0 {
        0
    } else {
        1
    };
    format!("{scaled:.digits$}{unit}")
}

/// A horizontal bar per verified model: its median headline cost (the marginal
/// cost the table ranks by), with a min–max whisker over the runs.
pub fn bar_chart(path: &Path, title: &str, rows: &[&Row]) -> io::Result<()> {
    let bars: Vec<(&str, f64, f64, f64)> = rows
        .iter()
        .filter(|r| r.verified)
        .filter_map(|r| {
            Some((
                r.model.as_str(),
                r.cost()?,
                r.costs.iter().copied().fold(f64::MAX, f64::min),
                r.costs.iter().copied().fold(0.0, f64::max),
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
        .x_labels(6)
        .x_label_formatter(&|v| axis_number(*v))
        .x_desc(format!(
            "median {} (log scale), whiskers: min – max",
            rows.first().map_or("cost", |r| cost_label(r.workload))
        ))
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

/// A sweep: median headline cost against the swept size, one line per model, log
/// axes.
pub fn sweep_chart(path: &Path, title: &str, param: &str, rows: &[&Row]) -> io::Result<()> {
    let mut lines: BTreeMap<&str, Vec<(f64, f64)>> = BTreeMap::new();
    let mut order: Vec<&str> = Vec::new();
    for r in rows.iter().filter(|r| r.verified) {
        let (Some(x), Some(y)) = (r.params.get(param), r.cost()) else {
            continue;
        };
        if !order.contains(&r.model.as_str()) {
            order.push(&r.model);
        }
        lines.entry(&r.model).or_default().push((*x as f64, y));
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
        .x_labels(6)
        .y_labels(6)
        .x_label_formatter(&|v| axis_number(*v))
        .y_label_formatter(&|v| axis_number(*v))
        .x_desc(param)
        .y_desc(format!(
            "median {}",
            rows.first().map_or("cost", |r| cost_label(r.workload))
        ))
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
