//! fanout on may: a producer coroutine, `workers` worker coroutines, the caller
//! as collector.
//!
//! The producer sends item numbers down one may `mpmc` channel, which every
//! worker receives from; each item goes to exactly one worker. may's channels are
//! unbounded, so the producer first takes a credit from a semaphore holding
//! [`QUEUE_ITEMS`] of them and each worker returns one as it takes an item: a
//! buffered channel, as Go would write `make(chan uint64, QUEUE_ITEMS)`, so a
//! billion items never sit in memory at once. Each worker keeps its own count and
//! sum and returns them when the channel closes; the collector adds them up.
//!
//! The job is pure computation and nothing preempts a coroutine, so a worker
//! holds its thread until it next waits on the channel: the parallelism is may's
//! worker-thread count (`spec.threads`), however many worker coroutines there are.

use harness::ModelError;
use harness::spec::{FanoutOutcome, FanoutSpec, fanout_job};
use may::coroutine;
use may::sync::{Semphore, mpmc};

use crate::runtime;

/// Items in flight between the producer and the workers at most.
const QUEUE_ITEMS: usize = 1024;

/// Stack of each coroutine: a channel or semaphore call, or the job (a loop over
/// two registers): 1.4 KiB deep in a release build, 3.6 KiB in a debug one
/// (measured by painting the stack). It gets may's pooled size (8 KiB): may builds a pool of 1,000 coroutines of that size,
/// stacks and all, when its scheduler starts, and a spawn of the pooled size takes
/// one from there instead of mapping and guarding a fresh stack (two system calls
/// each, which made a 503-task ring spend more time being built than running).
/// 8 KiB still holds twice the debug depth.
const STACK_BYTES: usize = runtime::POOLED_STACK_BYTES;

pub(crate) fn run(spec: &FanoutSpec) -> Result<FanoutOutcome, ModelError> {
    runtime::start(spec.threads);
    if spec.workers == 0 {
        // Nobody to take the items (the CLI never asks for this): nothing collected.
        return Ok(FanoutOutcome { items: 0, sum: 0 });
    }
    runtime::check_stacks(spec.workers + 1, "this many fanout workers")?;
    let (items, queue) = mpmc::channel::<u64>();
    let credits = Semphore::new(QUEUE_ITEMS);
    let credits = &credits;
    runtime::contained(|| {
        coroutine::scope(|s| {
            let workers: Vec<_> = (0..spec.workers)
                .map(|_| {
                    let queue = queue.clone();
                    // SAFETY: the closure owns a receiver and borrows a semaphore the
                    // scope outlives; it touches no thread-local storage, and its
                    // deepest call (a channel receive, or the job) uses at most 4 KiB of
                    // its 8 KiB stack.
                    unsafe {
                        s.spawn_with_builder(
                            move || {
                                let (mut count, mut sum) = (0u64, 0u64);
                                for item in queue.iter() {
                                    credits.post();
                                    count += 1;
                                    sum = sum.wrapping_add(fanout_job(item));
                                }
                                (count, sum)
                            },
                            runtime::builder(STACK_BYTES),
                        )
                    }
                })
                .collect();
            // Only the workers' clones may keep the channel open from this side.
            drop(queue);
            let total = spec.items;
            // SAFETY: the producer owns the sender and borrows the semaphore; no
            // thread-local storage, at most 4 KiB of its 8 KiB stack used.
            unsafe {
                s.spawn_with_builder(
                    move || {
                        for item in 0..total {
                            credits.wait();
                            if items.send(item).is_err() {
                                break;
                            }
                        }
                        // Returning drops the sender: the workers' loops end.
                    },
                    runtime::builder(STACK_BYTES),
                );
            }
            workers.into_iter().map(|w| w.join()).fold(
                FanoutOutcome { items: 0, sum: 0 },
                |acc, (count, sum)| FanoutOutcome {
                    items: acc.items + count,
                    sum: acc.sum.wrapping_add(sum),
                },
            )
        })
    })
}
