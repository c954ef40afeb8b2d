//! pingpong with actix: two actors that hold each other's address and pass the
//! counter with `do_send`, one message per hand-over.
//!
//! `Ping` sends `Ball(counter)` to `Pong`; `Pong` sends `Ball(counter + 1)` back;
//! when the counter reaches `rounds`, `Ping` has the answer, sends `Stop` to `Pong`
//! and stops, and `Pong` stops on `Stop`. `do_send` puts the message into the
//! mailbox whatever its fill and wants no reply: the protocol never has more than
//! one ball in flight, so the mailbox's capacity has nothing to bound, and the
//! counter coming back is a message of its own rather than a reply. (`send().await`
//! would add a one-shot reply channel per round trip and run the rally as a future
//! beside `Ping`; the doc page compares the two.)
//!
//! Both actors live on the System's Arbiter, whatever `--threads` says, and a
//! hand-over is a push into a queue and a poll of the other actor on the same
//! thread. Two actors that do nothing but talk to each other have no work to run in
//! parallel, and an actix programmer keeps such a pair on one Arbiter: put on two,
//! every hand-over would wake a parked thread (measured at about 12 µs per round
//! trip against 250 ns, `docs/models/actors.md`). So this workload does not take
//! `--threads` ([`Model::threads_in`](harness::Model::threads_in) says so), and its
//! rows show the one thread it ran on.

use actix::prelude::*;
use harness::ModelError;
use harness::spec::{Counted, PingPongSpec};
use tokio::sync::oneshot;

use crate::system;

/// The counter, on its way to either player.
#[derive(Message)]
#[rtype(result = "()")]
struct Ball(u64);

/// "The rally is over": the last message `Pong` gets.
#[derive(Message)]
#[rtype(result = "()")]
struct Stop;

/// Answers every ball with the counter plus one, until told to stop.
struct Pong {
    ping: Addr<Ping>,
}

impl Actor for Pong {
    type Context = Context<Self>;
}

impl Handler<Ball> for Pong {
    type Result = ();

    fn handle(&mut self, Ball(counter): Ball, _: &mut Context<Self>) {
        self.ping.do_send(Ball(counter + 1));
    }
}

impl Handler<Stop> for Pong {
    type Result = ();

    fn handle(&mut self, _: Stop, ctx: &mut Context<Self>) {
        // Stopping drops Pong's address of Ping: nothing of the rally is left.
        ctx.stop();
    }
}

/// Serves the ball until the counter reaches `rounds`, then answers the run.
struct Ping {
    pong: Addr<Pong>,
    rounds: u64,
    answer: Option<oneshot::Sender<u64>>,
}

impl Ping {
    /// Plays the ball that came back (or the first one), or ends the rally.
    fn serve(&mut self, counter: u64, ctx: &mut Context<Self>) {
        if counter < self.rounds {
            self.pong.do_send(Ball(counter));
            return;
        }
        self.pong.do_send(Stop);
        if let Some(answer) = self.answer.take() {
            // The receiver is gone only if the run already gave up; nothing to tell.
            let _ = answer.send(counter);
        }
        ctx.stop();
    }
}

impl Actor for Ping {
    type Context = Context<Self>;

    fn started(&mut self, ctx: &mut Context<Self>) {
        self.serve(0, ctx);
    }
}

impl Handler<Ball> for Ping {
    type Result = ();

    fn handle(&mut self, Ball(counter): Ball, ctx: &mut Context<Self>) {
        self.serve(counter, ctx);
    }
}

pub(crate) fn run(spec: &PingPongSpec) -> Result<Counted, ModelError> {
    let rounds = spec.rounds;
    // One Arbiter: see the module docs.
    system::run(1, &spec.probe, |arbiters| async move {
        let (answer, count) = oneshot::channel();
        // Ping is created with its own address in hand, so Pong can be given it.
        Ping::create(move |ctx| {
            let ping = ctx.address();
            let pong = Pong::start_in_arbiter(system::placed(&arbiters, 1), move |_| Pong { ping });
            Ping {
                pong,
                rounds,
                answer: Some(answer),
            }
        });
        let count = count
            .await
            .map_err(|e| system::lost("ping stopped without an answer", e))?;
        Ok(Counted { count })
    })
}
