//! The worker pool that runs CPU work off the loop, as libuv's `uv_queue_work` does:
//! the loop submits work, pool threads run it, and the results come back to the
//! loop, whose thread is the only one that ever sees the program's state.
//!
//! Two queues, each a `Mutex` over a plain collection, are the whole contract:
//! `todo` (the loop pushes, workers wait on a `Condvar` and pop) and `done` (workers
//! push, the loop drains). A worker tells the loop about results through a
//! `mio::Waker`, which on Linux is a write to an eventfd the loop's `epoll` watches:
//! a system call, and a wake-up of the loop thread if it sleeps. So the waker is
//! rung only when `done` goes from empty to non-empty; results that land while the
//! loop has not drained yet ride along with the wake-up already on its way. This is
//! the coalescing `uv_async_send` promises ("calls may be coalesced"), and it turns
//! one system call per result into one per batch the loop drains.

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
#[derive(Debug)]
pub(crate) struct Pool<T, R> {
    job: fn(T) -> R,
    todo: Mutex<Todo<T>>,
    work_to_do: Condvar,
    done: Mutex<Done<R>>,
}

/// Results waiting for the loop, and whether a worker gave up.
#[derive(Debug)]
struct Done<R> {
    results: Vec<R>,
    failed: bool,
}

/// Locks `m`, ignoring poison: the queues stay consistent whatever panicked, and a
/// worker's panic surfaces as `failed` and when it is joined.
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl<T, R> Pool<T, R> {
    /// A pool whose workers will run `job` on each submitted item.
    pub(crate) fn new(job: fn(T) -> R) -> Self {
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

    /// Queues `items` for the workers (one lock for the whole batch), waking only
    /// as many sleeping workers as there are new items: a notify is a `futex`
    /// system call even when nobody waits, and busy workers will find the items.
    pub(crate) fn submit(&self, items: impl IntoIterator<Item = T>) {
        let mut todo = lock(&self.todo);
        let before = todo.items.len();
        todo.items.extend(items);
        let wake = (todo.items.len() - before).min(todo.sleeping);
        drop(todo);
        for _ in 0..wake {
            self.work_to_do.notify_one();
        }
    }

    /// Moves every result so far into `into` (which the caller has emptied), so the
    /// two vectors trade buffers and neither side allocates once both have grown.
    /// Returns false if a worker died: some results will never come.
    pub(crate) fn take_results(&self, into: &mut Vec<R>) -> bool {
        let mut done = lock(&self.done);
        std::mem::swap(&mut done.results, into);
        !done.failed
    }

    /// Lets the workers return once the queue is empty.
    pub(crate) fn close(&self) {
        lock(&self.todo).closed = true;
        self.work_to_do.notify_all();
    }

    /// A worker's life: take an item, run the job, hand back the result, ringing
    /// `wake` only if the loop had nothing to drain, until the pool is closed.
    pub(crate) fn work(&self, wake: &mio::Waker) {
        // If the job panics, the loop must still hear that a result will never
        // come, or it would wait for it forever.
        let guard = Mourner { pool: self, wake };
        loop {
            let mut todo = lock(&self.todo);
            let item = loop {
                if let Some(item) = todo.items.pop_front() {
                    break item;
                }
                if todo.closed {
                    return;
                }
                todo.sleeping += 1;
                todo = self
                    .work_to_do
                    .wait(todo)
                    .unwrap_or_else(PoisonError::into_inner);
                todo.sleeping -= 1;
            };
            drop(todo);
            let result = (self.job)(item);
            let mut done = lock(&self.done);
            let first = done.results.is_empty();
            done.results.push(result);
            drop(done);
            if first {
                guard.ring();
            }
        }
    }
}

/// Rings the loop when dropped by a panicking worker, after marking the pool failed.
struct Mourner<'a, T, R> {
    pool: &'a Pool<T, R>,
    wake: &'a mio::Waker,
}

impl<T, R> Mourner<'_, T, R> {
    fn ring(&self) {
        // The eventfd write fails only if the loop's poller is gone, and then no one
        // is left to tell.
        let _ = self.wake.wake();
    }
}

impl<T, R> Drop for Mourner<'_, T, R> {
    fn drop(&mut self) {
        if std::thread::panicking() {
            lock(&self.pool.done).failed = true;
            self.ring();
        }
    }
}
