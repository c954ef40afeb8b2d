//! The worker pool that runs CPU work off the loop, as libuv's `uv_queue_work` does:
//! the loop submits work, pool threads run it, and the results come back to the
//! loop, whose thread is the only one that ever sees the program's state.
//!
//! Two queues, each a `Mutex` over a plain collection, are the whole contract:
//! `todo` (the loop pushes, workers wait on a `Condvar` and pop) and `done` (workers
//! push, the loop drains). [`Pool::submit`] is libuv's `post`: lock, push one item,
//! signal the condvar only if a worker is idle (a notify is a `futex` system call
//! even when nobody waits), unlock. Each worker folds the items it runs into its
//! own accumulator and, once the pool is closed and `todo` is empty, posts that one
//! accumulator to `done`: one result per worker, as the fanout protocol asks.
//!
//! A worker tells the loop about its result through a `mio::Waker`, which on Linux
//! is a write to an eventfd the loop's `epoll` watches: a system call, and a
//! wake-up of the loop thread if it sleeps. So the waker is rung only when `done`
//! goes from empty to non-empty; results that land while the loop has not drained
//! yet ride along with the wake-up already on its way. This is the coalescing
//! `uv_async_send` promises ("calls may be coalesced").

use std::collections::VecDeque;
use std::sync::{Condvar, Mutex, MutexGuard, PoisonError};

/// Work waiting for a worker, and whether more can come.
#[derive(Debug)]
struct Todo<T> {
    items: VecDeque<T>,
    /// Workers waiting on the condvar: only they need a (system-call) notify.
    sleeping: usize,
    closed: bool,
}

/// A pool's shared queues; the threads that run [`Pool::work`] are its workers.
/// `A` is what one worker accumulates; `job` folds one item into it.
#[derive(Debug)]
pub(crate) struct Pool<T, A> {
    job: fn(&mut A, T),
    todo: Mutex<Todo<T>>,
    work_to_do: Condvar,
    done: Mutex<Done<A>>,
}

/// Results waiting for the loop, and whether a worker gave up.
#[derive(Debug)]
struct Done<A> {
    results: Vec<A>,
    failed: bool,
}

/// Locks `m`, ignoring poison: the queues stay consistent whatever panicked, and a
/// worker's panic surfaces as `failed` and when it is joined.
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl<T, A: Default> Pool<T, A> {
    /// A pool whose workers will fold each submitted item into their own `A`.
    pub(crate) fn new(job: fn(&mut A, T)) -> Self {
        Self {
            job,
            todo: Mutex::new(Todo {
                items: VecDeque::new(),
                sleeping: 0,
                closed: false,
            }),
            work_to_do: Condvar::new(),
            done: Mutex::new(Done {
                results: Vec::new(),
                failed: false,
            }),
        }
    }

    /// Queues one item for the workers (never waits for room), waking one only if
    /// one is asleep: busy workers will find the item when they come back.
    pub(crate) fn submit(&self, item: T) {
        let mut todo = lock(&self.todo);
        todo.items.push_back(item);
        let wake = todo.sleeping > 0;
        drop(todo);
        if wake {
            self.work_to_do.notify_one();
        }
    }

    /// Moves every result so far into `into` (which the caller has emptied).
    /// Returns false if a worker died: its result will never come.
    pub(crate) fn take_results(&self, into: &mut Vec<A>) -> bool {
        let mut done = lock(&self.done);
        std::mem::swap(&mut done.results, into);
        !done.failed
    }

    /// No more items: each worker posts its result once the queue is empty.
    pub(crate) fn close(&self) {
        lock(&self.todo).closed = true;
        self.work_to_do.notify_all();
    }

    /// A worker's life: take an item and fold it in, until the pool is closed and
    /// empty; then post the accumulator, ringing `wake` if the loop had nothing
    /// to drain.
    pub(crate) fn work(&self, wake: &mio::Waker) {
        // If the job panics, the loop must still hear that a result will never
        // come, or it would wait for it forever.
        let guard = Mourner { pool: self, wake };
        let mut acc = A::default();
        while let Some(item) = self.next_item() {
            (self.job)(&mut acc, item);
        }
        let mut done = lock(&self.done);
        let first = done.results.is_empty();
        done.results.push(acc);
        drop(done);
        if first {
            guard.ring();
        }
    }

    /// The next item, sleeping until there is one; `None` once closed and empty.
    fn next_item(&self) -> Option<T> {
        let mut todo = lock(&self.todo);
        loop {
            if let Some(item) = todo.items.pop_front() {
                return Some(item);
            }
            if todo.closed {
                return None;
            }
            todo.sleeping += 1;
            todo = self
                .work_to_do
                .wait(todo)
                .unwrap_or_else(PoisonError::into_inner);
            todo.sleeping -= 1;
        }
    }
}

/// Rings the loop when dropped by a panicking worker, after marking the pool failed.
struct Mourner<'a, T, A> {
    pool: &'a Pool<T, A>,
    wake: &'a mio::Waker,
}

impl<T, A> Mourner<'_, T, A> {
    fn ring(&self) {
        // The eventfd write fails only if the loop's poller is gone, and then no one
        // is left to tell.
        let _ = self.wake.wake();
    }
}

impl<T, A> Drop for Mourner<'_, T, A> {
    fn drop(&mut self) {
        if std::thread::panicking() {
            lock(&self.pool.done).failed = true;
            self.ring();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn add(acc: &mut u64, item: u64) {
        *acc += item;
    }

    #[test]
    fn every_worker_posts_one_result_once_closed() {
        let poll = mio::Poll::new().unwrap();
        let waker = mio::Waker::new(poll.registry(), mio::Token(0)).unwrap();
        let pool = Pool::new(add);
        std::thread::scope(|s| {
            for _ in 0..3 {
                s.spawn(|| pool.work(&waker));
            }
            for item in 1..=10 {
                pool.submit(item);
            }
            pool.close();
        });
        let mut results = Vec::new();
        assert!(pool.take_results(&mut results));
        // Three workers, three results, whoever did which items.
        assert_eq!(results.len(), 3);
        assert_eq!(results.iter().sum::<u64>(), 55);
    }
}
