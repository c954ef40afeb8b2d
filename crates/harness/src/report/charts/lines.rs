//! Lines against a swept size, one per model, on log-log axes: how a cost grows
//! with `n`. The x ticks are the sizes that were run; the legend sits beside the
//! plot, never over the lines; an ideal is a dashed black line.

use std::io;

use plotters::element::DashedPathElement;
use plotters::prelude::*;

use super::axis::{self, Unit};
use super::{
    Frame, GRID, Layout, MARGIN, NOTE, TICK, Ticked, draw_frame, from_log, plot_err, style, to_log,
};

/// A point of a line: (size, median, fastest to slowest run at that size).
pub type Point = (f64, f64, Option<(f64, f64)>);

/// One model's line.
#[derive(Debug, Clone)]
pub struct Series {
    pub label: String,
    pub colour: RGBColor,
    /// (size, median), and the fastest to slowest run at that size.
    pub points: Vec<Point>,
    /// The sizes whose figure is flagged (busy machine, saturated server): their
    /// points are drawn hollow.
    pub flagged: Vec<f64>,
}

/// A line chart.
#[derive(Debug, Clone)]
pub struct Lines {
    pub frame: Frame,
    pub x_unit: Unit,
    pub y_unit: Unit,
    pub series: Vec<Series>,
    /// The ideal at each size, drawn dashed.
    pub ideal: Option<(String, Vec<(f64, f64)>)>,
    pub x_desc: String,
    pub y_desc: String,
}

const PLOT_H: i32 = 380;

/// The chart as SVG text, `width` pixels wide.
pub fn lines(spec: &Lines, width: u32) -> io::Result<String> {
    let layout = Layout::new(&spec.frame, width);
    let height = layout.top() + PLOT_H + layout.bottom();
    let ideal_label = spec.ideal.as_ref().map(|(l, _)| l.clone());
    let entries: Vec<(String, Option<RGBColor>)> = spec
        .series
        .iter()
        .map(|s| (s.label.clone(), Some(s.colour)))
        .chain(ideal_label.map(|l| (l, None)))
        .collect();
    let legend_w = entries
        .iter()
        .map(|e| axis::text_width(&e.0, NOTE))
        .fold(0.0, f64::max)
        .ceil() as i32
        + 40;
    let xs: Vec<f64> = spec
        .series
        .iter()
        .flat_map(|s| s.points.iter().map(|p| p.0))
        .filter(|x| *x > 0.0)
        .collect();
    let ys: Vec<f64> = spec
        .series
        .iter()
        .flat_map(|s| {
            s.points.iter().flat_map(|p| {
                let (lo, hi) = p.2.unwrap_or((p.1, p.1));
                [p.1, lo, hi]
            })
        })
        .chain(spec.ideal.iter().flat_map(|i| i.1.iter().map(|p| p.1)))
        .filter(|y| y.is_finite() && *y > 0.0)
        .collect();
    let range = |v: &[f64], pad: f64| {
        let lo = v.iter().copied().fold(f64::MAX, f64::min);
        let hi = v.iter().copied().fold(0.0, f64::max);
        if lo > hi {
            (1.0, 10.0)
        } else {
            (lo / pad, hi * pad)
        }
    };
    let (x0, x1) = range(&xs, 1.25);
    let (y0, y1) = range(&ys, 1.4);
    let mut sizes = xs.clone();
    sizes.sort_by(f64::total_cmp);
    sizes.dedup();
    let y_ticks = axis::log_ticks(y0, y1, spec.y_unit, f64::from(PLOT_H) - 60.0, TICK, false);
    let y_area = y_ticks
        .iter()
        .map(|t| axis::text_width(&axis::label(spec.y_unit, *t), TICK))
        .fold(30.0, f64::max)
        .ceil() as i32
        + 40;
    let pixels = f64::from(width) - f64::from(2 * MARGIN + y_area + legend_w);
    // The sizes that were run are the ticks, thinned if their labels would touch.
    let mut x_ticks = sizes.clone();
    let px = |v: f64| pixels * (v.ln() - x0.ln()) / (x1.ln() - x0.ln());
    while x_ticks.len() > 2
        && x_ticks.windows(2).any(|w| {
            px(w[1]) - px(w[0]) < axis::text_width(&axis::label(spec.x_unit, w[1]), TICK) + 12.0
        })
    {
        x_ticks = x_ticks.iter().copied().step_by(2).collect();
    }
    if x_ticks.len() < 2 {
        x_ticks = axis::log_ticks(x0, x1, spec.x_unit, pixels, TICK, true);
    }
    let (xu, yu) = (spec.x_unit, spec.y_unit);
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (width, height as u32)).into_drawing_area();
        let area = draw_frame(&root, &layout, height)?;
        let (plot, legend) = area.split_horizontally(width as i32 - legend_w - MARGIN);
        let mut chart = ChartBuilder::on(&plot)
            .margin_left(MARGIN)
            .margin_right(MARGIN)
            .margin_top(6)
            .x_label_area_size((axis::font_px(TICK) * 3.4).ceil() as i32)
            .y_label_area_size(y_area)
            .build_cartesian_2d(
                Ticked {
                    lo: to_log(x0),
                    hi: to_log(x1),
                    ticks: x_ticks.iter().map(|v| to_log(*v)).collect(),
                },
                Ticked {
                    lo: to_log(y0),
                    hi: to_log(y1),
                    ticks: y_ticks.iter().map(|v| to_log(*v)).collect(),
                },
            )
            .map_err(plot_err)?;
        chart
            .configure_mesh()
            .bold_line_style(GRID)
            .light_line_style(TRANSPARENT)
            .label_style(style(TICK, BLACK))
            .axis_desc_style(style(TICK, BLACK))
            .x_label_formatter(&|t| axis::label(xu, from_log(*t)))
            .y_label_formatter(&|t| axis::label(yu, from_log(*t)))
            .x_desc(spec.x_desc.as_str())
            .y_desc(spec.y_desc.as_str())
            .draw()
            .map_err(plot_err)?;
        let log = |(x, y): (f64, f64)| (to_log(x), to_log(y));
        if let Some((_, points)) = &spec.ideal {
            let mut points = points.clone();
            points.sort_by(|a, b| a.0.total_cmp(&b.0));
            chart
                .draw_series(DashedLineSeries::new(
                    points.into_iter().map(log),
                    7,
                    5,
                    BLACK.stroke_width(2),
                ))
                .map_err(plot_err)?;
        }
        for s in &spec.series {
            let mut points = s.points.clone();
            points.sort_by(|a, b| a.0.total_cmp(&b.0));
            chart
                .draw_series(LineSeries::new(
                    points.iter().map(|p| log((p.0, p.1))),
                    s.colour.stroke_width(2),
                ))
                .map_err(plot_err)?;
            chart
                .draw_series(points.iter().map(|p| {
                    let style = if s.flagged.contains(&p.0) {
                        ShapeStyle::from(&WHITE).filled()
                    } else {
                        s.colour.filled()
                    };
                    Circle::new(log((p.0, p.1)), 4, style)
                }))
                .map_err(plot_err)?;
            // A hollow point keeps its model's colour as a ring.
            chart
                .draw_series(
                    points
                        .iter()
                        .filter(|p| s.flagged.contains(&p.0))
                        .map(|p| Circle::new(log((p.0, p.1)), 4, s.colour.stroke_width(2))),
                )
                .map_err(plot_err)?;
            let whiskers = points.iter().filter_map(|p| {
                let (lo, hi) = p.2?;
                Some(PathElement::new(
                    vec![log((p.0, lo)), log((p.0, hi))],
                    s.colour.stroke_width(1),
                ))
            });
            chart.draw_series(whiskers).map_err(plot_err)?;
        }
        // The legend: a swatch and a name per line, beside the plot.
        let line = (axis::font_px(NOTE) * 1.6).ceil() as i32;
        let mut y = 10;
        for (name, colour) in &entries {
            match colour {
                Some(c) => legend
                    .draw(&Rectangle::new([(4, y), (20, y + 12)], c.filled()))
                    .map_err(plot_err)?,
                None => legend
                    .draw(&DashedPathElement::new(
                        [(2, y + 6), (22, y + 6)],
                        5,
                        3,
                        BLACK.stroke_width(2),
                    ))
                    .map_err(plot_err)?,
            }
            legend
                .draw(&Text::new(name.clone(), (26, y), style(NOTE, BLACK)))
                .map_err(plot_err)?;
            y += line;
        }
        root.present().map_err(plot_err)?;
    }
    Ok(svg)
}
