//! `spawn`'s other half: the seeds' `Task` is itself a `Future`, so a coroutine can
//! `await task` and get what the task's coroutine returned. Here the task and its
//! [`JoinHandle`] share one slot: the task puts its output there and wakes whoever
//! waits; the handle takes it out.
//!
//! A task that panics is reported, not lost: the panic is caught at the task's
//! boundary (as asyncio stores an exception on the Task), the task ends, and the
//! handle returns [`JoinError`]. Dropping the handle detaches the task: it runs to
//! the end and is freed then, with its output.
//!
//! [`JoinHandle::abort`] cancels a task the Rust way: its future is dropped, which
//! drops whatever it holds (a socket closes, a timer is taken out), and the handle
//! returns [`JoinError::Cancelled`]. Like tokio's `abort`, it only marks the task
//! and wakes it; the drop happens at the task's next turn, where a poll would have
//! been, so a future is never dropped from inside another task's poll.

use std::any::Any;
use std::cell::RefCell;
use std::fmt;
use std::future::{Future, poll_fn};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};

use super::executor;

/// A spawned task did not return: it panicked, or it was aborted. (tokio's
/// `JoinError` is opaque, with `is_panic` and `is_cancelled`; an enum says the same.)
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JoinError {
    /// It panicked, with the panic's message.
    Panicked(String),
    /// [`JoinHandle::abort`] dropped its future.
    Cancelled,
}

impl fmt::Display for JoinError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            JoinError::Panicked(message) => write!(f, "task panicked: {message}"),
            JoinError::Cancelled => write!(f, "task was cancelled"),
        }
    }
}

impl std::error::Error for JoinError {}

impl JoinError {
    /// The error for a caught panic, with the panic's message where it has one
    /// (`panic!` with a literal carries a `&str`, with arguments a `String`).
    fn caught(panic: &(dyn Any + Send)) -> Self {
        JoinError::Panicked(
            match (panic.downcast_ref::<&str>(), panic.downcast_ref::<String>()) {
                (Some(s), _) => (*s).to_owned(),
                (None, Some(s)) => s.clone(),
                (None, None) => "a panic without a message".into(),
            },
        )
    }
}

/// What the task and its handle share.
#[derive(Debug)]
struct Slot<T> {
    output: Option<Result<T, JoinError>>,
    /// The task that awaits the handle: `add_done_callback`.
    waiter: Option<Waker>,
    /// Set by `abort`: the task drops its future instead of polling it.
    aborted: bool,
}

/// Awaits a spawned task's output.
#[derive(Debug)]
pub struct JoinHandle<T> {
    slot: Rc<RefCell<Slot<T>>>,
    /// The task's id in the executor, for `abort` to wake it by.
    pub(super) id: usize,
}

impl<T> JoinHandle<T> {
    /// Cancels the task: `Task.cancel()`. It is woken, its future dropped instead
    /// of polled, and this handle then returns [`JoinError::Cancelled`]. Nothing
    /// happens if the task has already finished. (asyncio throws `CancelledError`
    /// into the coroutine, which may catch it; a Rust future cannot refuse a drop.)
    pub fn abort(&self) {
        let mut slot = self.slot.borrow_mut();
        if slot.output.is_none() && !slot.aborted {
            slot.aborted = true;
            drop(slot);
            executor::current().wake_task(self.id);
        }
    }

    /// Whether the task has ended (returned, panicked or been aborted): it has
    /// dropped its share of the slot. For a server to forget finished tasks.
    pub fn is_finished(&self) -> bool {
        Rc::strong_count(&self.slot) == 1
    }
}

impl<T> Future for JoinHandle<T> {
    type Output = Result<T, JoinError>;

    /// Like every future, not to be polled again once it has returned `Ready`: it
    /// would wait forever, as its output has been handed over.
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let mut slot = self.slot.borrow_mut();
        if let Some(output) = slot.output.take() {
            return Poll::Ready(output);
        }
        slot.waiter = Some(cx.waker().clone());
        Poll::Pending
    }
}

/// Wraps `future` into the task the executor runs, and makes its handle.
pub(crate) fn task<F: Future>(future: F) -> (impl Future<Output = ()>, JoinHandle<F::Output>) {
    let slot = Rc::new(RefCell::new(Slot {
        output: None,
        waiter: None,
        aborted: false,
    }));
    let handle = JoinHandle {
        slot: Rc::clone(&slot),
        id: 0, // `spawn` sets it once the executor has given the task its id
    };
    // Boxed before the task captures it. Captured by value and pinned inside, it
    // would sit in the task's state twice, as the capture and as the pinned local
    // (rust-lang/rust#62958), doubling every task. tokio keeps the future inline
    // in its one task allocation, which takes unsafe pin projection.
    let mut future = Box::pin(future);
    let task = async move {
        // After a panic the future is never polled again, so whatever state it
        // broke is never seen: that is what makes AssertUnwindSafe sound here.
        let output = poll_fn(|cx| {
            if !slot.borrow().aborted {
                let poll = catch_unwind(AssertUnwindSafe(|| future.as_mut().poll(cx).map(Ok)))
                    .unwrap_or_else(|panic| Poll::Ready(Err(JoinError::caught(&*panic))));
                // Checked again after the poll: a task that aborted itself was not
                // on the task list to be woken, so it ends now.
                if poll.is_ready() || !slot.borrow().aborted {
                    return poll;
                }
            }
            Poll::Ready(Err(JoinError::Cancelled))
        })
        .await;
        // Dropped before the handle hears, so by the time `handle.await` returns,
        // an aborted future's sockets are closed and its timers gone.
        drop(future);
        let waiter = {
            let mut slot = slot.borrow_mut();
            slot.output = Some(output);
            slot.waiter.take()
        };
        if let Some(waiter) = waiter {
            waiter.wake();
        }
    };
    (task, handle)
}
