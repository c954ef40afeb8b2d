//! pingpong with actix: two actors, and the counter travels as a request with a
//! typed reply.
//!
//! `Ping` holds a `Recipient<Ball>` (an address for one message type, not for one
//! actor type) and `send`s the counter to `Pong`, whose reply is the counter plus
//! one. A round trip is one `send().await`: the message goes into Pong's mailbox
//! with a one-shot channel for the answer, Pong's handler returns `n + 1`, and the
//! answer wakes Ping. `send` is the right call here because the counter coming back
//! *is* the reply; firing `do_send` both ways would need each actor to hold the
//! other's address and one more message type for the way back, for the same two
//! mailbox hops (the doc page gives both costs). Both actors live on the System's
//! Arbiter, so no hop crosses a thread.

use actix::prelude::*;
use harness::ModelError;
use harness::spec::{Counted, PingPongSpec};

use crate::system;

/// The counter on its way to `Pong`; the reply is the counter after the hit.
#[derive(Message)]
#[rtype(result = "u64")]
struct Ball(u64);

/// Answers every ball with the counter plus one.
struct Pong;

impl Actor for Pong {
    type Context = Context<Self>;
}

impl Handler<Ball> for Pong {
    type Result = u64;

    fn handle(&mut self, Ball(counter): Ball, _: &mut Context<Self>) -> u64 {
        counter + 1
    }
}

/// Asks `Ping` to play `rounds` round trips; the reply is the final counter.
#[derive(Message)]
#[rtype(result = "Result<u64, MailboxError>")]
struct Play {
    rounds: u64,
}

/// Serves the ball to whoever handles `Ball`, and waits for each return.
struct Ping {
    pong: Recipient<Ball>,
}

impl Actor for Ping {
    type Context = Context<Self>;
}

impl Handler<Play> for Ping {
    // The rally touches none of Ping's state, so it is a plain future
    // (`ResponseFuture`) that actix runs beside the actor, not an actor future.
    type Result = ResponseFuture<Result<u64, MailboxError>>;

    fn handle(&mut self, Play { rounds }: Play, _: &mut Context<Self>) -> Self::Result {
        let pong = self.pong.clone();
        Box::pin(async move {
            let mut counter = 0;
            for _ in 0..rounds {
                counter = pong.send(Ball(counter)).await?;
            }
            Ok(counter)
        })
    }
}

pub(crate) fn run(spec: &PingPongSpec) -> Result<Counted, ModelError> {
    let rounds = spec.rounds;
    system::run(0, |_| async move {
        let ping = Ping {
            pong: Pong.start().recipient(),
        }
        .start();
        let count = ping
            .send(Play { rounds })
            .await
            .map_err(|e| system::lost("ping", e))?
            .map_err(|e| system::lost("pong", e))?;
        Ok(Counted { count })
    })
}
