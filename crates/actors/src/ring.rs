//! ring with actix: `tasks` actors, each holding the address of the next, forward
//! the token with `do_send`, one message per hop.
//!
//! Forwarding wants no answer, so `do_send`: it queues the message whatever the
//! mailbox's fill and allocates no reply channel. `send` would cost a one-shot
//! channel per hop and, awaited, would make every actor wait on the next one all the
//! way round. Only one token exists, so no mailbox ever holds more than one message
//! and a capacity would have nothing to bound.
//!
//! The actors are spread over the `--threads` Arbiters in contiguous blocks, node 1
//! on the System's own: neighbours live together, so the token crosses to another
//! Arbiter's thread (a push, a wake, a poll over there) only at the block edges,
//! `threads` times a lap. That is how an actix programmer places actors that talk
//! all the time; dealt round-robin instead, every hop would cross threads, about
//! 35 times slower (`docs/models/actors.md` has both).
//!
//! When the token reaches 0 its holder sends `Stop` round the ring: every node that
//! gets it passes it on and stops, and when it comes back to the holder, the holder
//! reports its id to a `Referee` (the one actor whose answer the run awaits) and
//! stops too. The ring is a cycle of addresses that keep each other alive, so
//! without the stop nobody would end before the System does.

use actix::prelude::*;
use harness::ModelError;
use harness::spec::{RingOutcome, RingSpec};
use tokio::sync::oneshot;

use crate::system;

/// The token: how many hops are still to go.
#[derive(Message)]
#[rtype(result = "()")]
struct Token(u64);

/// "The ring is over": passed once round, every node stops on it.
#[derive(Message)]
#[rtype(result = "()")]
struct Stop;

/// "I held the token at 0, and the ring has stopped": the 1-based id of the holder.
#[derive(Message)]
#[rtype(result = "()")]
struct Holder(usize);

/// One member of the ring.
struct Node {
    id: usize,
    next: Addr<Node>,
    referee: Recipient<Holder>,
    /// Set when this node got the token at 0 and sent the stop round.
    holds: bool,
}

impl Actor for Node {
    type Context = Context<Self>;
}

impl Handler<Token> for Node {
    type Result = ();

    fn handle(&mut self, Token(left): Token, _: &mut Context<Self>) {
        if left == 0 {
            self.holds = true;
            self.next.do_send(Stop);
        } else {
            self.next.do_send(Token(left - 1));
        }
    }
}

impl Handler<Stop> for Node {
    type Result = ();

    fn handle(&mut self, _: Stop, ctx: &mut Context<Self>) {
        if self.holds {
            // The stop has been all the way round: every other node has stopped.
            self.referee.do_send(Holder(self.id));
        } else {
            self.next.do_send(Stop);
        }
        ctx.stop();
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
    let threads = system::arbiters_for(spec.threads, tasks);
    system::run(threads, &spec.probe, |arbiters| async move {
        let (answer, holder) = oneshot::channel();
        let referee = Referee {
            answer: Some(answer),
        }
        .start()
        .recipient();
        // Node 1 is created with its own address in hand, so the ring can be built
        // backwards from it and closed without a second message. Node `id` lives on
        // Arbiter `(id - 1) * threads / tasks`: node 1 on the System's, here.
        let first = Node::create(move |ctx| {
            let mut next = ctx.address();
            for id in (2..=tasks).rev() {
                let referee = referee.clone();
                let home = &arbiters[(id - 1) * arbiters.len() / tasks];
                next = Node::start_in_arbiter(home, move |_| Node {
                    id,
                    next,
                    referee,
                    holds: false,
                });
            }
            Node {
                id: 1,
                next,
                referee,
                holds: false,
            }
        });
        first.do_send(Token(hops));
        drop(first);
        let holder = holder
            .await
            .map_err(|e| system::lost("the referee stopped without an answer", e))?;
        Ok(RingOutcome { holder })
    })
}
