//! fanout with threads: `workers` threads share an atomic cursor over the items.
//!
//! The producer is that cursor (claiming an item is one `fetch_add`), each worker
//! keeps a private running sum, and the collector is the caller adding up what the
//! join handles return. Sharing one counter is the threads idiom for a work queue:
//! no lock is held while working, so the workers scale with the cores.

use std::sync::atomic::{AtomicU64, Ordering};
use std::thread;

use harness::ModelError;
use harness::spec::{FanoutOutcome, FanoutSpec, fanout_job};

use super::{builder, check_thread_budget, join, spawn_failed};

pub(crate) fn run(spec: &FanoutSpec) -> Result<FanoutOutcome, ModelError> {
    check_thread_budget(spec.workers)?;
    let next = AtomicU64::new(0);
    thread::scope(|s| {
        let mut handles = Vec::with_capacity(spec.workers);
        for w in 0..spec.workers {
            let next = &next;
            let handle = builder("fanout")
                .spawn_scoped(s, move || {
                    let (mut items, mut sum) = (0u64, 0u64);
                    // Relaxed: the cursor only has to hand out each item once.
                    loop {
                        let item = next.fetch_add(1, Ordering::Relaxed);
                        if item >= spec.items {
                            break;
                        }
                        items += 1;
                        sum = sum.wrapping_add(fanout_job(item));
                    }
                    (items, sum)
                })
                .map_err(|e| spawn_failed(w, spec.workers, &e))?;
            handles.push(handle);
        }
        let mut out = FanoutOutcome { items: 0, sum: 0 };
        for h in handles {
            let (items, sum) = join(h)?;
            out.items += items;
            out.sum = out.sum.wrapping_add(sum);
        }
        Ok(out)
    })
}
