//! ring on minirt: `tasks` tasks, each owning the receiver of its channel and the
//! sender into the next one. A hop is a channel send, which queues the next task,
//! and a `Pending`; the loop then polls the next task. Only one task is ever ready.
//!
//! The channels are [`unbounded`]: one token travels the ring, so no channel ever
//! holds more than one message, and a send never waits. The token starts in task
//! 1's channel; a task that receives 0 is the holder, the others pass `token - 1`
//! on. The holder then sends [`Msg::Stop`] round the ring: every other task passes
//! it on and ends, and when it comes back to the holder the holder ends too,
//! returning its id. The main task joins them all.

use harness::ModelError;
use harness::spec::{RingOutcome, RingSpec};

use crate::rt::channel::{Receiver, Sender, unbounded};
use crate::rt::{JoinHandle, spawn};
use crate::{panicked, runtime};

// ## message
/// What travels the ring: the token with the hops still to go, or the stop.
#[derive(Debug)]
enum Msg {
    Token(u64),
    Stop,
}

// ## task
/// One task of the ring: passes the token on until it arrives at 0 here, then
/// starts the stop; returns its id if it was the holder.
async fn task(id: usize, mut inbox: Receiver<Msg>, mut next: Sender<Msg>) -> Option<usize> {
    // `None` from `recv` (a sender gone without a stop) or a failed send (the next
    // task gone) only happens if a task panicked; the join reports that.
    loop {
        match inbox.recv().await? {
            Msg::Token(0) => {
                next.send(Msg::Stop).await.ok()?;
                // The stop is the only message left: when it is back, all others ended.
                inbox.recv().await?;
                return Some(id);
            }
            Msg::Token(left) => next.send(Msg::Token(left - 1)).await.ok()?,
            Msg::Stop => {
                let _ = next.send(Msg::Stop).await;
                return None;
            }
        }
    }
}

// ## run
// minirt's `Sender` is not `Clone` (one producer per channel, `rt/channel.rs`), so
// there is no `start` to keep: the token goes into task 1's channel first, on the
// sender the last task will own. No task runs before the main task awaits, so none
// can tell the difference.
pub(crate) fn run(spec: &RingSpec) -> Result<RingOutcome, ModelError> {
    if spec.tasks == 0 {
        return Err(ModelError::failed("a ring needs at least one task"));
    }
    let (tasks, hops) = (spec.tasks, spec.hops);
    let rt = runtime()?;
    spec.probe.begin();
    let out = rt.block_on(async move {
        let (mut nexts, inboxes): (Vec<_>, Vec<_>) = (0..tasks).map(|_| unbounded()).unzip();
        // Cannot fail: the receiver is right here, and an unbounded send never waits.
        let _ = nexts[0].send(Msg::Token(hops)).await;
        nexts.rotate_left(1);
        let mut ring = Vec::with_capacity(tasks);
        for (id, (inbox, next)) in (1..).zip(inboxes.into_iter().zip(nexts)) {
            ring.push(spawn(task(id, inbox, next)));
        }
        collect(ring).await
    });
    spec.probe.end();
    out
}

// ## collect
/// Joins every task and keeps the holder. This runs inside the main task, so
/// `probe.end()` is `run`'s, once `block_on` has handed the outcome back.
async fn collect(ring: Vec<JoinHandle<Option<usize>>>) -> Result<RingOutcome, ModelError> {
    let mut holder = None;
    for handle in ring {
        holder = holder.or(handle.await.map_err(panicked)?);
    }
    holder
        .map(|holder| RingOutcome { holder })
        .ok_or_else(|| ModelError::failed("no task received the token at 0"))
}
