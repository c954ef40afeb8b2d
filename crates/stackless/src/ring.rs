//! ring with tokio: one task per ring member, linked by `tokio::sync::mpsc`
//! unbounded channels (one token travels the ring, so no channel ever holds more
//! than one message, and a send never has to wait for room).
//!
//! Member `i` owns the receiving end of its own channel and the sending end of
//! member `i + 1`'s. The token starts in member 1's channel; a member that receives
//! 0 is the holder, the others pass `token - 1` on. The holder then sends
//! [`Token::Stop`] round the ring: every other member passes it on and ends, and
//! when it comes back to the holder the holder ends too, returning its id. The
//! measured task joins them all through a `JoinSet`.
//!
//! Every hop wakes the next member from the worker that ran the sender, so it lands
//! in that worker's LIFO slot. On `tokio-current`, and with `--threads 1`, a hop is
//! a channel operation and a task switch on one thread. With more workers the token
//! does not stay on one: tokio runs a worker's LIFO slot at most three times in a
//! row, then queues the next member at the back and notifies an idle worker, which
//! wakes, may steal it, and parks again (see `pingpong.rs` and the figures in
//! `docs/models/stackless.md`).

use harness::ModelError;
use harness::spec::{RingOutcome, RingSpec};
use tokio::sync::mpsc;
use tokio::task::JoinSet;

use crate::runtime::{self, Flavor};

/// What travels the ring: the token with the hops still to go, or the stop.
#[derive(Debug)]
enum Token {
    Hops(u64),
    Stop,
}

/// One member of the ring: passes the token on until it arrives at 0 here, then
/// starts the stop; returns its id if it was the holder.
async fn member(
    id: usize,
    mut inbox: mpsc::UnboundedReceiver<Token>,
    next: mpsc::UnboundedSender<Token>,
) -> Option<usize> {
    let mut holder = false;
    // `None` (a sender gone without a stop) only happens if a member panicked; the
    // join reports that.
    while let Some(token) = inbox.recv().await {
        let (pass, then_end) = match token {
            Token::Hops(0) => {
                holder = true;
                (Token::Stop, false)
            }
            Token::Hops(hops) => (Token::Hops(hops - 1), false),
            // The stop came back round to the one who sent it: everyone else ended.
            Token::Stop if holder => break,
            Token::Stop => (Token::Stop, true),
        };
        // A send fails only if the next member is gone, which only a panic does.
        if next.send(pass).is_err() || then_end {
            break;
        }
    }
    holder.then_some(id)
}

pub(crate) fn run(spec: &RingSpec, flavor: Flavor) -> Result<RingOutcome, ModelError> {
    if spec.tasks == 0 {
        return Err(ModelError::failed("a ring needs at least one task"));
    }
    let (tasks, hops) = (spec.tasks, spec.hops);
    runtime::run(flavor, &spec.probe, async move {
        let (first, mut inbox) = mpsc::unbounded_channel();
        first
            .send(Token::Hops(hops))
            .expect("the receiver is right here, so the channel is open");
        let mut ring = JoinSet::new();
        for id in 1..tasks {
            let (next, next_inbox) = mpsc::unbounded_channel();
            ring.spawn(member(id, inbox, next));
            inbox = next_inbox;
        }
        // The last member closes the ring by sending to the first.
        ring.spawn(member(tasks, inbox, first));
        let mut holder = None;
        while let Some(joined) = ring.join_next().await {
            holder = holder.or(joined.map_err(runtime::joined)?);
        }
        holder
            .map(|holder| RingOutcome { holder })
            .ok_or_else(|| ModelError::failed("no task received the token at 0"))
    })
}
