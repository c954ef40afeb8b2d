//! The two queues that let CPU work run off the loop, as libuv's `uv_queue_work`
//! does: the loop sends jobs, pool threads (fanout's `worker`s) run them, and the
//! results come back to the loop, whose thread is the only one that ever sees the
//! program's state.
//!
//! Each queue is a `Mutex` over a plain collection. [`Jobs`]: the loop sends, the
//! workers wait on a `Condvar` and receive. [`Jobs::send`] is libuv's `post`: lock,
//! push one item, signal the condvar only if a worker is idle (a notify is a
//! `futex` system call even when nobody waits), unlock; it never waits for room.
//! [`Results`]: the workers send, the loop drains.
//!
//! A worker tells the loop about its result through a `mio::Waker`, which on Linux
//! is a write to an eventfd the loop's `epoll` watches: a system call, and a
//! wake-up of the loop thread if it sleeps. So the waker is rung only when the
//! results go from empty to non-empty; results that land while the loop has not
//! drained yet ride along with the wake-up already on its way. This is the
//! coalescing `uv_async_send` promises ("calls may be coalesced").

use std::collections::VecDeque;
use std::sync::{Condvar, Mutex, MutexGuard, PoisonError};

use mio::Waker;

/// Locks `m`, ignoring poison: the queues stay consistent whatever panicked, and a
/// worker's panic surfaces as [`Results::take`] failing and when it is joined.
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The job queue the workers share.
#[derive(Debug)]
pub(crate) struct Jobs<T> {
    queue: Mutex<Queue<T>>,
    /// Signalled when a job is queued or the queue closes.
    ready: Condvar,
}

/// Work waiting for a worker, and whether more can come.
#[derive(Debug)]
struct Queue<T> {
    items: VecDeque<T>,
    /// Workers waiting on the condvar: only they need a (system-call) notify.
    sleeping: usize,
    closed: bool,
}

impl<T> Jobs<T> {
    pub(crate) fn new() -> Self {
        Self {
            queue: Mutex::new(Queue {
                items: VecDeque::new(),
                sleeping: 0,
                closed: false,
            }),
            ready: Condvar::new(),
        }
    }

    /// Queues one job (never waits for room), waking a worker only if one is
    /// asleep: busy workers will find the job when they come back.
    pub(crate) fn send(&self, job: T) {
        let mut queue = lock(&self.queue);
        queue.items.push_back(job);
        let wake = queue.sleeping > 0;
        drop(queue);
        if wake {
            self.ready.notify_one();
        }
    }

    /// No more jobs: wakes every waiting worker to see it.
    pub(crate) fn close(&self) {
        lock(&self.queue).closed = true;
        self.ready.notify_all();
    }

    /// The next job, sleeping until there is one; `None` once closed and empty.
    pub(crate) fn recv(&self) -> Option<T> {
        let mut queue = lock(&self.queue);
        loop {
            if let Some(job) = queue.items.pop_front() {
                return Some(job);
            }
            if queue.closed {
                return None;
            }
            queue.sleeping += 1;
            queue = self
                .ready
                .wait(queue)
                .unwrap_or_else(PoisonError::into_inner);
            queue.sleeping -= 1;
        }
    }
}

/// Results on their way to the loop, and the waker that tells it they are there.
#[derive(Debug)]
pub(crate) struct Results<A> {
    done: Mutex<Done<A>>,
    waker: Waker,
}

/// Results waiting for the loop, and whether a worker gave up.
#[derive(Debug)]
struct Done<A> {
    results: Vec<A>,
    failed: bool,
}

impl<A> Results<A> {
    /// Results that ring `waker`, registered on the loop's poll.
    pub(crate) fn new(waker: Waker) -> Self {
        Self {
            done: Mutex::new(Done {
                results: Vec::new(),
                failed: false,
            }),
            waker,
        }
    }

    /// Posts one result, ringing the loop only if it had nothing left to drain.
    pub(crate) fn send(&self, result: A) {
        let mut done = lock(&self.done);
        let first = done.results.is_empty();
        done.results.push(result);
        drop(done);
        if first {
            self.ring();
        }
    }

    /// Moves every result so far into `into` (which the caller has emptied).
    /// Returns false if a worker died: its result will never come.
    pub(crate) fn take(&self, into: &mut Vec<A>) -> bool {
        let mut done = lock(&self.done);
        std::mem::swap(&mut done.results, into);
        !done.failed
    }

    /// A guard for a worker's life: if the worker panics, dropping it marks the
    /// results failed and rings the loop, which would otherwise wait forever for
    /// a result that will never come.
    pub(crate) fn mourner(&self) -> Mourner<'_, A> {
        Mourner { results: self }
    }

    fn ring(&self) {
        // The eventfd write fails only if the loop's poller is gone, and then no one
        // is left to tell.
        let _ = self.waker.wake();
    }
}

/// See [`Results::mourner`].
pub(crate) struct Mourner<'a, A> {
    results: &'a Results<A>,
}

impl<A> Drop for Mourner<'_, A> {
    fn drop(&mut self) {
        if std::thread::panicking() {
            lock(&self.results.done).failed = true;
            self.results.ring();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_worker_sends_one_result_once_closed() {
        let poll = mio::Poll::new().unwrap();
        let results = Results::new(Waker::new(poll.registry(), mio::Token(0)).unwrap());
        let jobs = Jobs::new();
        std::thread::scope(|s| {
            for _ in 0..3 {
                s.spawn(|| {
                    let _mourner = results.mourner();
                    let mut sum = 0;
                    while let Some(job) = jobs.recv() {
                        sum += job;
                    }
                    results.send(sum);
                });
            }
            for job in 1..=10u64 {
                jobs.send(job);
            }
            jobs.close();
        });
        let mut all = Vec::new();
        assert!(results.take(&mut all));
        // Three workers, three results, whoever did which jobs.
        assert_eq!(all.len(), 3);
        assert_eq!(all.iter().sum::<u64>(), 55);
    }
}
