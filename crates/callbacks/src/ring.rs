//! ring with callbacks: a task is a slot in a vector plus one function, `task`;
//! passing the token is writing it into the next task's inbox and scheduling that
//! task's callback with `call_soon`.
//!
//! No task blocks, so none needs a thread or a stack: the whole ring is `tasks`
//! small structs, and a hop is a queue push, one pass of the loop and an indirect
//! call. The holder then sends `Stop` round the ring the same way, as every model
//! does; here no task has a thread to end, so the stop lap costs `tasks` more hops
//! and nothing else. When `Stop` is back at the holder it schedules nothing, the
//! ready queue runs dry, and `run` returns.

use harness::ModelError;
use harness::spec::{RingOutcome, RingSpec};

use crate::event_loop::EventLoop;

// ## message

// A channel is an inbox in the loop's state plus the receiver's callback: `send`
// writes the message there and schedules the receiver, and never waits (the ready
// queue is unbounded, and the protocol keeps at most one message per inbox).

/// What a task is sent: the token, or the end of the game.
#[derive(Debug, Clone, Copy)]
enum Msg {
    Token(u64),
    Stop,
}

/// The ring: each task's inbox (the message it has been sent, until it runs), and
/// the index of the task that received the token at 0.
struct Ring {
    inbox: Vec<Msg>,
    holder: Option<usize>,
}

/// Sends `msg` to task `to`: into its inbox, and its callback on the ready queue.
fn send(lp: &mut EventLoop<Ring>, to: usize, msg: Msg) {
    lp.state.inbox[to] = msg;
    lp.call_soon(to, task);
}

// ## task

// A task is a callback, not a loop: the loop calls `task(lp, id)` once per message
// sent to it, and `id` is its index (0-based; the outcome counts from 1). Waiting
// for `Stop` to come back is scheduling nothing until it does, and what the other
// models return (`Some(id)`) is kept in `Ring::holder`.

/// Task `id` has been sent a message: keep a token at 0 and send `Stop` round,
/// else pass the token on, one less; pass `Stop` on until it is back at the holder.
fn task(lp: &mut EventLoop<Ring>, id: usize) {
    let ring = &mut lp.state;
    let next = (id + 1) % ring.inbox.len();
    match ring.inbox[id] {
        Msg::Token(0) => {
            ring.holder = Some(id);
            send(lp, next, Msg::Stop);
        }
        Msg::Token(left) => send(lp, next, Msg::Token(left - 1)),
        // Back round: every other task has passed it on, and the ring is done.
        Msg::Stop if ring.holder == Some(id) => {}
        Msg::Stop => send(lp, next, Msg::Stop),
    }
}

// ## run

// The channels are the inboxes: building the ring is one vector, and the first
// send goes to task 0 (task 1 of the other models, whose `start` sender it stands
// for), so no task needs starting: each runs when it is sent something.

pub(crate) fn run(spec: &RingSpec) -> Result<RingOutcome, ModelError> {
    if spec.tasks == 0 {
        return Err(ModelError::failed("a ring needs at least one task"));
    }
    let mut lp = EventLoop::new(Ring {
        inbox: Vec::new(),
        holder: None,
    })
    .map_err(|e| ModelError::failed(format!("cannot create the event loop: {e}")))?;
    // Building the ring is part of the work, as in every model.
    spec.probe.begin();
    lp.state.inbox = vec![Msg::Stop; spec.tasks];
    send(&mut lp, 0, Msg::Token(spec.hops));
    collect(spec, lp)
}

// ## collect

// Joining the tasks is running the loop until nothing is scheduled: `Stop` is back
// at the holder, and every task has had its last call.

fn collect(spec: &RingSpec, mut lp: EventLoop<Ring>) -> Result<RingOutcome, ModelError> {
    lp.run()
        .map_err(|e| ModelError::failed(format!("the event loop failed: {e}")))?;
    spec.probe.end();
    lp.state
        .holder
        .map(|holder| RingOutcome { holder: holder + 1 })
        .ok_or_else(|| ModelError::failed("no task received the token at 0"))
}
