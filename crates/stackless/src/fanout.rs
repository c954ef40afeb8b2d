//! fanout with tokio: worker tasks fed by the producer over bounded `mpsc` channels.
//!
//! The measured task is the producer: it deals items round-robin into one bounded
//! channel per worker (tokio's `mpsc` has a single consumer, and the jobs all cost
//! the same, so dealing evenly balances as well as a shared queue would). Each
//! worker task runs [`fanout_job`] on what it receives and keeps a private running
//! sum; the collector is the producer again, adding up what the `JoinSet` hands back.
//!
//! The CPU work runs on the worker tasks themselves. A job takes a few microseconds,
//! well under the 10 to 100 us tokio asks a task to run between awaits, so it is not
//! "blocking" in tokio's sense; moving it to `spawn_blocking` or a pool of plain
//! threads would add a cross-thread hand-over per item (or per batch) and threads the
//! runtime does not schedule. The multi-thread runtime's workers are the CPU pool, so
//! `--threads` sets the parallelism; on the current-thread runtime the workers take
//! turns on one thread, which is that runtime's promise and its limit.
//!
//! Each `recv` spends from the task's coop budget, so a worker whose inbox never runs
//! dry still yields every 128 items and cannot starve the producer on its thread.

use harness::ModelError;
use harness::spec::{FanoutOutcome, FanoutSpec, fanout_job};
use tokio::sync::mpsc;
use tokio::task::JoinSet;

use crate::runtime::{self, Flavor};

/// Items each worker's inbox holds: two batches, so a worker has a batch to chew
/// on while the producer fills the other half, and the producer can never run
/// more than that far ahead of it.
const INBOX: usize = 2 * BATCH;
/// Items the producer hands a worker at a time: tens of microseconds of work, so
/// the hand-over costs (a wake-up of the producer, one of the worker) are spread
/// over many jobs.
const BATCH: usize = 32;

pub(crate) fn run(spec: &FanoutSpec, flavor: Flavor) -> Result<FanoutOutcome, ModelError> {
    let (items, workers) = (spec.items, spec.workers.max(1));
    runtime::run(flavor, async move {
        let mut pool = JoinSet::new();
        let mut inboxes = Vec::with_capacity(workers);
        for _ in 0..workers {
            let (tx, mut inbox) = mpsc::channel::<u64>(INBOX);
            inboxes.push(tx);
            pool.spawn(async move {
                let (mut count, mut sum) = (0u64, 0u64);
                while let Some(item) = inbox.recv().await {
                    count += 1;
                    sum = sum.wrapping_add(fanout_job(item));
                }
                (count, sum)
            });
        }
        // Producer: deal the items round-robin, a batch at a time. `reserve_many`
        // waits until the inbox has room for the whole batch, so a producer that
        // is ahead of its workers is woken once per batch, not once per item that
        // a worker takes out. It fails only if that worker ended early (panicked);
        // the join below reports it.
        let mut next = 0u64;
        for inbox in inboxes.iter().cycle() {
            let batch = usize::try_from(items - next).map_or(BATCH, |left| left.min(BATCH));
            if batch == 0 {
                break;
            }
            let Ok(permits) = inbox.reserve_many(batch).await else {
                break;
            };
            for permit in permits {
                permit.send(next);
                next += 1;
            }
        }
        drop(inboxes); // closes every inbox: the workers finish and return
        let mut out = FanoutOutcome { items: 0, sum: 0 };
        while let Some(joined) = pool.join_next().await {
            let (count, sum) = joined.map_err(runtime::joined)?;
            out.items += count;
            out.sum = out.sum.wrapping_add(sum);
        }
        Ok(out)
    })
}
