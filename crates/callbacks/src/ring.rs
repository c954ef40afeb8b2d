//! ring with callbacks: a task is a slot in a vector plus one function, `on_token`;
//! passing the token is writing it into the next task's inbox and scheduling that
//! task's callback with `call_soon`.
//!
//! No task blocks, so none needs a thread or a stack: the whole ring is `tasks`
//! small structs, and a hop is a queue push, one pass of the loop and an indirect
//! call. Ending is free too: the holder simply schedules nothing, the ready queue
//! runs dry, and `run` returns, where the thread version has to walk a `Stop`
//! message round the ring to get its threads to exit.

use harness::ModelError;
use harness::spec::{RingOutcome, RingSpec};

use crate::event_loop::EventLoop;

/// The ring: each task's inbox (the token it has been sent, until it runs), and the
/// id of the task that received the token at 0.
struct Ring {
    inbox: Vec<u64>,
    holder: Option<usize>,
}

pub(crate) fn run(spec: &RingSpec) -> Result<RingOutcome, ModelError> {
    if spec.tasks == 0 {
        return Err(ModelError::failed("a ring needs at least one task"));
    }
    let mut lp = EventLoop::new(Ring {
        inbox: vec![0; spec.tasks],
        holder: None,
    })
    .map_err(|e| ModelError::failed(format!("cannot create the event loop: {e}")))?;
    lp.state.inbox[0] = spec.hops;
    lp.call_soon(0, on_token);
    lp.run()
        .map_err(|e| ModelError::failed(format!("the event loop failed: {e}")))?;
    lp.state
        .holder
        .map(|holder| RingOutcome { holder })
        .ok_or_else(|| ModelError::failed("no task received the token at 0"))
}

/// Task `me` has been sent a token: keep it at 0, else pass it on, one less.
fn on_token(lp: &mut EventLoop<Ring>, me: usize) {
    let ring = &mut lp.state;
    let token = ring.inbox[me];
    if token == 0 {
        ring.holder = Some(me + 1);
        return;
    }
    let next = (me + 1) % ring.inbox.len();
    ring.inbox[next] = token - 1;
    lp.call_soon(next, on_token);
}
