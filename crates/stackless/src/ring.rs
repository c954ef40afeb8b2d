//! ring with tokio: one task per ring member, linked by `tokio::sync::mpsc`
//! unbounded channels (one token travels the ring, so no channel ever holds more
//! than one message, and a send never has to wait for room).
//!
//! Task `i` owns the receiving end of its own channel and the sending end of task
//! `i + 1`'s (the last task's goes to the first). The token starts in task 1's
//! channel; a task that receives 0 is the holder, the others pass `token - 1` on.
//! The holder then sends [`Msg::Stop`] round the ring: every other task passes it
//! on and ends, and when it comes back to the holder the holder ends too, returning
//! its id. The measured task joins them all through a `JoinSet`.
//!
//! Every hop wakes the next task from the worker that ran the sender, so it lands
//! in that worker's LIFO slot. On `tokio-current`, and with `--threads 1`, a hop is
//! a channel operation and a task switch on one thread. With more workers the token
//! does not stay on one: tokio runs a worker's LIFO slot at most three times in a
//! row, then queues the next task at the back and notifies an idle worker, which
//! wakes, may steal it, and parks again (see `pingpong.rs` and the figures in
//! `docs/models/stackless.md`).

use harness::ModelError;
use harness::spec::{RingOutcome, RingSpec};
use tokio::sync::mpsc::{self, UnboundedReceiver, UnboundedSender};
use tokio::task::JoinSet;

use crate::runtime::{self, Flavor};

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
async fn task(
    id: usize,
    mut inbox: UnboundedReceiver<Msg>,
    next: UnboundedSender<Msg>,
) -> Option<usize> {
    // `None` from `recv` (a sender gone without a stop) or a failed send (the next
    // task gone) only happens if a task panicked; the join reports that.
    loop {
        match inbox.recv().await? {
            Msg::Token(0) => {
                next.send(Msg::Stop).ok()?;
                // The stop is the only message left: when it is back, all others ended.
                inbox.recv().await?;
                return Some(id);
            }
            Msg::Token(left) => next.send(Msg::Token(left - 1)).ok()?,
            Msg::Stop => {
                let _ = next.send(Msg::Stop);
                return None;
            }
        }
    }
}

// ## run
pub(crate) fn run(spec: &RingSpec, flavor: Flavor) -> Result<RingOutcome, ModelError> {
    if spec.tasks == 0 {
        return Err(ModelError::failed("a ring needs at least one task"));
    }
    let (tasks, hops) = (spec.tasks, spec.hops);
    let rt = runtime::start(flavor)?;
    spec.probe.begin();
    let out = rt.run(async move {
        let (mut nexts, inboxes): (Vec<_>, Vec<_>) =
            (0..tasks).map(|_| mpsc::unbounded_channel()).unzip();
        let start = nexts[0].clone();
        nexts.rotate_left(1);
        let mut ring = JoinSet::new();
        for (id, (inbox, next)) in (1..).zip(inboxes.into_iter().zip(nexts)) {
            ring.spawn(task(id, inbox, next));
        }
        // Fails only if task 1 is gone already, which its join reports.
        let _ = start.send(Msg::Token(hops));
        drop(start);
        collect(ring).await
    });
    spec.probe.end();
    out
}

// ## collect
/// Joins every task and keeps the holder. This runs inside the measured task, so
/// `probe.end()` is `run`'s, once the runtime has handed the task's output back.
async fn collect(mut ring: JoinSet<Option<usize>>) -> Result<RingOutcome, ModelError> {
    let mut holder = None;
    while let Some(joined) = ring.join_next().await {
        holder = holder.or(joined.map_err(runtime::joined)?);
    }
    holder
        .map(|holder| RingOutcome { holder })
        .ok_or_else(|| ModelError::failed("no task received the token at 0"))
}
