//! A channel from OS threads into a task: the seeds' `fake_io_read`, a thread that
//! finishes some work and calls `set_result` on a future the loop waits for.
//!
//! Senders are `Send` and never wait (the channel is unbounded); the receiver is
//! awaited by one task. The sender that finds the receiver's waker takes it and
//! calls `wake()` from its own thread, which goes through the runtime's cross-thread
//! wake path (`remote`): later sends before the receiver runs again find no waker
//! and just queue. The loom tests run this file under every interleaving.

use std::collections::VecDeque;
use std::future::poll_fn;
use std::task::{Poll, Waker};

use super::sync::{Arc, Mutex};

/// The state behind the lock. Every `lock().unwrap()` below panics only if the
/// lock is poisoned, which takes a panic while it is held, and nothing in this
/// file can panic while holding it.
#[derive(Debug)]
struct Chan<T> {
    queue: VecDeque<T>,
    receiver: Option<Waker>,
    senders: usize,
    receiver_alive: bool,
}

/// The sending end: clone one per thread.
#[derive(Debug)]
pub struct Sender<T>(Arc<Mutex<Chan<T>>>);

/// The receiving end, awaited by one task.
#[derive(Debug)]
pub struct Receiver<T>(Arc<Mutex<Chan<T>>>);

/// An unbounded channel from any thread to a task.
pub fn channel<T>() -> (Sender<T>, Receiver<T>) {
    let chan = Arc::new(Mutex::new(Chan {
        queue: VecDeque::new(),
        receiver: None,
        senders: 1,
        receiver_alive: true,
    }));
    (Sender(Arc::clone(&chan)), Receiver(chan))
}

impl<T> Sender<T> {
    /// Queues `value` and wakes the receiver if it waits. Gives the value back if
    /// the receiver is gone.
    pub fn send(&self, value: T) -> Result<(), T> {
        let waiting = {
            let mut chan = self.0.lock().unwrap();
            if !chan.receiver_alive {
                return Err(value);
            }
            chan.queue.push_back(value);
            chan.receiver.take()
        };
        // Woken outside the lock: the wake may take the runtime's inbox lock.
        if let Some(w) = waiting {
            w.wake();
        }
        Ok(())
    }
}

impl<T> Receiver<T> {
    /// The next value; `None` once every sender is gone and the queue is empty.
    pub async fn recv(&mut self) -> Option<T> {
        poll_fn(|cx| {
            let mut chan = self.0.lock().unwrap();
            if let Some(value) = chan.queue.pop_front() {
                return Poll::Ready(Some(value));
            }
            if chan.senders == 0 {
                return Poll::Ready(None);
            }
            chan.receiver = Some(cx.waker().clone());
            Poll::Pending
        })
        .await
    }
}

impl<T> Clone for Sender<T> {
    fn clone(&self) -> Self {
        self.0.lock().unwrap().senders += 1;
        Sender(Arc::clone(&self.0))
    }
}

impl<T> Drop for Sender<T> {
    fn drop(&mut self) {
        let mut chan = self.0.lock().unwrap();
        chan.senders -= 1;
        // The last sender wakes the receiver, so that it sees the end.
        let last = chan.senders == 0;
        let waiting = chan.receiver.take_if(|_| last);
        drop(chan);
        if let Some(w) = waiting {
            w.wake();
        }
    }
}

impl<T> Drop for Receiver<T> {
    fn drop(&mut self) {
        let mut chan = self.0.lock().unwrap();
        chan.receiver_alive = false;
        chan.receiver = None;
    }
}
