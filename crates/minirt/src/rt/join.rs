//! `spawn`'s other half: the seeds' `Task` is itself a `Future`, so a coroutine can
//! `await task` and get what the task's coroutine returned. Here the task and its
//! [`JoinHandle`] share one slot: the task puts its output there and wakes whoever
//! waits; the handle takes it out.
//!
//! A task that panics is reported, not lost: the panic is caught at the task's
//! boundary (as asyncio stores an exception on the Task), the task ends, and the
//! handle returns [`JoinError`]. Dropping the handle detaches the task: it runs to
//! the end and is freed then, with its output.

use std::any::Any;
use std::cell::RefCell;
use std::fmt;
use std::future::{Future, poll_fn};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::pin::{Pin, pin};
use std::rc::Rc;
use std::task::{Context, Poll, Waker};

/// A spawned task panicked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JoinError {
    /// The panic's message.
    pub message: String,
}

impl fmt::Display for JoinError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "task panicked: {}", self.message)
    }
}

impl std::error::Error for JoinError {}

/// What the task and its handle share.
struct Slot<T> {
    output: Option<Result<T, JoinError>>,
    /// The task that awaits the handle: `add_done_callback`.
    waiter: Option<Waker>,
    finished: bool,
}

/// Awaits a spawned task's output.
pub struct JoinHandle<T> {
    slot: Rc<RefCell<Slot<T>>>,
}

impl<T> fmt::Debug for JoinHandle<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JoinHandle")
            .field("finished", &self.is_finished())
            .finish()
    }
}

impl<T> JoinHandle<T> {
    /// Whether the task has ended (returned or panicked).
    pub fn is_finished(&self) -> bool {
        self.slot.borrow().finished
    }
}

impl<T> Future for JoinHandle<T> {
    type Output = Result<T, JoinError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let mut slot = self.slot.borrow_mut();
        if let Some(output) = slot.output.take() {
            return Poll::Ready(output);
        }
        assert!(!slot.finished, "JoinHandle polled after it returned");
        slot.waiter = Some(cx.waker().clone());
        Poll::Pending
    }
}

/// Wraps `future` into the task the executor runs, and makes its handle.
pub(crate) fn task<F: Future>(future: F) -> (impl Future<Output = ()>, JoinHandle<F::Output>) {
    let slot = Rc::new(RefCell::new(Slot {
        output: None,
        waiter: None,
        finished: false,
    }));
    let handle = JoinHandle {
        slot: Rc::clone(&slot),
    };
    let task = async move {
        let mut future = pin!(future);
        // After a panic the future is never polled again, so whatever state it
        // broke is never seen: that is what makes AssertUnwindSafe sound here.
        let output =
            poll_fn(
                |cx| match catch_unwind(AssertUnwindSafe(|| future.as_mut().poll(cx))) {
                    Ok(poll) => poll.map(Ok),
                    Err(panic) => Poll::Ready(Err(JoinError {
                        message: panic_message(&*panic),
                    })),
                },
            )
            .await;
        let waiter = {
            let mut slot = slot.borrow_mut();
            slot.finished = true;
            slot.output = Some(output);
            slot.waiter.take()
        };
        if let Some(waiter) = waiter {
            waiter.wake();
        }
    };
    (task, handle)
}

fn panic_message(panic: &(dyn Any + Send)) -> String {
    panic
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic without a message".into())
}
