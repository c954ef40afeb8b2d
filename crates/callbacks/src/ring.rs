//! ring with callbacks: a task is a slot in a vector plus one function, `on_token`;
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

/// Task `me` has been sent a message: keep a token at 0 and send `Stop` round,
/// else pass the token on, one less; pass `Stop` on until it is back at the holder.
fn on_token(lp: &mut EventLoop<Ring>, me: usize) {
    let ring = &mut lp.state;
    let next = (me + 1) % ring.inbox.len();
    ring.inbox[next] = match ring.inbox[me] {
        Msg::Token(0) => {
            ring.holder = Some(me);
            Msg::Stop
        }
        Msg::Token(token) => Msg::Token(token - 1),
        Msg::Stop if ring.holder == Some(me) => return,
        Msg::Stop => Msg::Stop,
    };
    lp.call_soon(next, on_token);
}

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
    lp.state.inbox[0] = Msg::Token(spec.hops);
    lp.call_soon(0, on_token);
    lp.run()
        .map_err(|e| ModelError::failed(format!("the event loop failed: {e}")))?;
    spec.probe.end();
    lp.state
        .holder
        .map(|holder| RingOutcome { holder: holder + 1 })
        .ok_or_else(|| ModelError::failed("no task received the token at 0"))
}
