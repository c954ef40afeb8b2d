//! Timers: the seeds' `call_later`, deadlines kept in order with the soonest first.
//!
//! [`sleep`] is asyncio's `sleep`: on its first poll it files (deadline, waker)
//! with the runtime's timers and returns `Pending`; the loop parks in `epoll_wait`
//! no longer than the time to the first deadline, takes out what is due and wakes
//! it. A sleep dropped early (a timeout that did not fire) takes its entry out, so
//! cancelling is exact and nothing dead stays behind.
//!
//! The seeds keep deadlines in a `heapq`. This keeps them in a `BTreeMap` keyed by
//! (deadline, sequence number): the same soonest-first order, ties served first
//! come first served, and, unlike a heap, an entry can be removed by its key, which
//! is what makes cancelling exact. Both are O(log n) per timer. tokio uses a
//! hierarchical timing wheel with millisecond slots: O(1) to insert and cancel, and
//! the entry lives inside the `Sleep` itself, so there is no allocation.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::future::{Future, poll_fn};
use std::pin::{Pin, pin};
use std::rc::Rc;
use std::task::{Context, Poll, Waker};
use std::time::{Duration, Instant};

use super::executor;

/// A timer's key: its deadline, then the order it was filed in.
type Key = (Instant, u64);

/// The runtime's timers: the waker to call at each deadline.
#[derive(Debug, Default)]
pub(crate) struct Timers {
    due: BTreeMap<Key, Waker>,
    next_seq: u64,
}

impl Timers {
    fn add(&mut self, deadline: Instant, waker: Waker) -> Key {
        let key = (deadline, self.next_seq);
        self.next_seq += 1;
        self.due.insert(key, waker);
        key
    }

    /// How long the loop may park: until the first deadline, or forever.
    pub(crate) fn next_timeout(&self, now: Instant) -> Option<Duration> {
        let (&(deadline, _), _) = self.due.first_key_value()?;
        Some(deadline.saturating_duration_since(now))
    }

    /// The waker of the next timer due at `now`, if any.
    pub(crate) fn pop_due(&mut self, now: Instant) -> Option<Waker> {
        let first = self.due.first_entry()?;
        (first.key().0 <= now).then(|| first.remove())
    }
}

/// A future that completes at a deadline. Made by [`sleep`].
#[derive(Debug)]
pub struct Sleep {
    deadline: Instant,
    /// Set on the first pending poll, when the sleep files its timer.
    filed: Option<(Key, Rc<RefCell<Timers>>)>,
}

/// Completes after `duration`: `await asyncio.sleep(seconds)`.
pub fn sleep(duration: Duration) -> Sleep {
    // Capped at a century, so that adding it to `now` cannot overflow.
    let duration = duration.min(Duration::from_secs(100 * 365 * 86_400));
    Sleep {
        deadline: Instant::now() + duration,
        filed: None,
    }
}

impl Future for Sleep {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if Instant::now() >= self.deadline {
            return Poll::Ready(());
        }
        match &self.filed {
            // Polled again before the deadline (woken by something else, as inside
            // `timeout` on every socket event): the timer must wake the waker of
            // this latest poll. `clone_from` clones only if that waker differs.
            Some((key, timers)) => {
                if let Some(waker) = timers.borrow_mut().due.get_mut(key) {
                    waker.clone_from(cx.waker());
                }
            }
            None => {
                let timers = Rc::clone(&executor::current().timers);
                let key = timers.borrow_mut().add(self.deadline, cx.waker().clone());
                self.filed = Some((key, timers));
            }
        }
        Poll::Pending
    }
}

impl Drop for Sleep {
    /// Cancels the timer. (After it fired, its entry is gone and this does nothing.)
    fn drop(&mut self) {
        if let Some((key, timers)) = &self.filed {
            timers.borrow_mut().due.remove(key);
        }
    }
}

/// Runs `future` for at most `duration`: `asyncio.wait_for`. `None` if time ran
/// out, in which case the future is dropped, which cancels whatever it was
/// waiting on. (tokio's `timeout` returns a `Result` with an `Elapsed` error.)
///
/// Being an `async fn`, it holds `future` twice, as its argument and as the
/// pinned local (rust-lang/rust#62958). For a large future, pin it first and pass
/// the `Pin<&mut _>`, as the crawl does. tokio's `Timeout` is a struct with a pin
/// projection instead, which takes unsafe code.
pub async fn timeout<F: Future>(duration: Duration, future: F) -> Option<F::Output> {
    let mut future = pin!(future);
    let mut deadline = pin!(sleep(duration));
    poll_fn(|cx| {
        if let Poll::Ready(out) = future.as_mut().poll(cx) {
            return Poll::Ready(Some(out));
        }
        deadline.as_mut().poll(cx).map(|()| None)
    })
    .await
}
