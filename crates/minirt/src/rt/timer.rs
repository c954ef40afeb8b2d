//! Timers: the seeds' `call_later`, a heap of deadlines with the soonest on top.
//!
//! [`sleep`] is asyncio's `sleep`: on its first poll it puts (deadline, waker) on
//! the heap and returns `Pending`; the loop parks in `epoll_wait` no longer than
//! the time to the top deadline, pops what is due and wakes it. The heap holds only
//! a weak reference to each sleep's waker, so a sleep dropped early (a timeout that
//! did not fire) cancels itself; its dead entry is skipped when it reaches the top.
//!
//! tokio keeps timers in a hierarchical timing wheel with millisecond slots: O(1)
//! to insert and cancel, and the entry lives inside the `Sleep` itself, so there is
//! no allocation. A binary heap is O(log n) and allocates one small cell per sleep,
//! and it is exact and short; at a million sleeps it is still fine.

use std::cell::Cell;
use std::cmp::Ordering;
use std::collections::BinaryHeap;
use std::fmt;
use std::future::{Future, poll_fn};
use std::pin::{Pin, pin};
use std::rc::{Rc, Weak};
use std::task::{Context, Poll, Waker};
use std::time::{Duration, Instant};

use super::executor;

/// Where a sleeping task leaves its waker; shared by the `Sleep` and its entry.
type WakerCell = Cell<Option<Waker>>;

/// The runtime's timers.
#[derive(Default)]
pub(crate) struct Timers {
    heap: BinaryHeap<Entry>,
    /// Breaks ties between equal deadlines: first registered, first woken.
    next_seq: u64,
}

struct Entry {
    deadline: Instant,
    seq: u64,
    waker: Weak<WakerCell>,
}

impl Ord for Entry {
    /// Reversed, so the std max-heap pops the earliest deadline first.
    fn cmp(&self, other: &Self) -> Ordering {
        (other.deadline, other.seq).cmp(&(self.deadline, self.seq))
    }
}

impl PartialOrd for Entry {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for Entry {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Entry {}

impl Timers {
    fn add(&mut self, deadline: Instant, waker: &Rc<WakerCell>) {
        self.heap.push(Entry {
            deadline,
            seq: self.next_seq,
            waker: Rc::downgrade(waker),
        });
        self.next_seq += 1;
    }

    /// How long the loop may park: until the first live deadline, or forever.
    pub(crate) fn next_timeout(&mut self, now: Instant) -> Option<Duration> {
        while let Some(top) = self.heap.peek() {
            if top.waker.strong_count() > 0 {
                return Some(top.deadline.saturating_duration_since(now));
            }
            self.heap.pop();
        }
        None
    }

    /// The waker of the next sleep due at `now`, if any.
    pub(crate) fn pop_due(&mut self, now: Instant) -> Option<Waker> {
        while self.heap.peek()?.deadline <= now {
            let entry = self.heap.pop()?;
            if let Some(waker) = entry.waker.upgrade().and_then(|cell| cell.take()) {
                return Some(waker);
            }
        }
        None
    }
}

/// A future that completes at a deadline. Made by [`sleep`].
pub struct Sleep {
    deadline: Instant,
    /// Set on the first pending poll, when the sleep joins the heap.
    waker: Option<Rc<WakerCell>>,
}

impl fmt::Debug for Sleep {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sleep")
            .field("deadline", &self.deadline)
            .finish()
    }
}

/// Completes after `duration`: `await asyncio.sleep(seconds)`.
pub fn sleep(duration: Duration) -> Sleep {
    let now = Instant::now();
    Sleep {
        // A duration too long to represent sleeps for a century instead.
        deadline: now
            .checked_add(duration)
            .unwrap_or_else(|| now + Duration::from_secs(100 * 365 * 86_400)),
        waker: None,
    }
}

impl Future for Sleep {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if Instant::now() >= self.deadline {
            return Poll::Ready(());
        }
        match &self.waker {
            // Polled again before the deadline (woken by something else): make sure
            // the heap wakes the current waker.
            Some(cell) => match cell.take() {
                Some(w) if w.will_wake(cx.waker()) => cell.set(Some(w)),
                _ => cell.set(Some(cx.waker().clone())),
            },
            None => {
                let cell = Rc::new(Cell::new(Some(cx.waker().clone())));
                let deadline = self.deadline;
                executor::current().timers.borrow_mut().add(deadline, &cell);
                self.waker = Some(cell);
            }
        }
        Poll::Pending
    }
}

/// `future` did not finish within its time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Elapsed;

impl fmt::Display for Elapsed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("deadline elapsed")
    }
}

impl std::error::Error for Elapsed {}

/// Runs `future` for at most `duration`: `asyncio.wait_for`. If time runs out the
/// future is dropped, which cancels whatever it was waiting on.
pub async fn timeout<F: Future>(duration: Duration, future: F) -> Result<F::Output, Elapsed> {
    let mut future = pin!(future);
    let mut deadline = sleep(duration);
    poll_fn(|cx| {
        if let Poll::Ready(out) = future.as_mut().poll(cx) {
            return Poll::Ready(Ok(out));
        }
        Pin::new(&mut deadline).poll(cx).map(|()| Err(Elapsed))
    })
    .await
}
