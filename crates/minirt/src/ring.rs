//! ring on minirt: `tasks` tasks, each owning the receiver of its channel and the
//! sender into the next one. A hop is a channel send, which queues the next task,
//! and a `Pending`; the loop then polls the next task. Only one task is ever ready.
//!
//! Shutting down is closing: the holder returns, dropping its sender, so the next
//! task's `recv` gives `None`; it returns too, and so on round the ring.

use harness::ModelError;
use harness::spec::{RingOutcome, RingSpec};

use crate::rt::channel::{Receiver, Sender, channel};
use crate::rt::spawn;
use crate::{panicked, runtime};

pub(crate) fn run(spec: &RingSpec) -> Result<RingOutcome, ModelError> {
    let (tasks, hops) = (spec.tasks, spec.hops);
    runtime()?.block_on(async move {
        let (mut senders, receivers): (Vec<_>, Vec<_>) = (0..tasks).map(|_| channel(1)).unzip();
        // Task i receives on channel i and sends on channel i + 1 (the last on 0).
        senders.rotate_left(1);
        let handles: Vec<_> = receivers
            .into_iter()
            .zip(senders)
            .enumerate()
            .map(|(i, (inbox, next))| {
                let start = (i == 0).then_some(hops);
                spawn(member(i + 1, inbox, next, start))
            })
            .collect();
        let mut holder = None;
        for handle in handles {
            holder = holder.or(handle.await.map_err(panicked)?);
        }
        holder
            .map(|holder| RingOutcome { holder })
            .ok_or_else(|| ModelError::failed("no task received the token at 0"))
    })
}

/// One task of the ring; returns its id if it ends up holding the token.
async fn member(
    id: usize,
    mut inbox: Receiver<u64>,
    mut next: Sender<u64>,
    start: Option<u64>,
) -> Option<usize> {
    let mut token = match start {
        Some(token) => token,
        None => inbox.recv().await?,
    };
    while token > 0 {
        next.send(token - 1).await.ok()?;
        token = inbox.recv().await?;
    }
    Some(id)
}
