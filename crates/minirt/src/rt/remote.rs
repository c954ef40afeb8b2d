//! The wake path from other threads: the seeds' `fake_io_read`, whose thread calls
//! `set_result` on a future the loop is waiting for.
//!
//! A `Waker` must be `Send + Sync`, so any thread may call `wake()`. Wakes from the
//! loop's own thread go straight onto its ready queue (see `executor`); wakes from
//! other threads land here: a locked list of task ids, plus a flag that says "the
//! loop has been told". The first wake after the loop last looked pokes it (a
//! `mio::Waker`, which makes a parked `epoll_wait` return); later ones only push,
//! because the loop drains the whole list once it is up.
//!
//! Why no wake-up is lost: a pusher pushes under the lock, then sets the flag. The
//! loop clears the flag, then drains under the lock. If the loop's drain came first,
//! the pusher's swap reads the cleared flag and pokes; if the push came first, the
//! drain sees it. The loom tests (`tests/loom.rs`) check every interleaving.
//!
//! tokio does the same (an "inject" queue and an unpark), with a lock-free list.

use super::sync::{AtomicBool, Mutex, Ordering};

/// Ids of tasks woken from other threads, waiting for the loop to pick them up.
#[derive(Debug)]
pub(crate) struct Inbox<T> {
    woken: Mutex<Vec<T>>,
    /// True from the first push until the loop drains: the loop has been poked.
    notified: AtomicBool,
}

impl<T> Inbox<T> {
    pub(crate) fn new() -> Self {
        Self {
            woken: Mutex::new(Vec::new()),
            notified: AtomicBool::new(false),
        }
    }

    /// Called from any thread. Returns true when the caller must poke the loop.
    pub(crate) fn push(&self, id: T) -> bool {
        // `unwrap` (here and in `drain`): the lock is poisoned only by a panic while
        // it is held, and a `Vec` push or drain does not panic.
        self.woken.lock().unwrap().push(id);
        !self.notified.swap(true, Ordering::AcqRel)
    }

    /// Called by the loop: moves every pushed id into `into`. Cheap when empty: one
    /// atomic load, no lock.
    pub(crate) fn drain(&self, into: &mut impl Extend<T>) {
        if !self.notified.load(Ordering::Acquire) {
            return;
        }
        self.notified.store(false, Ordering::Release);
        // Drained in place, so the list keeps its capacity for the next pushes.
        let mut woken = self.woken.lock().unwrap();
        into.extend(woken.drain(..));
    }
}
