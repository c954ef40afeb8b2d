//! The event loop every workload of this model runs on: one thread, one `mio::Poll`,
//! and three places where a callback can wait for its turn.
//!
//! - **I/O**: [`EventLoop::when_ready`] parks a callback on a `mio::Token`; the next
//!   readiness event for that token takes it out and calls it. One callback waits per
//!   token, and it runs once: to hear about the next event, it parks the next step.
//! - **Soon**: [`EventLoop::call_soon`] puts a callback on the ready queue, to run on
//!   the loop's next pass (asyncio's `call_soon`, Node's `setImmediate`).
//! - **Later**: [`EventLoop::call_later`] puts it on a timer heap, to run once its
//!   deadline has passed; [`EventLoop::cancel`] takes it off again.
//!
//! [`EventLoop::run`] repeats one pass until [`EventLoop::stop`] is called or nothing
//! is left that could ever run (no queued callback, no timer, no callback waiting on
//! I/O), the way libuv's `uv_run` returns when no handle is active. A pass runs the
//! expired timers, then the callbacks that were ready when the pass began (those they
//! schedule wait for the next pass, so a chain of `call_soon`s cannot starve I/O),
//! then polls: without blocking if work is queued, until the next deadline if a
//! timer is pending, for as long as it takes if only I/O remains.
//!
//! # A callback, and where its state lives
//!
//! A callback is `Box<dyn FnOnce(&mut EventLoop<S>, usize)>`: it gets the loop, so it
//! can schedule the next step, and a `usize` key saying which piece of state it is
//! about (a connection slot, a ring task). The state itself is not captured by the
//! closure: it lives in the loop, in [`EventLoop::state`] (the `S` each workload
//! chooses: a table of connection slots, a vector of tasks), where every callback
//! finds it by key. That is how a careful C programmer writes it on libuv: the loop
//! carries the program's data (`uv_loop_t.data`), each handle knows its own slot,
//! and callbacks are plain functions that receive both.
//!
//! The alternative, each continuation capturing an `Rc<RefCell<Conn>>`, allocates the
//! shared cell per connection, a closure per step, bumps reference counts, and moves
//! the borrow check to run time. Here the callbacks of the measured paths are plain
//! `fn` items and closures that capture nothing: zero-sized, so `Box::new` does not
//! allocate, and a step costs a queue push and an indirect call. A closure that does
//! capture something still works, and pays one small allocation.
//!
//! # Why the loop takes a callback out only when it calls it
//!
//! Readiness events and expired timers are dispatched straight from the registry and
//! the heap, never copied to the ready queue first. A callback that has been taken
//! out is therefore always about to run, and one still stored can always be
//! replaced or cancelled: when a request finishes and a new connection reuses its
//! slot, its timeout is cancelled and its parked callback dropped, and no stale step
//! of the old request can run against the new one.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, VecDeque};
use std::io;
use std::time::{Duration, Instant};

use mio::{Events, Poll, Registry, Token};

/// One step of a program on the loop: gets the loop and the key of its state.
pub(crate) type Callback<S> = Box<dyn FnOnce(&mut EventLoop<S>, usize)>;

/// Readiness events taken from the kernel per poll.
const EVENTS_PER_POLL: usize = 1024;

/// A single-threaded event loop over `mio`, holding the program's state `S`.
pub(crate) struct EventLoop<S> {
    /// The program's own data, reached by every callback (libuv's `loop->data`).
    pub(crate) state: S,
    poll: Poll,
    events: Events,
    /// The callback parked on each token, indexed by `Token.0`.
    waiting: Vec<Option<Callback<S>>>,
    /// How many entries of `waiting` are `Some`: while zero, no event can matter.
    io_waiting: usize,
    ready: VecDeque<(Callback<S>, usize)>,
    timers: Timers<S>,
    stopped: bool,
}

impl<S> EventLoop<S> {
    /// A loop holding `state`, with nothing scheduled yet.
    pub(crate) fn new(state: S) -> io::Result<Self> {
        Ok(Self::with_poll(Poll::new()?, state))
    }

    /// A loop on a `poll` made beforehand, so that what must exist before the
    /// state (a `mio::Waker` the state refers to) can be registered on it first.
    pub(crate) fn with_poll(poll: Poll, state: S) -> Self {
        Self {
            state,
            poll,
            events: Events::with_capacity(EVENTS_PER_POLL),
            waiting: Vec::new(),
            io_waiting: 0,
            ready: VecDeque::new(),
            timers: Timers::new(),
            stopped: false,
        }
    }

    /// Where I/O sources are registered (with the token their callbacks will wait on).
    pub(crate) fn registry(&self) -> &Registry {
        self.poll.registry()
    }

    /// Runs `callback(loop, key)` on the next pass.
    pub(crate) fn call_soon<F>(&mut self, key: usize, callback: F)
    where
        F: FnOnce(&mut Self, usize) + 'static,
    {
        self.ready.push_back((Box::new(callback), key));
    }

    /// Runs `callback(loop, key)` once `delay` has passed, unless cancelled first.
    pub(crate) fn call_later<F>(&mut self, delay: Duration, key: usize, callback: F) -> TimerId
    where
        F: FnOnce(&mut Self, usize) + 'static,
    {
        self.timers
            .insert(Instant::now() + delay, key, Box::new(callback))
    }

    /// Takes a timer off the heap; a timer that has already run is ignored.
    pub(crate) fn cancel(&mut self, timer: TimerId) {
        self.timers.cancel(timer);
    }

    /// Parks `callback` on `token`: the next readiness event for it calls
    /// `callback(loop, token.0)`, once. Replaces whatever was parked there.
    pub(crate) fn when_ready<F>(&mut self, token: Token, callback: F)
    where
        F: FnOnce(&mut Self, usize) + 'static,
    {
        if token.0 >= self.waiting.len() {
            self.waiting.resize_with(token.0 + 1, || None);
        }
        if self.waiting[token.0].replace(Box::new(callback)).is_none() {
            self.io_waiting += 1;
        }
    }

    /// Drops the callback parked on `token`, if any (its source is going away).
    pub(crate) fn forget(&mut self, token: Token) {
        if self
            .waiting
            .get_mut(token.0)
            .and_then(Option::take)
            .is_some()
        {
            self.io_waiting -= 1;
        }
    }

    /// Makes [`run`](Self::run) return once the running callback returns.
    pub(crate) fn stop(&mut self) {
        self.stopped = true;
    }

    /// Runs passes until stopped or until nothing is left that could run.
    pub(crate) fn run(&mut self) -> io::Result<()> {
        while !self.stopped {
            self.run_timers();
            self.run_ready();
            if self.stopped {
                break;
            }
            let timeout = if !self.ready.is_empty() {
                if self.io_waiting == 0 {
                    // Nothing to hear from the kernel: skip the system call.
                    continue;
                }
                Some(Duration::ZERO)
            } else if let Some(deadline) = self.timers.next_deadline() {
                Some(deadline.saturating_duration_since(Instant::now()))
            } else if self.io_waiting > 0 {
                None
            } else {
                // No callback queued, parked or timed: nothing can ever run again.
                break;
            };
            self.poll_io(timeout)?;
        }
        Ok(())
    }

    /// Calls every timer whose deadline has passed, earliest first.
    fn run_timers(&mut self) {
        if self.timers.is_empty() {
            return;
        }
        let now = Instant::now();
        while let Some((callback, key)) = self.timers.pop_expired(now) {
            callback(self, key);
            if self.stopped {
                return;
            }
        }
    }

    /// Calls the callbacks queued before this pass began, in order.
    fn run_ready(&mut self) {
        for _ in 0..self.ready.len() {
            let Some((callback, key)) = self.ready.pop_front() else {
                break;
            };
            callback(self, key);
            if self.stopped {
                return;
            }
        }
    }

    /// Waits up to `timeout` for readiness and calls the callback parked on each
    /// token that has an event. An event with nothing parked is dropped: no step of
    /// the program is waiting for it (a spurious or late wake-up).
    fn poll_io(&mut self, timeout: Option<Duration>) -> io::Result<()> {
        match self.poll.poll(&mut self.events, timeout) {
            Ok(()) => {}
            // A signal cut the wait short: the next pass simply polls again.
            Err(e) if e.kind() == io::ErrorKind::Interrupted => return Ok(()),
            Err(e) => return Err(e),
        }
        // The events are moved out while callbacks (which may use the loop) run.
        // `Events::with_capacity(0)` holds an empty Vec and does not allocate.
        let events = std::mem::replace(&mut self.events, Events::with_capacity(0));
        for event in &events {
            let key = event.token().0;
            if let Some(callback) = self.waiting.get_mut(key).and_then(Option::take) {
                self.io_waiting -= 1;
                callback(self, key);
                if self.stopped {
                    break;
                }
            }
        }
        self.events = events;
        Ok(())
    }
}

/// Names one `call_later` timer, to cancel it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct TimerId {
    slot: usize,
    seq: u64,
}

/// The timer heap: a binary min-heap of `(deadline, seq, slot)` over a slab of
/// callbacks. Cancelling empties the slab slot and leaves the heap entry behind,
/// to be dropped when it reaches the top (asyncio does the same); `seq` tells a
/// live entry from a stale one whose slot has since been reused, and orders
/// timers with the same deadline first come, first served.
struct Timers<S> {
    heap: BinaryHeap<Reverse<(Instant, u64, usize)>>,
    slots: Vec<Option<(u64, Callback<S>, usize)>>,
    free: Vec<usize>,
    next_seq: u64,
    live: usize,
}

impl<S> Timers<S> {
    fn new() -> Self {
        Self {
            heap: BinaryHeap::new(),
            slots: Vec::new(),
            free: Vec::new(),
            next_seq: 0,
            live: 0,
        }
    }

    fn is_empty(&self) -> bool {
        self.live == 0
    }

    fn insert(&mut self, deadline: Instant, key: usize, callback: Callback<S>) -> TimerId {
        let seq = self.next_seq;
        self.next_seq += 1;
        let entry = Some((seq, callback, key));
        let slot = match self.free.pop() {
            Some(slot) => {
                self.slots[slot] = entry;
                slot
            }
            None => {
                self.slots.push(entry);
                self.slots.len() - 1
            }
        };
        self.heap.push(Reverse((deadline, seq, slot)));
        self.live += 1;
        TimerId { slot, seq }
    }

    /// Empties the slot if it still holds this timer.
    fn cancel(&mut self, id: TimerId) -> Option<(Callback<S>, usize)> {
        let entry = self.slots.get_mut(id.slot)?;
        if !matches!(entry, Some((seq, ..)) if *seq == id.seq) {
            return None;
        }
        let (_, callback, key) = entry.take()?;
        self.free.push(id.slot);
        self.live -= 1;
        Some((callback, key))
    }

    /// The earliest live deadline, dropping cancelled entries off the top.
    fn next_deadline(&mut self) -> Option<Instant> {
        while let Some(&Reverse((deadline, seq, slot))) = self.heap.peek() {
            if matches!(&self.slots[slot], Some((s, ..)) if *s == seq) {
                return Some(deadline);
            }
            self.heap.pop();
        }
        None
    }

    /// The callback of the earliest live timer due at `now`, taken off the heap.
    fn pop_expired(&mut self, now: Instant) -> Option<(Callback<S>, usize)> {
        let deadline = self.next_deadline()?;
        if deadline > now {
            return None;
        }
        // next_deadline just saw this entry at the top, live.
        let Reverse((_, seq, slot)) = self.heap.pop()?;
        self.cancel(TimerId { slot, seq })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timers_fire_in_deadline_order_and_cancelled_ones_never() {
        let mut lp = EventLoop::new(Vec::new()).unwrap();
        let ms = Duration::from_millis;
        lp.call_later(ms(30), 3, |lp: &mut EventLoop<Vec<usize>>, k| {
            lp.state.push(k);
        });
        let gone = lp.call_later(ms(10), 99, |lp: &mut EventLoop<Vec<usize>>, k| {
            lp.state.push(k);
        });
        lp.call_later(ms(20), 2, |lp: &mut EventLoop<Vec<usize>>, k| {
            lp.state.push(k);
        });
        lp.call_soon(1, |lp, k| lp.state.push(k));
        lp.cancel(gone);
        lp.cancel(gone); // twice is harmless
        lp.run().unwrap();
        assert_eq!(lp.state, [1, 2, 3]);
    }

    #[test]
    fn stop_ends_run_and_leaves_the_rest() {
        let mut lp = EventLoop::new(0u32).unwrap();
        lp.call_soon(0, |lp, _| {
            lp.state += 1;
            lp.stop();
        });
        lp.call_soon(0, |lp, _| lp.state += 10);
        lp.run().unwrap();
        assert_eq!(lp.state, 1);
    }

    #[test]
    fn callbacks_scheduled_in_a_pass_run_on_the_next() {
        let mut lp = EventLoop::new(Vec::new()).unwrap();
        lp.call_soon(0, |lp: &mut EventLoop<Vec<usize>>, _| {
            lp.state.push(0);
            lp.call_soon(2, |lp, k| lp.state.push(k));
        });
        lp.call_soon(1, |lp, k| lp.state.push(k));
        lp.run().unwrap();
        assert_eq!(lp.state, [0, 1, 2]);
    }
}
