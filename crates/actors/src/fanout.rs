//! fanout with actix: the run's producer deals job messages of `batch` items to
//! `workers` `Worker` actors spread over the `--threads` Arbiters, and each worker
//! sends one partial sum to a `Collector` when its mailbox closes.
//!
//! The CPU work runs in ordinary actors: worker `w` lives on Arbiter `w % threads`,
//! the System's own Arbiter included. Every mailbox is its own queue, so the
//! producer deals the jobs round-robin, job `j` to worker `j % workers`, with
//! `do_send`, which queues whatever the mailbox's fill: the producer never waits,
//! and the jobs all cost the same, so the deal balances. Then it drops its
//! addresses. An actix actor whose every address is gone stops once its mailbox is
//! empty, so "the queue is closed" needs no message of its own: the worker's
//! `stopped` sends its count and sum, once, to the collector's `Recipient`. The
//! collector, on the System's Arbiter, adds one result per worker and answers the
//! run when all are in.

use std::ops::Range;

use actix::prelude::*;
use harness::ModelError;
use harness::spec::{FanoutOutcome, FanoutSpec, run_job};
use tokio::sync::oneshot;

use crate::system;

// ## worker
// actix: a worker is an actor; its jobs arrive as `Job` messages, and its inbox
// closing is its last address going, after which actix calls `stopped`: that is
// where it sends its one `Partial`.
/// One job: a range of item numbers.
#[derive(Message)]
#[rtype(result = "()")]
struct Job(Range<u64>);

/// A worker's one result: the items it ran and their wrapping sum.
#[derive(Message)]
#[rtype(result = "()")]
struct Partial {
    count: u64,
    sum: u64,
}

/// One worker: runs every job it is dealt, then reports its count and sum once.
struct Worker {
    count: u64,
    sum: u64,
    results: Recipient<Partial>,
}

impl Actor for Worker {
    type Context = Context<Self>;

    /// Called once the producer's address is gone and the mailbox is drained.
    fn stopped(&mut self, _: &mut Context<Self>) {
        self.results.do_send(Partial {
            count: self.count,
            sum: self.sum,
        });
    }
}

impl Handler<Job> for Worker {
    type Result = ();

    fn handle(&mut self, Job(job): Job, _: &mut Context<Self>) {
        let (c, s) = run_job(job);
        self.count += c;
        self.sum = self.sum.wrapping_add(s);
    }
}

// ## run
pub(crate) fn run(spec: &FanoutSpec) -> Result<FanoutOutcome, ModelError> {
    if spec.workers == 0 && spec.items > 0 {
        return Err(ModelError::failed("fanout needs at least one worker"));
    }
    let (workers, jobs) = (spec.workers, spec.job_ranges());
    let threads = system::arbiters_for(spec.threads, workers);
    system::run(threads, &spec.probe, |arbiters| async move {
        // The collector's mailbox first, so that the workers can be given its
        // address (actix's `Context::new`); `collect` starts the collector on it.
        let results = Context::<Collector>::new();
        let to_collector = results.address().recipient();
        let inboxes: Vec<Addr<Worker>> = (0..workers)
            .map(|w| {
                let results = to_collector.clone();
                Worker::start_in_arbiter(system::placed(&arbiters, w), move |_| Worker {
                    count: 0,
                    sum: 0,
                    results,
                })
            })
            .collect();
        // Only the workers may hold the collector's address.
        drop(to_collector);
        let out = produce(jobs, inboxes);
        collect(out, results, workers).await
    })
}

// ## produce
/// Deals the jobs round-robin, one mailbox per worker (an actor's mailbox has a
/// single consumer), counting them where they are sent, then drops the addresses,
/// which closes every mailbox: each worker stops once it has run what it holds.
fn produce(jobs: impl Iterator<Item = Range<u64>>, inboxes: Vec<Addr<Worker>>) -> FanoutOutcome {
    let mut out = FanoutOutcome::default();
    for (job, inbox) in jobs.zip(inboxes.iter().cycle()) {
        inbox.do_send(Job(job));
        out.job_messages += 1;
    }
    out
}

// ## collect
// actix: the collector is an actor that adds one `Partial` per worker (a worker has
// stopped when it sends one, so that is its join) and answers the run through a
// oneshot when all are in; `system::run` marks `probe.end()` when this returns.
/// Adds the workers' results to the producer's `out`; answers when one from each
/// is in.
struct Collector {
    workers: u64,
    out: FanoutOutcome,
    answer: Option<oneshot::Sender<FanoutOutcome>>,
}

impl Collector {
    fn answer_if_done(&mut self, ctx: &mut Context<Self>) {
        if self.out.result_messages == self.workers {
            if let Some(answer) = self.answer.take() {
                // The receiver is gone only if the run already gave up.
                let _ = answer.send(self.out);
            }
            ctx.stop();
        }
    }
}

impl Actor for Collector {
    type Context = Context<Self>;

    fn started(&mut self, ctx: &mut Context<Self>) {
        // No workers (and no items): nobody will report, and that is the answer.
        self.answer_if_done(ctx);
    }
}

impl Handler<Partial> for Collector {
    type Result = ();

    fn handle(&mut self, Partial { count, sum }: Partial, ctx: &mut Context<Self>) {
        self.out.add_result(count, sum);
        self.answer_if_done(ctx);
    }
}

/// Starts the collector on its mailbox, where the workers' results may already
/// wait, and awaits its answer.
async fn collect(
    out: FanoutOutcome,
    results: Context<Collector>,
    workers: usize,
) -> Result<FanoutOutcome, ModelError> {
    let (answer, done) = oneshot::channel();
    let collector = results.run(Collector {
        workers: workers as u64,
        out,
        answer: Some(answer),
    });
    // Its address is held until the answer: the workers' last `Partial` may be
    // queued just as their addresses go (see `system::hold`).
    system::hold(collector, done, "collector").await
}
