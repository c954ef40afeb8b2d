//! ring with actix: `tasks` actors, each holding a `Recipient<Token>` for the next,
//! forward the token with `do_send`.
//!
//! Forwarding wants no answer, so `do_send`: it queues the message whatever the
//! mailbox's fill and allocates no reply channel. `send` would cost a one-shot
//! channel per hop and, awaited, would make every actor wait on the next one all the
//! way round. Only one token exists, so no mailbox ever holds more than one message
//! and back-pressure has nothing to do. All actors live on the System's Arbiter:
//! the token is passed by one thread, and a hop is a push into a queue and a poll of
//! the next actor, with no thread switch.
//!
//! The holder reports to a `Referee`, the one actor whose answer the run awaits;
//! the ring itself is a cycle of addresses that keep each other alive, so it ends
//! when the System stops.

use actix::prelude::*;
use harness::ModelError;
use harness::spec::{RingOutcome, RingSpec};
use tokio::sync::oneshot;

use crate::system;

/// The token: how many hops are still to go.
#[derive(Message)]
#[rtype(result = "()")]
struct Token(u64);

/// "I hold the token at 0": the 1-based id of the holder.
#[derive(Message)]
#[rtype(result = "()")]
struct Holder(usize);

/// One member of the ring.
struct Node {
    id: usize,
    next: Recipient<Token>,
    referee: Recipient<Holder>,
}

impl Actor for Node {
    type Context = Context<Self>;
}

impl Handler<Token> for Node {
    type Result = ();

    fn handle(&mut self, Token(left): Token, _: &mut Context<Self>) {
        match left {
            0 => self.referee.do_send(Holder(self.id)),
            _ => self.next.do_send(Token(left - 1)),
        }
    }
}

/// Waits for the holder's report and passes it out of the System.
struct Referee {
    answer: Option<oneshot::Sender<usize>>,
}

impl Actor for Referee {
    type Context = Context<Self>;
}

impl Handler<Holder> for Referee {
    type Result = ();

    fn handle(&mut self, Holder(id): Holder, ctx: &mut Context<Self>) {
        if let Some(answer) = self.answer.take() {
            // The receiver is gone only if the run already gave up; nothing to tell.
            let _ = answer.send(id);
        }
        ctx.stop();
    }
}

pub(crate) fn run(spec: &RingSpec) -> Result<RingOutcome, ModelError> {
    if spec.tasks == 0 {
        return Err(ModelError::failed("a ring needs at least one task"));
    }
    let (tasks, hops) = (spec.tasks, spec.hops);
    system::run(0, |_| async move {
        let (answer, holder) = oneshot::channel();
        let referee = Referee {
            answer: Some(answer),
        }
        .start()
        .recipient();
        // Node 1 is created with its own address in hand, so the ring can be built
        // backwards from it and closed without a second message.
        let first = Node::create(move |ctx| {
            let mut next = ctx.address().recipient();
            for id in (2..=tasks).rev() {
                next = Node {
                    id,
                    next,
                    referee: referee.clone(),
                }
                .start()
                .recipient();
            }
            Node {
                id: 1,
                next,
                referee,
            }
        });
        first.do_send(Token(hops));
        let holder = holder
            .await
            .map_err(|e| system::lost("the referee stopped without an answer", e))?;
        Ok(RingOutcome { holder })
    })
}
