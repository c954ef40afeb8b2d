//! ring with tokio: one task per ring member, linked by bounded `mpsc` channels of
//! capacity 1 (one token travels the ring, so no channel ever holds more than one
//! message, and a larger buffer would only cost memory).
//!
//! Member `i` owns the receiving end of its own channel and the sending end of
//! member `i + 1`'s. The token starts in member 1's channel; a member that receives
//! 0 is the holder and returns its id, the others pass `token - 1` on. No stop
//! message is needed: the holder returning drops its sender, so the next member's
//! `recv` yields `None` and it returns too, dropping *its* sender, and the closing
//! runs round the ring until every member has ended. The measured task joins them
//! all through a `JoinSet`.
//!
//! Every hop wakes the next member; on the multi-thread runtime it lands in the
//! waking worker's LIFO slot and runs next on the same thread, so a hop is a
//! channel operation and a task switch, with no thread crossing unless another
//! worker steals.

use harness::ModelError;
use harness::spec::{RingOutcome, RingSpec};
use tokio::sync::mpsc;
use tokio::task::JoinSet;

use crate::runtime::{self, Flavor};

/// One member of the ring: passes the token on until it arrives at 0 here.
async fn member(
    id: usize,
    mut inbox: mpsc::Receiver<u64>,
    next: mpsc::Sender<u64>,
) -> Option<usize> {
    while let Some(token) = inbox.recv().await {
        if token == 0 {
            return Some(id);
        }
        if next.send(token - 1).await.is_err() {
            break; // the ring is closing; only a panicked member closes it early
        }
    }
    None
}

pub(crate) fn run(spec: &RingSpec, flavor: Flavor) -> Result<RingOutcome, ModelError> {
    if spec.tasks == 0 {
        return Err(ModelError::failed("a ring needs at least one task"));
    }
    let (tasks, hops) = (spec.tasks, spec.hops);
    runtime::run(flavor, async move {
        let (first, mut inbox) = mpsc::channel::<u64>(1);
        // The channel was just made with room for one: this cannot fail.
        first
            .try_send(hops)
            .expect("a new channel has room for the token");
        let mut ring = JoinSet::new();
        for id in 1..tasks {
            let (next, next_inbox) = mpsc::channel(1);
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
