//! ring, sequentially: the ring is a vector of task states and "passing the token"
//! is moving an index. Each task records how many tokens it saw, so every hop
//! touches the task it lands on, as a real hand-over would.
//!
//! The other models walk a stop message round the ring so that each of their tasks
//! returns; these tasks are values that no thread runs, so the ring is done when
//! the loop is, and the vector is simply dropped.

use std::hint::black_box;

use harness::ModelError;
use harness::spec::{RingOutcome, RingSpec};

// ## message

/// What a task hands the next: the token with the hops left. No `Stop`: there is
/// no task left waiting to be told that the ring is over.
enum Msg {
    Token(u64),
}

// ## task

/// Task `id`'s turn. A task is its state (`seen`, the tokens it has had) and a
/// turn is one call: count the visit, then keep a token at 0 (`Some(id)`: the
/// holder) or pass it on one lower. The token stays where it is; `run` moves the
/// index to the next task instead.
fn task(id: usize, seen: &mut u32, token: &mut Msg) -> Option<usize> {
    *seen = seen.wrapping_add(1);
    match *token {
        Msg::Token(0) => Some(id),
        Msg::Token(left) => {
            // black_box stands in for the hand-over: without it the compiler could
            // work out the holder without walking the ring.
            *token = black_box(Msg::Token(left - 1));
            None
        }
    }
}

// ## run

pub(crate) fn run(spec: &RingSpec) -> Result<RingOutcome, ModelError> {
    if spec.tasks == 0 {
        return Err(ModelError::failed("a ring needs at least one task"));
    }
    // Building the ring is part of the work, as in every model.
    spec.probe.begin();
    let mut seen = vec![0u32; spec.tasks];
    let mut token = Msg::Token(spec.hops);
    let mut at = 0; // index of the task holding the token: task 1
    let holder = loop {
        if let Some(id) = task(at + 1, &mut seen[at], &mut token) {
            break id;
        }
        at = if at + 1 == spec.tasks { 0 } else { at + 1 };
    };
    black_box(&seen);
    Ok(collect(spec, holder))
}

// ## collect

/// The loop ends at the holder, so there is always one: nothing to join.
fn collect(spec: &RingSpec, holder: usize) -> RingOutcome {
    spec.probe.end();
    RingOutcome { holder }
}
