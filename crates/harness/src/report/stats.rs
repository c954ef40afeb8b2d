//! The statistics behind every table: medians, spread, outliers and two-mode
//! samples, bootstrap intervals for ratios, and Kendall's tau between rankings.
//!
//! The choices follow hyperfine and criterion: the median and the median absolute
//! deviation (robust to the one run that met a noisy neighbour), outliers as
//! criterion names them (beyond 3 MADs), and ratios between two models with a
//! percentile bootstrap interval, so that two models whose interval holds 1 are
//! called a tie instead of being ranked by noise.

/// The median of some values (the mean of the middle two for an even count).
pub fn median_f(values: &[f64]) -> Option<f64> {
    let mut v: Vec<f64> = values.iter().copied().filter(|x| x.is_finite()).collect();
    if v.is_empty() {
        return None;
    }
    v.sort_by(f64::total_cmp);
    let n = v.len();
    Some(if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    })
}

/// The median absolute deviation, scaled by 1.4826 so that it estimates the
/// standard deviation of normally distributed values (as criterion reports it).
pub fn mad(values: &[f64]) -> Option<f64> {
    let m = median_f(values)?;
    let dev: Vec<f64> = values.iter().map(|v| (v - m).abs()).collect();
    Some(median_f(&dev)? * 1.4826)
}

/// The spread of a sample as a share of its median: MAD / median.
pub fn relative_spread(values: &[f64]) -> Option<f64> {
    let m = median_f(values)?;
    (m != 0.0).then(|| mad(values).map(|d| d / m.abs()))?
}

/// A warning when a sample has outliers or looks like two modes, in words; `None`
/// for a clean sample (or one too small to judge: fewer than 5 values).
///
/// Two modes: sorted, the widest gap between neighbours is more than a quarter of
/// the median and splits off at least two values on each side (a cross-thread
/// hand-over that sometimes finds the other core asleep looks like this).
/// Outliers: values more than 3 MADs from the median, with the MAD floored at 1 %
/// of the median so that a very tight sample does not call every wobble one.
pub fn warning(values: &[f64]) -> Option<String> {
    if values.len() < 5 {
        return None;
    }
    let m = median_f(values)?;
    let mut v = values.to_vec();
    v.sort_by(f64::total_cmp);
    let (gap_at, gap) = v
        .windows(2)
        .enumerate()
        .map(|(i, w)| (i + 1, w[1] - w[0]))
        .max_by(|a, b| a.1.total_cmp(&b.1))?;
    if gap > 0.25 * m.abs() && gap_at >= 2 && v.len() - gap_at >= 2 {
        let low = median_f(&v[..gap_at])?;
        let high = median_f(&v[gap_at..])?;
        return Some(format!(
            "two modes: {} runs near {}, {} near {} ({:.1}x apart)",
            gap_at,
            short(low),
            v.len() - gap_at,
            short(high),
            high / low.max(f64::MIN_POSITIVE)
        ));
    }
    let spread = mad(values)?.max(0.01 * m.abs());
    let outliers = values
        .iter()
        .filter(|x| (**x - m).abs() > 3.0 * spread)
        .count();
    (outliers > 0).then(|| format!("{outliers} of {} runs are outliers", values.len()))
}

fn short(v: f64) -> String {
    if v.abs() >= 100.0 {
        format!("{v:.0}")
    } else {
        format!("{v:.3}")
    }
}

/// A small, seeded generator (splitmix64) for shuffling and resampling, so a run's
/// order and intervals can be reproduced from its recorded seed.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        crate::pages::splitmix64(&mut self.0)
    }

    /// A number in `0..n` (n > 0).
    pub fn below(&mut self, n: usize) -> usize {
        // The modulo bias for n far below 2^64 is far below anything measured here.
        (self.next_u64() % n as u64) as usize
    }

    /// Fisher-Yates.
    pub fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            items.swap(i, self.below(i + 1));
        }
    }
}

/// A 95 % percentile-bootstrap interval for `median(a) / median(b)`: both samples
/// are resampled with replacement, 2,000 times.
pub fn ratio_interval(a: &[f64], b: &[f64], rng: &mut Rng) -> Option<(f64, f64)> {
    if a.is_empty() || b.is_empty() {
        return None;
    }
    const ROUNDS: usize = 2000;
    let mut ratios = Vec::with_capacity(ROUNDS);
    let mut ra = vec![0.0; a.len()];
    let mut rb = vec![0.0; b.len()];
    for _ in 0..ROUNDS {
        for x in ra.iter_mut() {
            *x = a[rng.below(a.len())];
        }
        for x in rb.iter_mut() {
            *x = b[rng.below(b.len())];
        }
        let (ma, mb) = (median_f(&ra)?, median_f(&rb)?);
        if mb > 0.0 {
            ratios.push(ma / mb);
        }
    }
    ratios.sort_by(f64::total_cmp);
    let at = |q: f64| ratios[((ratios.len() - 1) as f64 * q).round() as usize];
    (!ratios.is_empty()).then(|| (at(0.025), at(0.975)))
}

/// Kendall's tau-b between two rankings of the same items (1 = same order, -1 =
/// reversed). Items are matched by name; ties count as neither concordant nor
/// discordant.
pub fn kendall_tau(a: &[(&str, f64)], b: &[(&str, f64)]) -> Option<f64> {
    let pairs: Vec<(f64, f64)> = a
        .iter()
        .filter_map(|(name, x)| b.iter().find(|(n, _)| n == name).map(|(_, y)| (*x, *y)))
        .collect();
    let (mut concordant, mut discordant, mut ties_a, mut ties_b) = (0i64, 0i64, 0i64, 0i64);
    for i in 0..pairs.len() {
        for j in i + 1..pairs.len() {
            let dx = pairs[i].0.total_cmp(&pairs[j].0) as i64;
            let dy = pairs[i].1.total_cmp(&pairs[j].1) as i64;
            match (dx, dy) {
                (0, 0) => {}
                (0, _) => ties_a += 1,
                (_, 0) => ties_b += 1,
                _ if dx == dy => concordant += 1,
                _ => discordant += 1,
            }
        }
    }
    let n0 = (concordant + discordant + ties_a) as f64;
    let n1 = (concordant + discordant + ties_b) as f64;
    (n0 > 0.0 && n1 > 0.0).then(|| (concordant - discordant) as f64 / (n0 * n1).sqrt())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn medians_and_spread() {
        assert_eq!(median_f(&[]), None);
        assert_eq!(median_f(&[3.0, 1.0, 2.0]), Some(2.0));
        assert_eq!(median_f(&[4.0, 1.0, 2.0, 3.0]), Some(2.5));
        let m = mad(&[1.0, 2.0, 3.0, 4.0, 100.0]).unwrap();
        assert!((m - 1.4826).abs() < 1e-9, "{m}");
        assert!(relative_spread(&[10.0, 10.0, 10.0]).unwrap() == 0.0);
    }

    #[test]
    fn two_modes_and_outliers_are_named() {
        let clean = [10.0, 10.1, 9.9, 10.05, 10.0, 9.95];
        assert_eq!(warning(&clean), None);
        let bimodal = [55.0, 56.0, 98.0, 97.0, 55.5, 99.0, 56.5];
        let w = warning(&bimodal).unwrap();
        assert!(
            w.starts_with("two modes: 4 runs near 55.750, 3 near 98"),
            "{w}"
        );
        let outlier = [10.0, 10.1, 9.9, 10.0, 10.05, 25.0];
        assert_eq!(warning(&outlier).unwrap(), "1 of 6 runs are outliers");
        assert_eq!(warning(&[1.0, 100.0]), None, "too few to judge");
    }

    #[test]
    fn bootstrap_intervals_separate_or_tie() {
        let mut rng = Rng::new(7);
        let a = [10.0, 10.2, 9.8, 10.1, 9.9, 10.0, 10.3, 9.7, 10.0, 10.1];
        let b: Vec<f64> = a.iter().map(|x| x * 2.0).collect();
        let (lo, hi) = ratio_interval(&b, &a, &mut rng).unwrap();
        assert!(lo > 1.8 && hi < 2.2, "{lo}..{hi}");
        let c = [10.1, 9.9, 10.0, 10.2, 9.8, 10.0, 10.1, 9.9, 10.0, 10.0];
        let (lo, hi) = ratio_interval(&c, &a, &mut rng).unwrap();
        assert!(lo < 1.0 && hi > 1.0, "a tie must hold 1: {lo}..{hi}");
    }

    #[test]
    fn shuffles_are_seeded() {
        let mut x: Vec<u32> = (0..20).collect();
        let mut y = x.clone();
        Rng::new(42).shuffle(&mut x);
        Rng::new(42).shuffle(&mut y);
        assert_eq!(x, y);
        assert_ne!(x, (0..20).collect::<Vec<_>>());
        let mut sorted = x.clone();
        sorted.sort_unstable();
        assert_eq!(sorted, (0..20).collect::<Vec<_>>());
    }

    #[test]
    fn kendall_tau_of_rankings() {
        let a = [("x", 1.0), ("y", 2.0), ("z", 3.0)];
        let same = [("z", 30.0), ("x", 10.0), ("y", 20.0)];
        assert_eq!(kendall_tau(&a, &same), Some(1.0));
        let reversed = [("x", 3.0), ("y", 2.0), ("z", 1.0)];
        assert_eq!(kendall_tau(&a, &reversed), Some(-1.0));
        let one_swap = [("x", 1.0), ("y", 3.0), ("z", 2.0)];
        let t = kendall_tau(&a, &one_swap).unwrap();
        assert!((t - 1.0 / 3.0).abs() < 1e-9, "{t}");
    }
}
