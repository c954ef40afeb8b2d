//! Axes that read cleanly: ticks at 1-2-5 steps (powers of two for bytes), thinned
//! until no two labels touch, each label with its unit (`500 ns`, `2 µs`, `64 KiB`,
//! `1.5 M/s`) so no two say the same thing.
//!
//! plotters lays text out with a crude estimate (no font is loaded for SVG), so
//! the widths here are the browser's: [`text_width`] errs wide, and every layout
//! decision (tick density, label areas, titles) goes through it.

/// What an axis counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    Ns,
    Bytes,
    PerSec,
    Count,
}

/// SVG font pixels for a plotters font size: plotters writes `size / 1.24`.
pub fn font_px(size: f64) -> f64 {
    size / 1.24
}

/// How wide `text` is drawn at plotters font `size`, in pixels: sans-serif glyphs
/// average about 0.55 em; 0.6 leaves room for the wider fonts.
pub fn text_width(text: &str, size: f64) -> f64 {
    text.chars().count() as f64 * font_px(size) * 0.6
}

/// A number with the digits it needs: `2`, `1.5`, `0.25`.
fn short(x: f64) -> String {
    let rounded = (x * 100.0).round() / 100.0;
    let s = format!("{rounded:.2}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" { "0".into() } else { s.into() }
}

/// A tick label: the value in the largest unit it reaches.
pub fn label(unit: Unit, v: f64) -> String {
    if v == 0.0 {
        return "0".into();
    }
    let scaled = |steps: &[(f64, &str)], base: &str| {
        for (scale, name) in steps {
            if v.abs() >= *scale * 0.999 {
                return format!("{} {name}", short(v / scale)).trim_end().to_owned();
            }
        }
        format!("{} {base}", short(v)).trim_end().to_owned()
    };
    match unit {
        Unit::Ns => scaled(&[(1e9, "s"), (1e6, "ms"), (1e3, "µs")], "ns"),
        Unit::Bytes => scaled(
            &[
                (f64::from(1u32 << 30), "GiB"),
                (f64::from(1u32 << 20), "MiB"),
                (1024.0, "KiB"),
            ],
            "B",
        ),
        Unit::PerSec => scaled(&[(1e9, "G/s"), (1e6, "M/s"), (1e3, "k/s")], "/s"),
        Unit::Count => {
            let s = scaled(&[(1e9, "G"), (1e6, "M"), (1e3, "k")], "");
            // `10 k` reads as a unit; counts are written `10k`.
            s.replace(' ', "")
        }
    }
}

/// Whether labels at these pixel positions (along the axis) leave room between
/// them: side by side on a horizontal axis, stacked on a vertical one.
fn fits(ticks: &[f64], px: impl Fn(f64) -> f64, unit: Unit, size: f64, horizontal: bool) -> bool {
    ticks.windows(2).all(|w| {
        let gap = (px(w[1]) - px(w[0])).abs();
        if horizontal {
            let need =
                (text_width(&label(unit, w[0]), size) + text_width(&label(unit, w[1]), size)) / 2.0;
            gap >= need + 10.0
        } else {
            gap >= font_px(size) * 1.8
        }
    })
}

/// Ticks for a log axis over `lo..hi` drawn `pixels` long: the densest of the
/// usual sets (1-2-5 per decade; then 1 per decade, every second or third decade;
/// bytes: every power of two, then every second, ...) whose labels do not touch,
/// with at least two ticks where the range allows.
pub fn log_ticks(
    lo: f64,
    hi: f64,
    unit: Unit,
    pixels: f64,
    size: f64,
    horizontal: bool,
) -> Vec<f64> {
    let (lo, hi) = (lo.max(f64::MIN_POSITIVE), hi.max(lo * 1.0001));
    let px = |v: f64| pixels * (v.ln() - lo.ln()) / (hi.ln() - lo.ln());
    let mut sets: Vec<Vec<f64>> = Vec::new();
    if unit == Unit::Bytes {
        for step in [1, 2, 3, 5, 10] {
            let first = lo.log2().floor() as i32;
            let last = hi.log2().ceil() as i32;
            sets.push(
                (first..=last)
                    .filter(|e| e.rem_euclid(step) == 0)
                    .map(|e| 2f64.powi(e))
                    .collect(),
            );
        }
    } else {
        let decades = || (lo.log10().floor() as i32)..=(hi.log10().ceil() as i32);
        let per_decade = |m: &[f64]| -> Vec<f64> {
            decades()
                .flat_map(|d| m.iter().map(move |m| m * 10f64.powi(d)))
                .collect()
        };
        // The 1-to-9 set only where 1-2-5 would leave fewer than two ticks.
        sets.push(per_decade(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0]));
        sets.push(per_decade(&[1.0, 2.0, 5.0]));
        sets.push(per_decade(&[1.0]));
        for step in [2, 3, 5] {
            sets.push(
                decades()
                    .filter(|d| d.rem_euclid(step) == 0)
                    .map(|d| 10f64.powi(d))
                    .collect(),
            );
        }
    }
    let within = |set: &Vec<f64>| -> Vec<f64> {
        set.iter()
            .copied()
            .filter(|v| *v >= lo * 0.9999 && *v <= hi * 1.0001)
            .collect()
    };
    let candidates: Vec<Vec<f64>> = sets.iter().map(within).collect();
    let ok = |t: &Vec<f64>| fits(t, px, unit, size, horizontal);
    // 1-2-5 (or every power of two) first; the 1-to-9 set only to reach two ticks.
    let preferred = if unit == Unit::Bytes { 0 } else { 1 };
    if let Some(t) = candidates[preferred..]
        .iter()
        .find(|t| t.len() >= 2 && ok(t))
    {
        return t.clone();
    }
    if unit != Unit::Bytes && ok(&candidates[0]) && candidates[0].len() >= 2 {
        return candidates[0].clone();
    }
    // Nothing gives two labels that fit: the sparsest set that still has one.
    candidates
        .iter()
        .rev()
        .find(|t| !t.is_empty())
        .cloned()
        .unwrap_or_else(|| vec![lo])
}

/// Ticks for a linear axis from 0 to `hi`: steps of 1, 2 or 5 times a power of
/// ten, the finest whose labels do not touch and that draws at most
/// [`MAX_LINEAR_TICKS`] grid lines.
pub fn linear_ticks(hi: f64, unit: Unit, pixels: f64, size: f64, horizontal: bool) -> Vec<f64> {
    let hi = hi.max(f64::MIN_POSITIVE);
    let px = |v: f64| pixels * v / hi;
    let top = hi.log10().floor() as i32;
    for e in (top - 3)..=(top + 1) {
        for m in [1.0, 2.0, 5.0] {
            let step = m * 10f64.powi(e);
            let count = (hi / step).floor() as usize;
            if count + 1 > MAX_LINEAR_TICKS {
                continue;
            }
            let ticks: Vec<f64> = (0..=count).map(|i| i as f64 * step).collect();
            if ticks.len() >= 2 && fits(&ticks, px, unit, size, horizontal) {
                return ticks;
            }
        }
    }
    vec![0.0, hi]
}

/// More grid lines than this on a linear axis is a fence, not a scale.
const MAX_LINEAR_TICKS: usize = 8;

/// Splits `text` into lines no wider than `width` pixels at font `size`, at spaces.
pub fn wrap(text: &str, width: f64, size: f64) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        let candidate = if line.is_empty() {
            word.to_owned()
        } else {
            format!("{line} {word}")
        };
        if !line.is_empty() && text_width(&candidate, size) > width {
            lines.push(std::mem::replace(&mut line, word.to_owned()));
        } else {
            line = candidate;
        }
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_carry_their_unit_and_no_two_ticks_read_the_same() {
        assert_eq!(label(Unit::Ns, 500.0), "500 ns");
        assert_eq!(label(Unit::Ns, 2_000.0), "2 µs");
        assert_eq!(label(Unit::Ns, 1.5e9), "1.5 s");
        assert_eq!(label(Unit::Bytes, 65_536.0), "64 KiB");
        assert_eq!(label(Unit::PerSec, 2.5e6), "2.5 M/s");
        assert_eq!(label(Unit::Count, 1e6), "1M");
        assert_eq!(label(Unit::Count, 10_000.0), "10k");
        // The spawn axis that printed `700.0 800.0900.01000.0`.
        let t = log_ticks(600.0, 1_200.0, Unit::Bytes, 600.0, 13.0, true);
        let labels: Vec<String> = t.iter().map(|v| label(Unit::Bytes, *v)).collect();
        let mut unique = labels.clone();
        unique.dedup();
        assert_eq!(labels, unique);
        assert!(t.len() >= 2 || t.len() == 1, "{labels:?}");
    }

    #[test]
    fn log_ticks_are_1_2_5_and_thin_out_when_crowded() {
        let wide = log_ticks(80.0, 30_000.0, Unit::Ns, 700.0, 13.0, true);
        assert_eq!(
            wide,
            [100.0, 200.0, 500.0, 1e3, 2e3, 5e3, 1e4, 2e4],
            "1-2-5 across the range"
        );
        let narrow = log_ticks(80.0, 30_000.0, Unit::Ns, 200.0, 13.0, true);
        assert!(narrow.len() < wide.len() && narrow.len() >= 2, "{narrow:?}");
        assert!(fits(
            &narrow,
            |v| 200.0 * (v.ln() - 80f64.ln()) / (30_000f64.ln() - 80f64.ln()),
            Unit::Ns,
            13.0,
            true
        ));
        // A range inside one 1-2-5 step still gets two ticks.
        let tight = log_ticks(210.0, 480.0, Unit::Ns, 700.0, 13.0, true);
        assert!(tight.len() >= 2, "{tight:?}");
    }

    #[test]
    fn linear_ticks_and_wrapping() {
        assert_eq!(
            linear_ticks(1.1e9, Unit::Ns, 700.0, 13.0, true),
            [0.0, 2e8, 4e8, 6e8, 8e8, 1e9]
        );
        let lines = wrap(
            "crawl (body_bytes=1024, concurrency=50, delay_ms=50)",
            150.0,
            13.0,
        );
        assert!(lines.len() > 1 && lines.iter().all(|l| text_width(l, 13.0) <= 150.0));
    }
}
