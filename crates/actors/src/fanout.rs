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

/// Runs every job it receives; reports its partial sum when it stops.
struct Worker {
    count: u64,
    sum: u64,
    collector: Recipient<Partial>,
}

impl Actor for Worker {
    type Context = Context<Self>;

    /// Called once the producer's address is gone and the mailbox is drained.
    fn stopped(&mut self, _: &mut Context<Self>) {
        self.collector.do_send(Partial {
            count: self.count,
            sum: self.sum,
        });
    }
}

impl Handler<Job> for Worker {
    type Result = ();

    fn handle(&mut self, Job(items): Job, _: &mut Context<Self>) {
        let (count, sum) = run_job(items);
        self.count += count;
        self.sum = self.sum.wrapping_add(sum);
    }
}

/// Adds the workers' results; answers when one from each is in.
struct Collector {
    workers: u64,
    outcome: FanoutOutcome,
    answer: Option<oneshot::Sender<FanoutOutcome>>,
}

impl Collector {
    fn answer_if_done(&mut self, ctx: &mut Context<Self>) {
        if self.outcome.result_messages == self.workers {
            if let Some(answer) = self.answer.take() {
                // The receiver is gone only if the run already gave up.
                let _ = answer.send(self.outcome);
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
        self.outcome.add_result(count, sum);
        self.answer_if_done(ctx);
    }
}

pub(crate) fn run(spec: &FanoutSpec) -> Result<FanoutOutcome, ModelError> {
    if spec.workers == 0 && spec.items > 0 {
        return Err(ModelError::failed("fanout needs at least one worker"));
    }
    let workers = spec.workers;
    let jobs = spec.job_ranges();
    let threads = system::arbiters_for(spec.threads, workers);
    system::run(threads, &spec.probe, |arbiters| async move {
        let (answer, outcome) = oneshot::channel();
        let collector = Collector {
            workers: workers as u64,
            outcome: FanoutOutcome::default(),
            answer: Some(answer),
        }
        .start()
        .recipient();
        let mailboxes: Vec<Addr<Worker>> = (0..workers)
            .map(|w| {
                let collector = collector.clone();
                Worker::start_in_arbiter(system::placed(&arbiters, w), move |_| Worker {
                    count: 0,
                    sum: 0,
                    collector,
                })
            })
            .collect();
        drop(collector);
        // The producer: deal the jobs, counting them where they are sent.
        let mut sent = 0;
        for (j, job) in jobs.enumerate() {
            mailboxes[j % workers].do_send(Job(job));
            sent += 1;
        }
        // Closes every mailbox: each worker stops once it has run what it holds.
        drop(mailboxes);
        let mut outcome = outcome
            .await
            .map_err(|e| system::lost("the collector stopped without an answer", e))?;
        outcome.job_messages = sent;
        Ok(outcome)
    })
}
