//! ring on minirt: `tasks` tasks, each owning the receiver of its channel and the
//! sender into the next one. A hop is a channel send, which queues the next task,
//! and a `Pending`; the loop then polls the next task. Only one task is ever ready.
//!
//! The channels are [`unbounded`]: one token travels the ring, so no channel ever
//! holds more than one message, and a send never waits. The token starts in
//! member 1's channel; a member that receives 0 is the holder, the others pass
//! `token - 1` on. The holder then sends [`Token::Stop`] round the ring: every
//! other member passes it on and ends, and when it comes back to the holder the
//! holder ends too, returning its id.

use harness::ModelError;
use harness::spec::{RingOutcome, RingSpec};

use crate::rt::channel::{Receiver, Sender, unbounded};
use crate::rt::spawn;
use crate::{panicked, runtime};

/// What travels the ring: the token with the hops still to go, or the stop.
#[derive(Debug)]
enum Token {
    Hops(u64),
    Stop,
}

/// One member of the ring: passes the token on until it arrives at 0 here, then
/// starts the stop; returns its id if it was the holder.
async fn member(id: usize, mut inbox: Receiver<Token>, mut next: Sender<Token>) -> Option<usize> {
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
        if next.send(pass).await.is_err() || then_end {
            break;
        }
    }
    holder.then_some(id)
}

pub(crate) fn run(spec: &RingSpec) -> Result<RingOutcome, ModelError> {
    if spec.tasks == 0 {
        return Err(ModelError::failed("a ring needs at least one task"));
    }
    let (tasks, hops) = (spec.tasks, spec.hops);
    let rt = runtime()?;
    spec.probe.measure(|| {
        rt.block_on(async move {
            let (mut first, mut inbox) = unbounded();
            // Cannot fail: the receiver is right here, and an unbounded send never
            // waits.
            let _ = first.send(Token::Hops(hops)).await;
            let mut ring = Vec::with_capacity(tasks);
            for id in 1..tasks {
                let (next, next_inbox) = unbounded();
                ring.push(spawn(member(id, inbox, next)));
                inbox = next_inbox;
            }
            // The last member closes the ring by sending to the first.
            ring.push(spawn(member(tasks, inbox, first)));
            let mut holder = None;
            for handle in ring {
                holder = holder.or(handle.await.map_err(panicked)?);
            }
            holder
                .map(|holder| RingOutcome { holder })
                .ok_or_else(|| ModelError::failed("no task received the token at 0"))
        })
    })
}
