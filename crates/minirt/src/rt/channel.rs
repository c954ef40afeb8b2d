//! A channel between two tasks on the same runtime: one sender, one receiver, at
//! most `capacity` values in between ([`unbounded`]: no limit). A full channel
//! makes the sender wait, an empty one the receiver: each side leaves its waker
//! for the other.
//!
//! The seeds' tasks hand values over by `send`ing them into a coroutine; a channel
//! decouples the two ends so neither needs to know the other (the CSP idea the
//! seeds end on). Both ends live on one thread, so the state is an `Rc<RefCell>`:
//! no atomics, no lock. tokio's `mpsc` is multi-producer and works across threads,
//! so it needs atomics and a semaphore for its capacity; that is its cost here.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::future::poll_fn;
use std::rc::Rc;
use std::task::{Poll, Waker};

#[derive(Debug)]
struct Chan<T> {
    queue: VecDeque<T>,
    capacity: usize,
    /// The receiver, waiting for a value.
    receiver: Option<Waker>,
    /// The sender, waiting for room.
    sender: Option<Waker>,
    /// One end has been dropped.
    closed: bool,
}

/// The sending end. Not `Clone`: one producer (make it multi-producer as an exercise).
#[derive(Debug)]
pub struct Sender<T>(Rc<RefCell<Chan<T>>>);

/// The receiving end.
#[derive(Debug)]
pub struct Receiver<T>(Rc<RefCell<Chan<T>>>);

/// A channel holding at most `capacity` values (at least one).
pub fn channel<T>(capacity: usize) -> (Sender<T>, Receiver<T>) {
    let chan = Rc::new(RefCell::new(Chan {
        // Grown as values come, so an unbounded channel costs no more up front.
        queue: VecDeque::new(),
        capacity: capacity.max(1),
        receiver: None,
        sender: None,
        closed: false,
    }));
    (Sender(Rc::clone(&chan)), Receiver(chan))
}

/// A channel whose sender never waits (tokio's `unbounded_channel`): for a
/// protocol that bounds what is in flight itself, as pingpong and ring do.
pub fn unbounded<T>() -> (Sender<T>, Receiver<T>) {
    channel(usize::MAX)
}

impl<T> Sender<T> {
    /// Sends `value`, waiting while the channel is full. Gives the value back if
    /// the receiver is gone.
    pub async fn send(&mut self, value: T) -> Result<(), T> {
        // Wait for room, or for the close.
        poll_fn(|cx| {
            let mut chan = self.0.borrow_mut();
            if chan.closed || chan.queue.len() < chan.capacity {
                return Poll::Ready(());
            }
            chan.sender = Some(cx.waker().clone());
            Poll::Pending
        })
        .await;
        // Nothing else ran since the check (no `.await` in between, one thread), so
        // the room is still there.
        let mut chan = self.0.borrow_mut();
        if chan.closed {
            return Err(value);
        }
        chan.queue.push_back(value);
        let receiver = chan.receiver.take();
        drop(chan);
        if let Some(w) = receiver {
            w.wake();
        }
        Ok(())
    }
}

impl<T> Receiver<T> {
    /// The next value, waiting while the channel is empty; `None` once the sender
    /// is gone and every value sent has been received.
    pub async fn recv(&mut self) -> Option<T> {
        poll_fn(|cx| {
            let mut chan = self.0.borrow_mut();
            if let Some(value) = chan.queue.pop_front() {
                let sender = chan.sender.take();
                drop(chan);
                if let Some(w) = sender {
                    w.wake();
                }
                return Poll::Ready(Some(value));
            }
            if chan.closed {
                return Poll::Ready(None);
            }
            chan.receiver = Some(cx.waker().clone());
            Poll::Pending
        })
        .await
    }
}

/// Closes the channel and wakes the other end, so it sees the close.
fn close<T>(chan: &RefCell<Chan<T>>) {
    let mut chan = chan.borrow_mut();
    chan.closed = true;
    let waiting = [chan.receiver.take(), chan.sender.take()];
    drop(chan);
    waiting.into_iter().flatten().for_each(Waker::wake);
}

impl<T> Drop for Sender<T> {
    fn drop(&mut self) {
        close(&self.0);
    }
}

impl<T> Drop for Receiver<T> {
    fn drop(&mut self) {
        close(&self.0);
    }
}
