//! pingpong with actix: two actors that hold each other's address and pass the
//! counter with `do_send`, one message per hand-over.
//!
//! Ping sends `Ball::Count(counter)` to pong; pong sends `Back(counter + 1)`; when
//! the counter reaches `rounds`, ping has the answer, sends `Ball::Stop` to pong and
//! stops, and pong stops on `Stop`. `do_send` puts the message into the mailbox
//! whatever its fill and wants no reply: the protocol never has more than one ball
//! in flight, so the mailbox's capacity has nothing to bound, and the counter coming
//! back is a message of its own rather than a reply. (`send().await` would add a
//! one-shot reply channel per round trip and run the rally as a future beside ping;
//! the doc page compares the two.)
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

// ## message
// actix: a message is a type with `#[derive(Message)]`, and a bare `u64` cannot be
// one (neither the trait nor the type is this crate's), so pong answers `Back(u64)`.
/// What ping sends pong: the counter, or the order to stop.
#[derive(Message)]
#[rtype(result = "()")]
enum Ball {
    Count(u64),
    Stop,
}

/// What pong sends ping: the counter plus one.
#[derive(Message)]
#[rtype(result = "()")]
struct Back(u64);

// ## pong
// actix: pong is an actor; its inbox is its mailbox, and its loop is one call of
// its handler per ball.
/// Pong: answers every counter with the counter plus one, until told to stop.
struct Pong {
    to_ping: Addr<Ping>,
}

impl Actor for Pong {
    type Context = Context<Self>;
}

impl Handler<Ball> for Pong {
    type Result = ();

    fn handle(&mut self, ball: Ball, ctx: &mut Context<Self>) {
        match ball {
            Ball::Count(c) => self.to_ping.do_send(Back(c + 1)),
            // Stopping drops pong's address of ping: nothing of the rally is left.
            Ball::Stop => ctx.stop(),
        }
    }
}

// ## ping
// actix: ping is an actor that serves the first ball when it starts and each next
// one when the last comes `Back`; it returns the counter through the run's oneshot.
/// Ping: `rounds` round trips, then the stop; answers the run with the counter.
struct Ping {
    rounds: u64,
    to_pong: Addr<Pong>,
    answer: Option<oneshot::Sender<u64>>,
}

impl Ping {
    /// Serves the ball that came back (or the first one), or ends the rally.
    fn serve(&mut self, counter: u64, ctx: &mut Context<Self>) {
        if counter < self.rounds {
            self.to_pong.do_send(Ball::Count(counter));
            return;
        }
        self.to_pong.do_send(Ball::Stop);
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

impl Handler<Back> for Ping {
    type Result = ();

    fn handle(&mut self, Back(counter): Back, ctx: &mut Context<Self>) {
        self.serve(counter, ctx);
    }
}

// ## run
pub(crate) fn run(spec: &PingPongSpec) -> Result<Counted, ModelError> {
    let rounds = spec.rounds;
    // One Arbiter: see the module docs.
    system::run(1, &spec.probe, |_| async move {
        // The two mailboxes first, so that each player can be given the other's
        // address (actix's `Context::new`, for actors that address each other);
        // `run` starts each on this Arbiter.
        let (pong_inbox, ping_inbox) = (Context::new(), Context::new());
        let (to_pong, to_ping) = (pong_inbox.address(), ping_inbox.address());
        let (answer, counter) = oneshot::channel();
        pong_inbox.run(Pong { to_ping });
        ping_inbox.run(Ping {
            rounds,
            to_pong,
            answer: Some(answer),
        });
        // Pong has stopped or is about to, on the `Stop` ping sent before answering.
        let count = counter
            .await
            .map_err(|e| system::lost("ping stopped without an answer", e))?;
        Ok(Counted { count })
    })
}
