//! The fairness cell: the ticker's lateness, summarised; when the hogs finished.

use crate::model::Model;
use crate::params::Params;
use crate::spec::FairnessSpec;

/// What the ticker and the hogs did, as the harness reads it from the outcome.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct FairnessFigures {
    pub ticks: u64,
    pub p50_late_ns: u64,
    pub p99_late_ns: u64,
    pub max_late_ns: u64,
    /// From the probe's `begin` to the last hog's last item.
    pub hogs_done_ns: u64,
    /// Yields each hog made.
    pub yields_per_hog: u64,
}

/// The `q`-quantile (0..=1) of `sorted`, nearest rank.
pub(crate) fn quantile(sorted: &[u64], q: f64) -> u64 {
    if sorted.is_empty() {
        return 0;
    }
    let rank = ((q * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    sorted[rank - 1]
}

pub(super) fn execute(model: &dyn Model, params: &Params) -> super::Ran<FairnessFigures> {
    let spec: FairnessSpec = params.fairness();
    let mut figures = None;
    let (call_ns, probe, verdict) = super::one(
        spec,
        |s| &s.probe,
        |s| model.fairness(s),
        |s, o| s.verify(o),
        |s, o| {
            let mut late = o.lateness_ns.clone();
            late.sort_unstable();
            let begun = s.probe.begun_at();
            let done = o.hogs.iter().map(|h| h.done).max();
            let hogs_done_ns = match (begun, done) {
                (Some(b), Some(d)) => {
                    u64::try_from(d.saturating_duration_since(b).as_nanos()).unwrap_or(u64::MAX)
                }
                _ => 0,
            };
            let f = FairnessFigures {
                ticks: late.len() as u64,
                p50_late_ns: quantile(&late, 0.5),
                p99_late_ns: quantile(&late, 0.99),
                max_late_ns: late.last().copied().unwrap_or(0),
                hogs_done_ns,
                yields_per_hog: o.hogs.first().map_or(0, |h| h.yields),
            };
            let line = format!(
                "{} ticks, worst {:.1} ms late; {} hogs done after {:.1} ms",
                f.ticks,
                f.max_late_ns as f64 / 1e6,
                o.hogs.len(),
                f.hogs_done_ns as f64 / 1e6
            );
            figures = Some(f);
            line
        },
    );
    (call_ns, probe, verdict, figures)
}

#[cfg(test)]
mod tests {
    use super::quantile;

    #[test]
    fn nearest_rank_quantiles() {
        let v: Vec<u64> = (1..=100).collect();
        assert_eq!(quantile(&v, 0.5), 50);
        assert_eq!(quantile(&v, 0.99), 99);
        assert_eq!(quantile(&v, 1.0), 100);
        assert_eq!(quantile(&[7], 0.99), 7);
        assert_eq!(quantile(&[], 0.5), 0);
    }
}
