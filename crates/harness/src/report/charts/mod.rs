//! The charts, drawn by plotters into SVG text: the same text goes into the `.svg`
//! files of a results folder and inline into `report.html`.
//!
//! Two kinds: horizontal bars, one per model ([`bars`]), and lines against a swept
//! size ([`lines`]). Both share a frame: a title that fits the canvas (shrunk, then
//! wrapped), a subtitle, the plot, and under it the notes that say how to read it
//! (what the whiskers are, where the ideal is) and the colour key. Every model has
//! one colour everywhere ([`Palette`]); axes are in `axis.rs`.
//!
//! Both plot on linear coordinates: a log axis is drawn as the logarithm of the
//! values, with the ticks chosen and labelled here (plotters' own log ticks are
//! what printed `700.0 800.0900.01000.0`).

mod axis;
mod bars;
mod lines;
mod palette;

use std::io;
use std::ops::Range;

use plotters::coord::Shift;
use plotters::coord::ranged1d::{DefaultFormatting, KeyPointHint, Ranged};
use plotters::prelude::*;
use plotters::style::text_anchor::Pos;

pub use axis::{Unit, label as tick_label};
pub use bars::{Bar, Bars, bars, cut_at};
pub use lines::{Lines, Point, Series, lines};
pub use palette::{FamilyColours, Palette, hex, lighter};

/// Canvas width of the `.svg` files and of the charts in `report.html` (which
/// scales them to the page).
pub const WIDTH: u32 = 860;

/// plotters font sizes (SVG pixels are these / 1.24).
const TITLE: f64 = 21.0;
const SUBTITLE: f64 = 15.0;
const NOTE: f64 = 14.0;
const TICK: f64 = 15.0;
const MARGIN: i32 = 14;

const GREY: RGBColor = RGBColor(90, 90, 90);
const GRID: RGBColor = RGBColor(225, 225, 225);

fn plot_err(e: impl std::fmt::Display) -> io::Error {
    io::Error::other(format!("drawing a chart: {e}"))
}

/// What surrounds a plot: the title and subtitle above it, the notes and the
/// colour key under it.
#[derive(Debug, Clone, Default)]
pub struct Frame {
    pub title: String,
    pub subtitle: String,
    /// How to read the chart, one sentence each: whiskers, the ideal, the scale.
    pub notes: Vec<String>,
    /// Families and their colours, for the line "hue = family, shade = model".
    pub key: Vec<(String, RGBColor)>,
}

/// The frame laid out for a canvas width: every line of text, and the heights.
struct Layout {
    title: Vec<String>,
    title_size: f64,
    subtitle: Vec<String>,
    notes: Vec<String>,
    /// Rows of the colour key: (family, colour) entries that fit one line each.
    key: Vec<Vec<(String, RGBColor)>>,
}

const KEY_LEAD: &str = "colour: hue = family, shade = model";

impl Layout {
    fn new(frame: &Frame, width: u32) -> Self {
        let room = f64::from(width) - 2.0 * f64::from(MARGIN);
        // Shrink a long title to 15 before wrapping it.
        let mut title_size = TITLE;
        while title_size > 15.0 && axis::text_width(&frame.title, title_size) > room {
            title_size -= 1.0;
        }
        let mut key: Vec<Vec<(String, RGBColor)>> = Vec::new();
        let mut used = axis::text_width(KEY_LEAD, NOTE) + 16.0;
        let mut line: Vec<(String, RGBColor)> = Vec::new();
        for (name, colour) in &frame.key {
            let w = axis::text_width(name, NOTE) + 30.0;
            if used + w > room && !line.is_empty() {
                key.push(std::mem::take(&mut line));
                used = 0.0;
            }
            used += w;
            line.push((name.clone(), *colour));
        }
        if !line.is_empty() {
            key.push(line);
        }
        Self {
            title: axis::wrap(&frame.title, room, title_size),
            title_size,
            subtitle: axis::wrap(&frame.subtitle, room, SUBTITLE),
            notes: frame
                .notes
                .iter()
                .flat_map(|n| axis::wrap(n, room, NOTE))
                .collect(),
            key,
        }
    }

    fn line(size: f64) -> i32 {
        (axis::font_px(size) * 1.45).ceil() as i32
    }

    fn top(&self) -> i32 {
        MARGIN
            + self.title.len() as i32 * Self::line(self.title_size)
            + self.subtitle.len() as i32 * Self::line(SUBTITLE)
            + 6
    }

    fn bottom(&self) -> i32 {
        8 + (self.notes.len() + self.key.len()) as i32 * Self::line(NOTE) + MARGIN / 2
    }
}

fn style(size: f64, colour: RGBColor) -> TextStyle<'static> {
    TextStyle {
        font: ("sans-serif", size).into_font(),
        color: colour.to_backend_color(),
        pos: Pos::default(),
    }
}

/// Draws the frame on `root` (`height` tall) and returns the area left for the
/// plot.
fn draw_frame<'a, DB: DrawingBackend + 'a>(
    root: &DrawingArea<DB, Shift>,
    layout: &Layout,
    height: i32,
) -> io::Result<DrawingArea<DB, Shift>> {
    root.fill(&WHITE).map_err(plot_err)?;
    let mut y = MARGIN;
    for line in &layout.title {
        let mut bold = style(layout.title_size, BLACK);
        bold.font = bold.font.style(FontStyle::Bold);
        root.draw(&Text::new(line.clone(), (MARGIN, y), bold))
            .map_err(plot_err)?;
        y += Layout::line(layout.title_size);
    }
    for line in &layout.subtitle {
        root.draw(&Text::new(line.clone(), (MARGIN, y), style(SUBTITLE, GREY)))
            .map_err(plot_err)?;
        y += Layout::line(SUBTITLE);
    }
    let mut y = height - layout.bottom() + 8;
    for line in &layout.notes {
        root.draw(&Text::new(line.clone(), (MARGIN, y), style(NOTE, GREY)))
            .map_err(plot_err)?;
        y += Layout::line(NOTE);
    }
    for (i, row) in layout.key.iter().enumerate() {
        let mut x = MARGIN;
        if i == 0 {
            root.draw(&Text::new(KEY_LEAD, (x, y), style(NOTE, GREY)))
                .map_err(plot_err)?;
            x += axis::text_width(KEY_LEAD, NOTE) as i32 + 16;
        }
        for (name, colour) in row {
            let h = axis::font_px(NOTE) as i32;
            root.draw(&Rectangle::new([(x, y), (x + 14, y + h)], colour.filled()))
                .map_err(plot_err)?;
            root.draw(&Text::new(name.clone(), (x + 19, y), style(NOTE, GREY)))
                .map_err(plot_err)?;
            x += axis::text_width(name, NOTE) as i32 + 30;
        }
        y += Layout::line(NOTE);
    }
    let (_, rest) = root.split_vertically(layout.top());
    let (plot, _) = rest.split_vertically(height - layout.top() - layout.bottom());
    Ok(plot)
}

/// A value on a log axis, and back.
fn to_log(v: f64) -> f64 {
    v.max(f64::MIN_POSITIVE).ln()
}

fn from_log(t: f64) -> f64 {
    t.exp()
}

/// A linear coordinate whose grid lines and labels are exactly `ticks` (plotters'
/// own `WithKeyPoints` cannot take a label formatter over `f64`).
#[derive(Debug, Clone)]
struct Ticked {
    lo: f64,
    hi: f64,
    ticks: Vec<f64>,
}

impl Ranged for Ticked {
    type FormatOption = DefaultFormatting;
    type ValueType = f64;

    fn map(&self, v: &f64, limit: (i32, i32)) -> i32 {
        if self.hi == self.lo {
            return (limit.0 + limit.1) / 2;
        }
        let share = (v - self.lo) / (self.hi - self.lo);
        limit.0 + (f64::from(limit.1 - limit.0) * share).round() as i32
    }

    fn key_points<H: KeyPointHint>(&self, hint: H) -> Vec<f64> {
        // Bold grid lines at the ticks; no light ones between them.
        if hint.weight().allow_light_points() {
            Vec::new()
        } else {
            self.ticks.clone()
        }
    }

    fn range(&self) -> Range<f64> {
        self.lo..self.hi
    }
}
