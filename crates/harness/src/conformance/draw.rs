//! Where the drawn cases' sizes come from: a generator seeded with the suite's seed
//! (the reports' splitmix64 [`Rng`]), answering the reference size under seed 0,
//! and the fault matrices' mixes of faults and pages.

use crate::pages::{self, Fault};
use crate::report::stats::Rng;

/// Status codes the drawn fault matrices answer with.
const STATUS_CODES: [u16; 7] = [400, 404, 410, 429, 500, 502, 503];

/// Sizes for the cases: the reference size under seed 0, a drawn one otherwise.
pub(super) struct Pick(Option<Rng>);

impl Pick {
    pub(super) fn new(seed: u64) -> Self {
        Self((seed != 0).then(|| Rng::new(seed)))
    }

    /// `reference` under seed 0, else a number in `lo..=hi`.
    pub(super) fn size(&mut self, reference: u64, lo: u64, hi: u64) -> u64 {
        match &mut self.0 {
            None => reference,
            Some(rng) => lo + rng.next_u64() % (hi - lo + 1),
        }
    }

    /// [`Self::size`] as a `usize`; every bound here is small.
    pub(super) fn count(&mut self, reference: usize, lo: usize, hi: usize) -> usize {
        self.size(reference as u64, lo as u64, hi as u64) as usize
    }

    /// Shuffles `items` under a drawn seed; the reference order under seed 0.
    pub(super) fn shuffle<T>(&mut self, items: &mut [T]) {
        if let Some(rng) = &mut self.0 {
            rng.shuffle(items);
        }
    }

    /// Whether the sizes are drawn (any seed but 0).
    pub(super) fn drawn(&self) -> bool {
        self.0.is_some()
    }
}

/// The fault matrix's paths. The reference: every fault once, each after a good
/// page, then a 404 and an empty page. Drawn: each fault 0 to 2 times (at least
/// one fault in all), status codes drawn, a good page of drawn size beside each
/// fault and up to three more, all shuffled.
pub(super) fn fault_paths(pick: &mut Pick, base: u64) -> Vec<String> {
    let mut paths = Vec::new();
    let Some(rng) = &mut pick.0 else {
        for (k, fault) in Fault::ALL.into_iter().enumerate() {
            paths.push(pages::page_path(k as u64, 10, 700));
            paths.push(fault.path(k as u64));
        }
        paths.push(Fault::Status(404).path(99));
        paths.push(pages::page_path(99, 0, 10));
        return paths;
    };
    let mut faults = Vec::new();
    for fault in Fault::ALL {
        for _ in 0..rng.below(3) {
            faults.push(fault);
        }
    }
    if faults.is_empty() {
        faults.push(Fault::ALL[rng.below(Fault::ALL.len())]);
    }
    let extra = rng.below(4);
    for (k, fault) in faults.into_iter().enumerate() {
        let i = base + k as u64;
        let fault = match fault {
            Fault::Status(_) => Fault::Status(STATUS_CODES[rng.below(STATUS_CODES.len())]),
            other => other,
        };
        paths.push(fault.path(i));
        paths.push(pages::page_path(i, 10, rng.below(1501)));
    }
    for k in 0..extra {
        paths.push(pages::page_path(base + 100 + k as u64, 0, rng.below(101)));
    }
    rng.shuffle(&mut paths);
    paths
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn drawn_fault_matrices_mix_faults_and_pages_in_another_order() {
        let mut orders = std::collections::HashSet::new();
        for seed in 1..20 {
            let mut pick = Pick::new(seed);
            let paths = fault_paths(&mut pick, 5);
            assert!(paths.iter().any(|p| p.starts_with("/fault/")), "{paths:?}");
            assert!(paths.iter().any(|p| p.starts_with("/page/")), "{paths:?}");
            orders.insert(paths.first().cloned());
        }
        assert!(orders.len() > 1, "the first path never changes: {orders:?}");
    }
}
