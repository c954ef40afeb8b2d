//! spawn with callbacks: a task is one timer on the loop's heap and one slot in the
//! loop's task table; when its sleep is over, its callback reports and the task is
//! gone.
//!
//! A callback task has no body that runs from start to end: it lives from the
//! moment its first callback is registered to the moment its last one has run. So
//! `task` (its first step) takes its place on the probe's gauge and parks the
//! timer, and `report` (its last) bumps the count and gives the place back. The
//! gauge's guard lives in the task's slot in the loop's state, found by key like
//! every other piece of state in this crate, so the callbacks stay plain functions.
//!
//! A sleeping task here is a heap entry, a timer slab slot and a table slot (a few
//! dozen bytes, no stack, no thread), which is why a million of them fit where a
//! million threads do not. All `n` are started before the loop runs, then the loop
//! sleeps in `epoll_wait` until the earliest deadline and fires every timer that is
//! due; once the heap is empty, `run` returns.

use harness::ModelError;
use harness::probe::Alive;
use harness::spec::{Counted, SpawnSpec};

use crate::event_loop::EventLoop;

// ## task

// A callback task has no body that runs from start to end: `task` is its first
// step (take its place on the gauge, park a timer for its sleep) and `report` its
// last. The guard the other models keep in a local (`_alive`) lives in the task's
// slot of the loop's state, so both steps stay plain functions that do not allocate.

/// The tasks' state, owned by the loop.
struct Sleepers<'s> {
    spec: &'s SpawnSpec,
    /// Each task's place on the probe's gauge, while it is alive.
    alive: Vec<Option<Alive>>,
    reported: u64,
}

type Loop<'s> = EventLoop<Sleepers<'s>>;

/// A task's first step: it is alive, and goes to sleep.
fn task(lp: &mut Loop<'_>, id: usize) {
    let alive = lp.state.spec.probe.enter();
    lp.state.alive[id] = Some(alive);
    lp.call_later(lp.state.spec.sleep, id, report);
}

/// A task's last step: its sleep is over, it reports and is gone.
fn report(lp: &mut Loop<'_>, id: usize) {
    lp.state.reported += 1;
    lp.state.alive[id] = None;
}

// ## run

pub(crate) fn run(spec: &SpawnSpec) -> Result<Counted, ModelError> {
    let mut lp = EventLoop::new(Sleepers {
        spec,
        alive: Vec::new(),
        reported: 0,
    })
    .map_err(|e| ModelError::failed(format!("cannot create the event loop: {e}")))?;
    // The loop is up and no task exists: the tasks' memory, table included, is
    // theirs from here on.
    spec.probe.begin();
    lp.state.alive.resize_with(spec.n, || None);
    for id in 0..spec.n {
        task(&mut lp, id);
    }
    collect(spec, lp)
}

// ## collect

// Joining the tasks is running the loop until the timer heap is empty; each task
// counted itself in `report`.

fn collect(spec: &SpawnSpec, mut lp: Loop<'_>) -> Result<Counted, ModelError> {
    lp.run()
        .map_err(|e| ModelError::failed(format!("the event loop failed: {e}")))?;
    spec.probe.end();
    let count = lp.state.reported;
    Ok(Counted { count })
}
