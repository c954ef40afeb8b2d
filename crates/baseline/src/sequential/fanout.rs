//! fanout, sequentially: producer, worker and collector are one loop. This is the
//! reference every parallel model's speedup is quoted against; `workers` has no
//! meaning with one thread and is ignored.

use harness::spec::{FanoutOutcome, FanoutSpec, fanout_job};

pub(crate) fn run(spec: &FanoutSpec) -> FanoutOutcome {
    let sum = (0..spec.items).fold(0u64, |sum, item| sum.wrapping_add(fanout_job(item)));
    FanoutOutcome {
        items: spec.items,
        sum,
    }
}
