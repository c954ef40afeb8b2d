//! fairness: a ticker that wants to wake every millisecond, among hogs that never
//! yield.
//!
//! The rules, the same in every model:
//! - one ticker task sleeps `tick` with the model's own sleep, `ticks` times, and
//!   records each wake-up's lateness (how long after `tick` it woke, counted from
//!   just before that sleep); it is started first, and records when its first
//!   sleep began ([`FairnessOutcome::ticker_started`]);
//! - then `hogs` hog tasks of the model's own kind start; hog `h` runs the fanout
//!   job on the items of [`FairnessSpec::hog_chunks`]`(h)`, chunk after chunk,
//!   and between two chunks yields to its scheduler in its model's idiom (a
//!   `yield_now`, a re-queued callback, a continue message to itself); with
//!   `yield_every = 0` a hog is one chunk and never yields;
//! - each hog reports its count, its wrapping sum, the yields it made and when it
//!   finished; the model returns once the ticker and every hog are done.
//!
//! `verify` checks every hog's sum, the yields, the ticks, and that the ticker
//! was running before the first hog finished, so ticker and hogs overlapped.

use std::ops::Range;
use std::time::{Duration, Instant};

use super::{Probe, VerifyError, check, default_threads};
use crate::spec::{job_sum, run_job};

/// Fanout-job items a hog runs per millisecond of `--hog-ms`: the reference
/// machine's rate (`fanout_job` takes about 0.6 µs there). A fixed rate, not a
/// calibration, so every model gets the same work whatever the machine; the
/// report shows how long the hogs really ran.
pub const HOG_ITEMS_PER_MS: u64 = 1_600;

/// A ticker among CPU hogs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FairnessSpec {
    /// How long each of the ticker's sleeps asks for.
    pub tick: Duration,
    /// How many times the ticker sleeps.
    pub ticks: u64,
    /// Hog tasks.
    pub hogs: usize,
    /// Fanout-job items each hog runs.
    pub hog_items: u64,
    /// Items between two yields; 0: never yield.
    pub yield_every: u64,
    pub threads: usize,
    /// Where the model marks its measured phase.
    pub probe: Probe,
}

impl FairnessSpec {
    /// `hogs` hogs of `hog_ms` each (at [`HOG_ITEMS_PER_MS`]), a ticker of `tick`
    /// that ticks long enough to span the hogs run one after another.
    pub fn new(tick: Duration, hogs: usize, hog_ms: u64, yield_every: u64) -> Self {
        let tick_ms = u64::try_from(tick.as_millis()).unwrap_or(u64::MAX).max(1);
        let span_ms = hog_ms.saturating_mul(hogs as u64);
        Self {
            tick,
            ticks: span_ms.div_ceil(tick_ms).max(20),
            hogs,
            hog_items: hog_ms.saturating_mul(HOG_ITEMS_PER_MS).max(1),
            yield_every,
            threads: default_threads(),
            probe: Probe::default(),
        }
    }

    /// The items hog `h` runs: a range of its own, so two hogs' sums differ.
    pub fn hog_range(&self, h: usize) -> Range<u64> {
        let start = h as u64 * self.hog_items;
        start..start + self.hog_items
    }

    /// Hog `h`'s items cut at every `yield_every`: the hog yields between two.
    pub fn hog_chunks(&self, h: usize) -> impl Iterator<Item = Range<u64>> + use<> {
        let range = self.hog_range(h);
        let step = if self.yield_every == 0 {
            self.hog_items
        } else {
            self.yield_every
        };
        let end = range.end;
        (range.start..end)
            .step_by(usize::try_from(step).unwrap_or(usize::MAX))
            .map(move |s| s..(s.saturating_add(step)).min(end))
    }

    /// Yields each hog must make: one between every two chunks.
    pub fn expected_yields(&self) -> u64 {
        match self.yield_every {
            0 => 0,
            y => self.hog_items.div_ceil(y) - 1,
        }
    }

    pub fn verify(&self, outcome: &FairnessOutcome) -> Result<(), VerifyError> {
        check(outcome.lateness_ns.len() as u64 == self.ticks, || {
            format!(
                "the ticker ticked {} of {} times",
                outcome.lateness_ns.len(),
                self.ticks
            )
        })?;
        check(outcome.hogs.len() == self.hogs, || {
            format!("{} of {} hogs reported", outcome.hogs.len(), self.hogs)
        })?;
        let mut hogs: Vec<&HogResult> = outcome.hogs.iter().collect();
        hogs.sort_by_key(|h| h.hog);
        for (h, got) in hogs.iter().enumerate() {
            check(got.hog == h, || format!("hog {h} did not report"))?;
            let range = self.hog_range(h);
            let want = job_sum(range);
            check(got.items == self.hog_items && got.sum == want, || {
                format!(
                    "hog {h}: {} items, sum {:#018x}; want {} items, sum {want:#018x}",
                    got.items, got.sum, self.hog_items
                )
            })?;
            check(got.yields == self.expected_yields(), || {
                format!(
                    "hog {h} yielded {} times; with --yield-every {} it must yield {}",
                    got.yields,
                    self.yield_every,
                    self.expected_yields()
                )
            })?;
        }
        if let Some(first_done) = outcome.hogs.iter().map(|h| h.done).min() {
            check(outcome.ticker_started <= first_done, || {
                "the ticker started after a hog had finished: ticker and hogs must run \
                 together (start the ticker first)"
                    .into()
            })?;
        }
        Ok(())
    }
}

/// One hog's report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HogResult {
    /// Which hog (`0..hogs`).
    pub hog: usize,
    pub items: u64,
    pub sum: u64,
    pub yields: u64,
    /// When its last item was done.
    pub done: Instant,
}

impl HogResult {
    /// Hog `h` before its first chunk.
    pub fn start(hog: usize) -> Self {
        Self {
            hog,
            items: 0,
            sum: 0,
            yields: 0,
            done: Instant::now(),
        }
    }

    /// Runs one chunk of the fanout job and adds it.
    pub fn run_chunk(&mut self, chunk: Range<u64>) {
        let (count, sum) = run_job(chunk);
        self.items += count;
        self.sum = self.sum.wrapping_add(sum);
        self.done = Instant::now();
    }
}

/// What the ticker and the hogs reported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FairnessOutcome {
    /// When the ticker's first sleep began.
    pub ticker_started: Instant,
    /// Each tick's lateness, in order.
    pub lateness_ns: Vec<u64>,
    pub hogs: Vec<HogResult>,
}

/// The ticker's clock: lateness of one sleep of `tick` that began at `asked`.
pub fn lateness_ns(asked: Instant, tick: Duration) -> u64 {
    let late = asked.elapsed().saturating_sub(tick);
    u64::try_from(late.as_nanos()).unwrap_or(u64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunks_cover_each_hog_once() {
        let mut spec = FairnessSpec::new(Duration::from_millis(1), 2, 1, 700);
        assert_eq!(spec.hog_items, HOG_ITEMS_PER_MS);
        let chunks: Vec<_> = spec.hog_chunks(1).collect();
        assert_eq!(chunks.first().unwrap().start, HOG_ITEMS_PER_MS);
        assert_eq!(chunks.last().unwrap().end, 2 * HOG_ITEMS_PER_MS);
        assert_eq!(chunks.len() as u64, spec.expected_yields() + 1);
        spec.yield_every = 0;
        assert_eq!(spec.hog_chunks(0).count(), 1);
        assert_eq!(spec.expected_yields(), 0);
    }

    #[test]
    fn verify_checks_sums_yields_ticks_and_overlap() {
        let spec = FairnessSpec {
            hog_items: 50,
            ..FairnessSpec::new(Duration::from_millis(1), 2, 1, 20)
        };
        let started = Instant::now();
        let hogs: Vec<HogResult> = (0..2)
            .map(|h| {
                let mut r = HogResult::start(h);
                for (i, c) in spec.hog_chunks(h).enumerate() {
                    r.yields += u64::from(i > 0);
                    r.run_chunk(c);
                }
                r
            })
            .collect();
        let good = FairnessOutcome {
            ticker_started: started,
            lateness_ns: vec![0; spec.ticks as usize],
            hogs,
        };
        assert!(spec.verify(&good).is_ok(), "{:?}", spec.verify(&good));
        let mut bad = good.clone();
        bad.hogs[1].sum ^= 1;
        assert!(spec.verify(&bad).unwrap_err().0.contains("hog 1"));
        let mut bad = good.clone();
        bad.hogs[0].yields = 0;
        assert!(spec.verify(&bad).unwrap_err().0.contains("yielded 0 times"));
        let mut bad = good.clone();
        bad.lateness_ns.pop();
        assert!(spec.verify(&bad).unwrap_err().0.contains("ticked"));
        let mut bad = good;
        bad.ticker_started = Instant::now();
        assert!(spec.verify(&bad).unwrap_err().0.contains("started after"));
    }
}
