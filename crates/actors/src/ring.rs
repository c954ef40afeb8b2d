//! ring with actix: `tasks` actors, each holding the address of the next, forward
//! the token with `do_send`, one message per hop.
//!
//! Forwarding wants no answer, so `do_send`: it queues the message whatever the
//! mailbox's fill and allocates no reply channel. `send` would cost a one-shot
//! channel per hop and, awaited, would make every actor wait on the next one all the
//! way round. Only one token exists, so no mailbox ever holds more than one message
//! and a capacity would have nothing to bound.
//!
//! The mailboxes are made first and the nodes started on them, so the ring closes
//! without a message of its own: node `i` sends to mailbox `i + 1`, the last to the
//! first. The nodes are spread over the `--threads` Arbiters in contiguous blocks,
//! node 1 on the System's own: neighbours live together, so the token crosses to
//! another Arbiter's thread (a push, a wake, a poll over there) only at the block
//! edges, `threads` times a lap. That is how an actix programmer places actors that
//! talk all the time; dealt round-robin instead, every hop would cross threads,
//! about 35 times slower (`docs/models/actors.md` has both).
//!
//! When the token reaches 0 its holder sends `Stop` round the ring: every node that
//! gets it passes it on and stops, and when it comes back to the holder, the holder
//! reports its id to a `Referee` (the one actor whose answer the run awaits) and
//! stops too. The ring is a cycle of addresses that keep each other alive, so
//! without the stop nobody would end before the System does.

use actix::dev::channel::{self, AddressReceiver};
use actix::prelude::*;
use harness::ModelError;
use harness::spec::{RingOutcome, RingSpec};
use tokio::sync::oneshot;

use crate::system;

/// actix's default mailbox capacity, the one `Actor::start_in_arbiter` gives a
/// mailbox; `do_send` never waits on it.
const MAILBOX_CAPACITY: usize = 16;

// ## message
// actix: a message is a type with `#[derive(Message)]`; the holder's report to the
// referee (see collect) is one more.
/// What travels the ring: the token with the hops still to go, or the stop.
#[derive(Message)]
#[rtype(result = "()")]
enum Msg {
    Token(u64),
    Stop,
}

/// "I held the token at 0, and the ring has stopped": the 1-based id of the holder.
#[derive(Message)]
#[rtype(result = "()")]
struct Holder(usize);

// ## task
// actix: a task is an actor, `Node`, and its loop is one call of its handler per
// message; the holder remembers that it is one, and returns its id by reporting it
// to the referee when the stop is back.
/// One task of the ring: passes the token on until it arrives at 0 here, then
/// starts the stop.
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

impl Handler<Msg> for Node {
    type Result = ();

    fn handle(&mut self, msg: Msg, ctx: &mut Context<Self>) {
        match msg {
            Msg::Token(0) => {
                self.holds = true;
                self.next.do_send(Msg::Stop);
            }
            Msg::Token(left) => self.next.do_send(Msg::Token(left - 1)),
            // The stop has been all the way round: every other node has stopped.
            Msg::Stop if self.holds => {
                self.referee.do_send(Holder(self.id));
                ctx.stop();
            }
            Msg::Stop => {
                self.next.do_send(Msg::Stop);
                ctx.stop();
            }
        }
    }
}

// ## run
// actix: the channels are the nodes' mailboxes, made before the nodes so that every
// address exists first (actix's `Context::new`, for actors that address each other,
// but built from the channel `Context::with_receiver` takes: a `Context` cannot cross
// to another Arbiter's thread). Node `id` lives on Arbiter `(id - 1) * threads /
// tasks`, and that Arbiter starts it, as `Actor::start_in_arbiter` does.
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
        let (mut nexts, inboxes): (Vec<_>, Vec<_>) = (0..tasks).map(|_| mailbox()).unzip();
        let start = nexts[0].clone();
        nexts.rotate_left(1);
        for (id, (inbox, next)) in (1..).zip(inboxes.into_iter().zip(nexts)) {
            let referee = referee.clone();
            let home = &arbiters[(id - 1) * arbiters.len() / tasks];
            let placed = home.spawn_fn(move || {
                let node = Node {
                    id,
                    next,
                    referee,
                    holds: false,
                };
                actix::spawn(Context::with_receiver(inbox).into_future(node));
            });
            if !placed {
                return Err(system::arbiter_gone());
            }
        }
        start.do_send(Msg::Token(hops));
        drop(start);
        collect(holder).await
    })
}

// ## collect
// actix: actors are not joined; the holder reports to a `Referee`, which answers the
// run through a oneshot. Every other node has stopped by then, and `system::run`
// marks `probe.end()` when this returns.
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

async fn collect(holder: oneshot::Receiver<usize>) -> Result<RingOutcome, ModelError> {
    let holder = holder
        .await
        .map_err(|e| system::lost("the referee stopped without an answer", e))?;
    Ok(RingOutcome { holder })
}

// ## helpers
/// A node's mailbox before its node exists: the address to send to, and the
/// receiving end the node's `Context` will read.
fn mailbox() -> (Addr<Node>, AddressReceiver<Node>) {
    let (tx, rx) = channel::channel(MAILBOX_CAPACITY);
    (Addr::new(tx), rx)
}
