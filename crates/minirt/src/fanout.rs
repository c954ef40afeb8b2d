//! fanout on minirt: the producer and the collector are tasks on the loop; the
//! workers are OS threads, because the jobs are CPU work and a single-threaded loop
//! running them would do one at a time and stall everything else on it.
//!
//! The producer hands items to the workers over a std channel (they block on it,
//! as threads may); each worker sends its results back over a
//! [`thread_channel`], whose `wake()` reaches the loop
//! through the runtime's cross-thread wake path. The collector awaits them and sums.
//! This is tokio's `spawn_blocking` idea by hand: keep the loop for waiting, and
//! give computing to threads.
//!
//! Both channels to and from the threads are unbounded, so the producer is held to
//! [`WINDOW_PER_WORKER`] items in flight per worker by a bounded channel of permits
//! (Go's buffered channel as a semaphore): it sends a permit before each item, the
//! collector takes one back after each result. Memory stays flat at any `items`.

use std::sync::{Mutex, PoisonError, mpsc};
use std::thread;

use harness::ModelError;
use harness::spec::{FanoutOutcome, FanoutSpec, fanout_job};

use crate::rt::{channel, spawn, thread_channel};
use crate::{panicked, runtime};

/// Stack of each worker thread: a job needs a few hundred bytes.
const STACK_BYTES: usize = 64 * 1024;
/// Items in flight per worker: enough that a worker never waits on the loop.
const WINDOW_PER_WORKER: usize = 64;

pub(crate) fn run(spec: &FanoutSpec) -> Result<FanoutOutcome, ModelError> {
    let limit = harness::limits::os_threads();
    if spec.workers > limit.max {
        return Err(ModelError::unsupported(format!(
            "{} worker threads, but this machine can start about {}: {}",
            spec.workers, limit.max, limit.reason
        )));
    }
    let rt = runtime()?;
    let (to_workers, items) = mpsc::channel::<u64>();
    let items = Mutex::new(items);
    let (results, mut collected) = thread_channel::channel::<u64>();
    thread::scope(|s| {
        for w in 0..spec.workers {
            let (items, results) = (&items, results.clone());
            let started = thread::Builder::new()
                .name("fanout-worker".into())
                .stack_size(STACK_BYTES)
                .spawn_scoped(s, move || {
                    loop {
                        // The lock is held only to take one item. Poisoned means a
                        // sibling panicked while taking one; the receiver is intact.
                        let next = items.lock().unwrap_or_else(PoisonError::into_inner).recv();
                        let Ok(item) = next else { break };
                        if results.send(fanout_job(item)).is_err() {
                            break;
                        }
                    }
                });
            if let Err(e) = started {
                // The scope joins the workers already started once `to_workers` is
                // dropped below and their channel runs dry.
                return Err(ModelError::unsupported(format!(
                    "started {w} of {} worker threads before the system refused: {e}",
                    spec.workers
                )));
            }
        }
        // The workers hold clones; the collector must see the end when they finish.
        drop(results);
        let total = spec.items;
        let window = WINDOW_PER_WORKER.saturating_mul(spec.workers);
        rt.block_on(async move {
            let (mut take_permit, mut give_back) = channel::channel::<()>(window);
            let producer = spawn(async move {
                for item in 0..total {
                    // Either fails only if the other side has gone (a worker or the
                    // collector panicked), which the collected count then shows.
                    if take_permit.send(()).await.is_err() || to_workers.send(item).is_err() {
                        break;
                    }
                }
            });
            let mut out = FanoutOutcome { items: 0, sum: 0 };
            while let Some(result) = collected.recv().await {
                give_back.recv().await;
                out.items += 1;
                out.sum = out.sum.wrapping_add(result);
            }
            producer.await.map_err(panicked)?;
            Ok(out)
        })
    })
}
