//! Horizontal bars, one per model, best practice for comparing a handful of
//! named things: the names read left to right, the bars start from a common
//! edge, a whisker spans the runs, and an ideal is a dashed line across them.

use std::io;

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::axis::{self, Unit};
use super::{
    Frame, GRID, Layout, MARGIN, TICK, Ticked, draw_frame, from_log, lighter, plot_err, style,
    to_log,
};

/// One bar.
#[derive(Debug, Clone)]
pub struct Bar {
    pub label: String,
    pub colour: RGBColor,
    /// The bar's length (a median).
    pub value: f64,
    /// A second part stacked after the first, drawn lighter (start-up after the
    /// measured phase).
    pub extra: Option<f64>,
    /// Fastest to slowest run.
    pub whisker: Option<(f64, f64)>,
}

/// A bar chart.
#[derive(Debug, Clone)]
pub struct Bars {
    pub frame: Frame,
    pub unit: Unit,
    pub log: bool,
    pub bars: Vec<Bar>,
    /// A value every bar is measured against, and its label (`ideal 1.00 s`).
    pub ideal: Option<(f64, String)>,
    pub x_desc: String,
}

/// Pixels per bar.
const ROW: i32 = 30;

/// The chart as SVG text, `width` pixels wide.
pub fn bars(spec: &Bars, width: u32) -> io::Result<String> {
    let layout = Layout::new(&spec.frame, width);
    let n = spec.bars.len().max(1);
    // Room above the first bar for the ideal's label, and only then.
    let head = if spec.ideal.is_some() { 0.7 } else { 0.0 };
    let x_area = (axis::font_px(TICK) * 3.4).ceil() as i32;
    let plot_h = ROW * n as i32 + (head * f64::from(ROW)) as i32 + x_area + 8;
    let height = layout.top() + plot_h + layout.bottom();
    let y_area = spec
        .bars
        .iter()
        .map(|b| axis::text_width(&b.label, TICK))
        .fold(40.0, f64::max)
        .ceil() as i32
        + 14;
    let ends = spec.bars.iter().flat_map(|b| {
        let top = b.value + b.extra.unwrap_or(0.0);
        let (lo, hi) = b.whisker.unwrap_or((b.value, top));
        [b.value, top, lo, hi]
    });
    let ends: Vec<f64> = ends
        .chain(spec.ideal.as_ref().map(|i| i.0))
        .filter(|v| v.is_finite() && *v > 0.0)
        .collect();
    let (min, max) = (
        ends.iter().copied().fold(f64::MAX, f64::min),
        ends.iter().copied().fold(0.0, f64::max),
    );
    let (min, max) = if ends.is_empty() {
        (1.0, 10.0)
    } else {
        (min, max)
    };
    // A linear axis that one bar would stretch past all the others (sequential's
    // 2.6 s crawl beside 60 ms ones) is cut, and the bars past the cut carry their
    // value in words.
    let cut = cut_at(spec);
    let max = cut.unwrap_or(max);
    let cut_room = if cut.is_some() {
        spec.bars
            .iter()
            .map(|b| {
                axis::text_width(
                    &axis::label(spec.unit, b.value + b.extra.unwrap_or(0.0)),
                    TICK,
                )
            })
            .fold(0.0, f64::max) as i32
            + 24
    } else {
        0
    };
    let pixels =
        f64::from(width) - 2.0 * f64::from(MARGIN) - f64::from(y_area) - 10.0 - f64::from(cut_room);
    // Log axes show a few per cent of room past both ends; linear ones start at 0.
    let (lo, hi, ticks) = if spec.log {
        let (lo, hi) = (min / 1.6, max * 1.6);
        let ticks = axis::log_ticks(lo, hi, spec.unit, pixels, TICK, true);
        (
            to_log(lo),
            to_log(hi),
            ticks.into_iter().map(to_log).collect(),
        )
    } else {
        let hi = if cut.is_some() { max } else { max * 1.08 };
        (
            0.0,
            hi,
            axis::linear_ticks(hi, spec.unit, pixels, TICK, true),
        )
    };
    let (log, unit) = (spec.log, spec.unit);
    let back = move |t: f64| if log { from_log(t) } else { t };
    let fwd = move |v: f64| if log { to_log(v) } else { v };
    let top = n as f64 + head;
    // Row i (the table's order, first on top) is centred at `top - head - i - 0.5`.
    let centre = |i: usize| n as f64 - i as f64 - 0.5;
    let centres: Vec<f64> = (0..n).map(centre).collect();
    let labels: Vec<String> = spec.bars.iter().map(|b| b.label.clone()).collect();
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (width, height as u32)).into_drawing_area();
        let plot = draw_frame(&root, &layout, height)?;
        let mut chart = ChartBuilder::on(&plot)
            .margin_left(MARGIN)
            .margin_right(MARGIN + 10 + cut_room)
            .x_label_area_size(x_area)
            .y_label_area_size(y_area)
            .build_cartesian_2d(
                Ticked { lo, hi, ticks },
                Ticked {
                    lo: 0.0,
                    hi: top,
                    ticks: centres,
                },
            )
            .map_err(plot_err)?;
        chart
            .configure_mesh()
            .disable_y_mesh()
            .bold_line_style(GRID)
            .light_line_style(TRANSPARENT)
            .label_style(style(TICK, BLACK))
            .axis_desc_style(style(TICK, BLACK))
            .x_label_formatter(&|t| axis::label(unit, back(*t)))
            .y_label_formatter(&|y| {
                let i = (n as f64 - 0.5 - y).round();
                labels.get(i.max(0.0) as usize).cloned().unwrap_or_default()
            })
            .x_desc(spec.x_desc.as_str())
            .draw()
            .map_err(plot_err)?;
        let half = 0.32;
        for (i, b) in spec.bars.iter().enumerate() {
            let y = centre(i);
            let end = fwd(b.value).max(lo);
            chart
                .draw_series(std::iter::once(Rectangle::new(
                    [(lo, y - half), (end, y + half)],
                    b.colour.filled(),
                )))
                .map_err(plot_err)?;
            if let Some(extra) = b.extra.filter(|e| *e > 0.0) {
                let start = end;
                let stop = fwd(b.value + extra).max(start);
                chart
                    .draw_series(std::iter::once(Rectangle::new(
                        [(start, y - half), (stop, y + half)],
                        lighter(b.colour, 0.55).filled(),
                    )))
                    .map_err(plot_err)?;
            }
            let total = b.value + b.extra.unwrap_or(0.0);
            let past_cut = cut.is_some_and(|c| total > c);
            if past_cut {
                // The break: a white gap near the end, then the bar's value.
                let (x0, y0) = chart.backend_coord(&(hi, y + half));
                let (_, y1) = chart.backend_coord(&(hi, y - half));
                root.draw(&Rectangle::new(
                    [(x0 - 16, y1), (x0 - 11, y0)],
                    WHITE.filled(),
                ))
                .map_err(plot_err)?;
                let mut text = style(TICK, BLACK);
                text.pos = Pos::new(HPos::Left, VPos::Center);
                root.draw(&Text::new(
                    format!("{} ▸", axis::label(unit, total)),
                    (x0 + 6, (y0 + y1) / 2),
                    text,
                ))
                .map_err(plot_err)?;
            }
            // A cut bar's whisker would sit on the cut; its value is written instead.
            if let Some((wlo, whi)) = b.whisker.filter(|_| !past_cut) {
                let (a, z) = (fwd(wlo).max(lo), fwd(whi).min(hi));
                let cap = 0.14;
                let lines = [
                    vec![(a, y), (z, y)],
                    vec![(a, y - cap), (a, y + cap)],
                    vec![(z, y - cap), (z, y + cap)],
                ];
                chart
                    .draw_series(
                        lines
                            .into_iter()
                            .map(|l| PathElement::new(l, BLACK.stroke_width(2))),
                    )
                    .map_err(plot_err)?;
            }
        }
        if let Some((ideal, text)) = &spec.ideal {
            let x = fwd(*ideal);
            chart
                .draw_series(DashedLineSeries::new(
                    [(x, 0.0), (x, top)],
                    6,
                    4,
                    BLACK.stroke_width(2),
                ))
                .map_err(plot_err)?;
            // Beside the line, on whichever side has room.
            let (px, py) = chart.backend_coord(&(x, top));
            let (right_edge, _) = chart.backend_coord(&(hi, top));
            let room = f64::from(right_edge - px);
            let mut label = style(TICK, BLACK);
            let at = if room > axis::text_width(text, TICK) + 12.0 {
                label.pos = Pos::new(HPos::Left, VPos::Top);
                (px + 6, py + 2)
            } else {
                label.pos = Pos::new(HPos::Right, VPos::Top);
                (px - 6, py + 2)
            };
            root.draw(&Text::new(text.clone(), at, label))
                .map_err(plot_err)?;
        }
        root.present().map_err(plot_err)?;
    }
    Ok(svg)
}

/// Where a linear axis is cut, if one bar would squash the rest: when the longest
/// bar is more than `CUT_RATIO` (5) times the median one, the axis ends at three
/// times the median (or past the ideal, or the longest bar under the bound).
pub fn cut_at(spec: &Bars) -> Option<f64> {
    let mut totals: Vec<f64> = spec
        .bars
        .iter()
        .map(|b| b.value + b.extra.unwrap_or(0.0))
        .collect();
    totals.sort_by(f64::total_cmp);
    let median = *totals.get(totals.len() / 2)?;
    let longest = *totals.last()?;
    if spec.log || totals.len() < 3 || median <= 0.0 || longest <= CUT_RATIO * median {
        return None;
    }
    let kept = totals
        .iter()
        .copied()
        .filter(|t| *t <= CUT_RATIO * median)
        .fold(0.0, f64::max);
    let ideal = spec.ideal.as_ref().map_or(0.0, |i| i.0 * 1.3);
    let whiskers = spec
        .bars
        .iter()
        .filter(|b| b.value + b.extra.unwrap_or(0.0) <= kept)
        .filter_map(|b| b.whisker.map(|w| w.1))
        .fold(0.0, f64::max);
    Some((3.0 * median).max(ideal).max(kept).max(whiskers) * 1.08)
}

/// How much longer than the median bar the longest may be before the axis is cut.
const CUT_RATIO: f64 = 5.0;
