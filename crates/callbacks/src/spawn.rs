//! spawn with callbacks: a task is one timer on the loop's heap; when its sleep is
//! over, its callback reports by bumping a counter.
//!
//! A sleeping task here is a heap entry and a slab slot (a few dozen bytes, no
//! stack, no thread), which is why a million of them fit where a million threads do
//! not. All `n` are put on the heap before the loop starts, then the loop sleeps in
//! `epoll_wait` until the earliest deadline and fires every timer that is due; once
//! the heap is empty, `run` returns.

use harness::ModelError;
use harness::spec::{Counted, SpawnSpec};

use crate::event_loop::EventLoop;

pub(crate) fn run(spec: &SpawnSpec) -> Result<Counted, ModelError> {
    let mut lp = EventLoop::new(0u64)
        .map_err(|e| ModelError::failed(format!("cannot create the event loop: {e}")))?;
    for task in 0..spec.n {
        lp.call_later(spec.sleep, task, report);
    }
    lp.run()
        .map_err(|e| ModelError::failed(format!("the event loop failed: {e}")))?;
    Ok(Counted { count: lp.state })
}

/// A task's sleep is over: it reports.
fn report(lp: &mut EventLoop<u64>, _task: usize) {
    lp.state += 1;
}
