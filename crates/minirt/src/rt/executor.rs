//! The executor: the seeds' `EventLoop` (a ready queue, `call_soon`, `run_once`) and
//! `Task` (a coroutine plus the means to resume it), with `Future::poll` for `send`.
//!
//! A task is a pinned, boxed future and the `Waker` that puts it back on the ready
//! queue. In the seeds, `Task.step` sends into the coroutine and, when it yields a
//! `Future`, calls `future.add_done_callback(self.step)`. Here `poll` is the `send`,
//! `Poll::Pending` is the `yield`, and instead of handing each future a callback,
//! the task hands it a `Waker` (inside the `Context`); whoever completes the thing
//! waited on calls `wake()`, which is `call_soon(task.step)`.
//!
//! The loop, once per turn (the seeds' `run_once`):
//! 1. poll up to [`BUDGET`] tasks from the ready queue;
//! 2. ask the reactor for I/O events, parking in `epoll_wait` until the next timer
//!    is due if nothing is ready (the selector loop);
//! 3. pick up wakes from other threads, and fire due timers (`call_later`).
//!
//! What tokio does differently, and why this does not: its multi-thread scheduler
//! gives each worker thread a local queue and lets idle workers steal from busy
//! ones, which needs tasks to be `Send` and lock-free queues; one thread needs none
//! of that. Its tasks are one allocation with an intrusive header and a hand-written
//! `RawWaker` (unsafe code) and a "LIFO slot" that runs a just-woken task next; here
//! a task is a few safe allocations and the queue is plain FIFO. It also gives each
//! task a cooperative budget so one busy task yields to I/O; here only the loop's
//! [`BUDGET`] bounds a turn, so a task that never awaits anything pending starves
//! the rest.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::future::{Future, poll_fn};
use std::io;
use std::pin::{Pin, pin};
use std::rc::Rc;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll, Wake, Waker};
use std::time::{Duration, Instant};

use super::join::{self, JoinHandle};
use super::reactor::Reactor;
use super::remote::Inbox;
use super::timer::Timers;

/// Tasks polled per turn before the loop looks at I/O, timers and other threads
/// again: enough to amortise the `epoll_wait`, few enough that I/O is not starved.
/// (tokio's `event_interval` is 61 too.)
const BUDGET: usize = 61;

/// The id of the future given to `block_on`: polled from the loop like a task, but
/// it lives on `block_on`'s stack instead of in the task list.
const MAIN: usize = usize::MAX;

thread_local! {
    /// The runtime running on this thread, inside `block_on`.
    static CURRENT: RefCell<Option<Rc<Core>>> = const { RefCell::new(None) };
}

/// The runtime running on this thread. Panics outside [`Runtime::block_on`], as
/// `asyncio.get_running_loop()` raises outside a running loop.
pub(crate) fn current() -> Rc<Core> {
    CURRENT
        .with(|c| c.borrow().clone())
        .expect("minirt: spawn, sleep and TcpStream work only inside Runtime::block_on")
}

/// A spawned task: the seeds' `Task`, a coroutine and what resumes it.
struct Task {
    future: Pin<Box<dyn Future<Output = ()>>>,
    /// Made once at spawn and lent to every poll, so polling clones nothing.
    waker: Waker,
    wake: Arc<TaskWaker>,
}

/// What a task's `Waker` points at: which task to queue, and where. It holds the
/// task's index rather than the task, because a `Waker` must be `Send` and a task,
/// which may hold `Rc`s, is not.
#[derive(Debug)]
struct TaskWaker {
    id: usize,
    /// True while the task sits on a ready queue: a second wake then does nothing,
    /// so the queue never holds a task twice.
    queued: AtomicBool,
    shared: Arc<Shared>,
}

impl Wake for TaskWaker {
    // Only `wake` is written: the default `wake_by_ref` clones the `Arc` and calls
    // it. Every waker in minirt is taken out before it is woken, so owned wakes are
    // the hot path.
    fn wake(self: Arc<Self>) {
        if self.queued.swap(true, Ordering::AcqRel) {
            return;
        }
        // On the loop's own thread: straight onto the ready queue, no lock. `try_with`
        // because a waker may be dropped while this thread's locals are torn down.
        let local = CURRENT
            .try_with(|c| match &*c.borrow() {
                Some(core) if Arc::ptr_eq(&core.shared, &self.shared) => {
                    core.ready.borrow_mut().push_back(self.id);
                    true
                }
                _ => false,
            })
            .unwrap_or(false);
        if !local && self.shared.inbox.push(self.id) {
            // Fails only if the runtime is gone, and its tasks with it.
            let _ = self.shared.poke.wake();
        }
    }
}

/// The part of a runtime that wakers on other threads reach.
#[derive(Debug)]
struct Shared {
    inbox: Inbox<usize>,
    /// Makes a parked `epoll_wait` return.
    poke: mio::Waker,
}

/// One runtime's state, shared by the loop and the tasks' handles on this thread.
pub(crate) struct Core {
    /// The task list, by id. `None` where a task has finished (its id then waits
    /// in `free` for the next spawn) and while a task is being polled.
    tasks: RefCell<Vec<Option<Task>>>,
    free: RefCell<Vec<usize>>,
    ready: RefCell<VecDeque<usize>>,
    /// Tasks that yielded: woken at the end of the next turn (`yield_now`).
    deferred: RefCell<Vec<Waker>>,
    shared: Arc<Shared>,
    pub(crate) timers: Rc<RefCell<Timers>>,
    pub(crate) reactor: Rc<RefCell<Reactor>>,
}

impl Core {
    /// A waker that queues task `id`, born queued (a new task is queued at once).
    fn waker(&self, id: usize) -> (Arc<TaskWaker>, Waker) {
        let wake = Arc::new(TaskWaker {
            id,
            queued: AtomicBool::new(true),
            shared: Arc::clone(&self.shared),
        });
        (Arc::clone(&wake), Waker::from(wake))
    }

    /// `call_soon(task.step)` for a new task. Returns its id.
    fn spawn(&self, future: Pin<Box<dyn Future<Output = ()>>>) -> usize {
        let mut tasks = self.tasks.borrow_mut();
        let id = self.free.borrow_mut().pop().unwrap_or(tasks.len());
        let (wake, waker) = self.waker(id);
        let task = Some(Task {
            future,
            waker,
            wake,
        });
        match tasks.get_mut(id) {
            Some(slot) => *slot = task,
            None => tasks.push(task),
        }
        drop(tasks);
        self.ready.borrow_mut().push_back(id);
        id
    }

    /// Queues task `id` as its own waker would (for `JoinHandle::abort`); does
    /// nothing if no task has that id. An id reused by a newer task gets one poll
    /// for nothing, which every future allows (see `poll_task`).
    pub(crate) fn wake_task(&self, id: usize) {
        // The wake touches only the ready queue, so the list may stay borrowed.
        if let Some(Some(task)) = self.tasks.borrow().get(id) {
            task.waker.wake_by_ref();
        }
    }

    /// `Task.step`: resume the task once. The task is taken out of the list while
    /// it runs, so it may spawn (and so grow the list) without a borrow conflict.
    ///
    /// A wake that comes after its task finished finds the slot empty and does
    /// nothing, or finds a newer task that reused the id and polls it once for no
    /// reason. That is allowed: every future must cope with a poll when it is not
    /// ready (`join!` polls all its branches when any one wakes), and accepting it
    /// spares each id a generation count.
    fn poll_task(&self, id: usize) {
        let taken = self.tasks.borrow_mut().get_mut(id).and_then(Option::take);
        let Some(mut task) = taken else { return };
        // Cleared before the poll, so a wake during the poll queues it again.
        task.wake.queued.store(false, Ordering::Release);
        let mut cx = Context::from_waker(&task.waker);
        if task.future.as_mut().poll(&mut cx).is_pending() {
            self.tasks.borrow_mut()[id] = Some(task);
        } else {
            self.free.borrow_mut().push(id);
            // Dropped outside any borrow: its drop may wake or deregister things.
            drop(task);
        }
    }

    /// Everything but running tasks: I/O, other threads, timers. Parks in the
    /// reactor when nothing is ready, until the next timer is due or an event comes.
    fn turn(&self) {
        let timeout = if self.ready.borrow().is_empty() && self.deferred.borrow().is_empty() {
            self.timers.borrow().next_timeout(Instant::now())
        } else {
            Some(Duration::ZERO)
        };
        // Woken once the reactor is no longer borrowed: a waker may drop a socket,
        // which deregisters it.
        let mut woken = Vec::new();
        self.reactor.borrow_mut().poll(timeout, &mut woken);
        woken.into_iter().for_each(Waker::wake);
        self.shared.inbox.drain(&mut *self.ready.borrow_mut());
        let now = Instant::now();
        // One at a time, each taken out in a statement of its own, so no borrow of
        // the timers is held while a waker runs (a waker may file or cancel a timer).
        // Not `while let Some(w) = self.timers.borrow_mut().pop_due(now)`: the
        // temporaries of a `while let` scrutinee, that `RefMut` among them, live to
        // the end of the loop body.
        loop {
            let due = self.timers.borrow_mut().pop_due(now);
            let Some(waker) = due else { break };
            waker.wake();
        }
        // Last, so the tasks the timers and I/O woke run before those that yielded.
        self.deferred.take().into_iter().for_each(Waker::wake);
    }
}

/// A single-threaded runtime: an executor, timers and a reactor.
///
/// Dropping it drops every unfinished task, as dropping a tokio runtime does: only
/// the `Runtime` keeps its `Core` (sockets and sleeps keep just the reactor or the
/// timers), so the `Core` and its task list go with it.
pub struct Runtime {
    core: Rc<Core>,
}

impl std::fmt::Debug for Runtime {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Runtime {{ live_tasks: {} }}", self.live_tasks())
    }
}

impl Runtime {
    /// A runtime with its own `epoll` instance. Fails if the process is out of
    /// file descriptors.
    pub fn new() -> io::Result<Self> {
        let (reactor, poke) = Reactor::new()?;
        let core = Core {
            tasks: RefCell::default(),
            free: RefCell::default(),
            ready: RefCell::default(),
            deferred: RefCell::default(),
            shared: Arc::new(Shared {
                inbox: Inbox::new(),
                poke,
            }),
            timers: Rc::default(),
            reactor: Rc::new(RefCell::new(reactor)),
        };
        Ok(Self {
            core: Rc::new(core),
        })
    }

    /// Runs `future` to completion on this thread, with every task it spawns:
    /// `loop.run_until_complete`. Tasks still running when it returns stay in the
    /// runtime until the next `block_on` or until the runtime is dropped.
    pub fn block_on<F: Future>(&self, future: F) -> F::Output {
        let _enter = Enter::new(&self.core);
        let core = &*self.core;
        let mut future = pin!(future);
        let (main, main_waker) = core.waker(MAIN);
        core.ready.borrow_mut().push_back(MAIN);
        loop {
            for _ in 0..BUDGET {
                let Some(id) = core.ready.borrow_mut().pop_front() else {
                    break;
                };
                if id != MAIN {
                    core.poll_task(id);
                    continue;
                }
                main.queued.store(false, Ordering::Release);
                if let Poll::Ready(out) =
                    future.as_mut().poll(&mut Context::from_waker(&main_waker))
                {
                    return out;
                }
            }
            core.turn();
        }
    }

    /// Tasks spawned and not yet finished: every id not on the free list.
    pub fn live_tasks(&self) -> usize {
        self.core.tasks.borrow().len() - self.core.free.borrow().len()
    }
}

/// Marks this thread as running `core` for as long as `block_on` runs (panics
/// included).
struct Enter;

impl Enter {
    fn new(core: &Rc<Core>) -> Self {
        // A nested `block_on` would stall the loop that runs it. Checked before
        // setting, so a failed check leaves the outer loop's entry in place.
        let nested = CURRENT.with_borrow(Option::is_some);
        assert!(!nested, "minirt: block_on inside block_on");
        CURRENT.set(Some(Rc::clone(core)));
        Enter
    }
}

impl Drop for Enter {
    fn drop(&mut self) {
        // Taken out first, so the `Core` is dropped outside the thread-local's borrow.
        drop(CURRENT.take());
    }
}

/// Starts `future` as a new task on the running runtime and returns a handle to
/// await its output: `loop.create_task(coro)`. Panics outside `block_on`.
pub fn spawn<F>(future: F) -> JoinHandle<F::Output>
where
    F: Future + 'static,
    F::Output: 'static,
{
    let (task, mut handle) = join::task(future);
    handle.id = current().spawn(Box::pin(task));
    handle
}

/// Lets every other task, and the timers and I/O, have a turn before this one goes
/// on: asyncio's `await sleep(0)`. The task wakes itself, but the wake is held in
/// `deferred` until the loop has looked at I/O and timers once more, as tokio's
/// `yield_now` does (`context::defer`): woken straight onto the ready queue, a
/// task that yields in a loop would keep the queue from ever running dry, and a
/// due timer would wait for a whole `BUDGET` of its polls.
pub async fn yield_now() {
    let mut yielded = false;
    poll_fn(|cx| {
        if std::mem::replace(&mut yielded, true) {
            return Poll::Ready(());
        }
        current().deferred.borrow_mut().push(cx.waker().clone());
        Poll::Pending
    })
    .await;
}
