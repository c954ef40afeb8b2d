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

pub(crate) fn run(spec: &RingSpec) -> Result<RingOutcome, ModelError> {
    if spec.tasks == 0 {
        return Err(ModelError::failed("a ring needs at least one task"));
    }
    // Building the ring is part of the work, as in every model.
    Ok(spec.probe.measure(|| {
        let mut seen = vec![0u32; spec.tasks];
        let mut at = 0; // index of the task holding the token: task 1
        let mut token = spec.hops;
        while token > 0 {
            seen[at] = seen[at].wrapping_add(1);
            token = black_box(token - 1);
            at = if at + 1 == spec.tasks { 0 } else { at + 1 };
        }
        black_box(&seen);
        RingOutcome { holder: at + 1 }
    }))
}
