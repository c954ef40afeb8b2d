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
use std::pin::Pin;
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

impl JoinError {
    /// The error for a caught panic, with the panic's message where it has one
    /// (`panic!` with a literal carries a `&str`, with arguments a `String`).
    fn caught(panic: &(dyn Any + Send)) -> Self {
        let message = match (panic.downcast_ref::<&str>(), panic.downcast_ref::<String>()) {
            (Some(s), _) => (*s).to_owned(),
            (None, Some(s)) => s.clone(),
            (None, None) => "a panic without a message".into(),
        };
        JoinError { message }
    }
}

/// What the task and its handle share.
#[derive(Debug)]
struct Slot<T> {
    output: Option<Result<T, JoinError>>,
    /// The task that awaits the handle: `add_done_callback`.
    waiter: Option<Waker>,
}

/// Awaits a spawned task's output.
#[derive(Debug)]
pub struct JoinHandle<T> {
    slot: Rc<RefCell<Slot<T>>>,
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
    }));
    let handle = JoinHandle {
        slot: Rc::clone(&slot),
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
            catch_unwind(AssertUnwindSafe(|| future.as_mut().poll(cx).map(Ok)))
                .unwrap_or_else(|panic| Poll::Ready(Err(JoinError::caught(&*panic))))
        })
        .await;
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
