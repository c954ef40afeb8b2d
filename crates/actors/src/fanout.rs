//! fanout with actix: a `Foreman` actor feeds `workers` `Worker` actors spread over
//! `--threads` Arbiters, and sums what they send back.
//!
//! The CPU work runs in ordinary actors, one Arbiter (one thread) per `--threads`:
//! worker `w` lives on Arbiter `w % threads`, the System's own Arbiter included, and
//! the foreman lives on the System's Arbiter. Each worker gets [`WINDOW`] items to
//! start with and one more for each result it returns, so the workers on a faster
//! or less crowded Arbiter get more of the work, no mailbox holds more than
//! `WINDOW` items (bounded memory however many items there are), and a worker never
//! waits for its next item while there are items left. Results come back with
//! `do_send` to the foreman's `Recipient<Done>`, carrying the worker's id so the
//! foreman knows whom to feed; no reply channel is needed in either direction.

use actix::prelude::*;
use harness::ModelError;
use harness::spec::{FanoutOutcome, FanoutSpec, fanout_job};
use tokio::sync::oneshot;

use crate::system;

/// Items each worker has in its mailbox or in hand at most.
const WINDOW: usize = 4;

/// One item of work.
#[derive(Message)]
#[rtype(result = "()")]
struct Job(u64);

/// A finished job: who did it, and its result.
#[derive(Message)]
#[rtype(result = "()")]
struct Done {
    worker: usize,
    value: u64,
}

/// Runs the job on every item it receives and sends the result back.
struct Worker {
    id: usize,
    foreman: Recipient<Done>,
}

impl Actor for Worker {
    type Context = Context<Self>;
}

impl Handler<Job> for Worker {
    type Result = ();

    fn handle(&mut self, Job(item): Job, _: &mut Context<Self>) {
        self.foreman.do_send(Done {
            worker: self.id,
            value: fanout_job(item),
        });
    }
}

/// Hands out the items and collects the sum.
struct Foreman {
    workers: Vec<Addr<Worker>>,
    next: u64,
    items: u64,
    collected: u64,
    sum: u64,
    answer: Option<oneshot::Sender<FanoutOutcome>>,
}

impl Foreman {
    fn feed(&mut self, worker: usize) {
        if self.next < self.items {
            self.workers[worker].do_send(Job(self.next));
            self.next += 1;
        }
    }

    fn answer_if_done(&mut self, ctx: &mut Context<Self>) {
        if self.collected == self.items {
            if let Some(answer) = self.answer.take() {
                // The receiver is gone only if the run already gave up.
                let _ = answer.send(FanoutOutcome {
                    items: self.collected,
                    sum: self.sum,
                });
            }
            // Dropping the workers' addresses with the foreman stops them.
            ctx.stop();
        }
    }
}

impl Actor for Foreman {
    type Context = Context<Self>;

    fn started(&mut self, ctx: &mut Context<Self>) {
        for _ in 0..WINDOW {
            for worker in 0..self.workers.len() {
                self.feed(worker);
            }
        }
        self.answer_if_done(ctx);
    }
}

impl Handler<Done> for Foreman {
    type Result = ();

    fn handle(&mut self, Done { worker, value }: Done, ctx: &mut Context<Self>) {
        self.collected += 1;
        self.sum = self.sum.wrapping_add(value);
        self.feed(worker);
        self.answer_if_done(ctx);
    }
}

pub(crate) fn run(spec: &FanoutSpec) -> Result<FanoutOutcome, ModelError> {
    if spec.workers == 0 && spec.items > 0 {
        return Err(ModelError::failed("fanout needs at least one worker"));
    }
    let (items, workers) = (spec.items, spec.workers);
    // The System's Arbiter is one of the `threads`; the rest are started for the run.
    let extra = spec.threads.max(1) - 1;
    system::run(extra, |mut arbiters| async move {
        arbiters.insert(0, Arbiter::current());
        let (answer, outcome) = oneshot::channel();
        Foreman::create(move |ctx| {
            let me = ctx.address().recipient();
            let workers = (0..workers)
                .map(|id| {
                    let foreman = me.clone();
                    let arbiter = &arbiters[id % arbiters.len()];
                    Worker::start_in_arbiter(arbiter, move |_| Worker { id, foreman })
                })
                .collect();
            Foreman {
                workers,
                next: 0,
                items,
                collected: 0,
                sum: 0,
                answer: Some(answer),
            }
        });
        outcome
            .await
            .map_err(|e| system::lost("the foreman stopped without an answer", e))
    })
}
