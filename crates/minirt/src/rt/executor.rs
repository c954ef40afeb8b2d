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
use std::future::Future;
use std::io;
use std::pin::{Pin, pin};
use std::rc::Rc;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll, Wake, Waker};
use std::time::{Duration, Instant};

use super::join::{self, JoinHandle};
use super::reactor::{Reactor, WAKE_TOKEN};
use super::remote::Inbox;
use super::timer::Timers;

/// Tasks polled per turn before the loop looks at I/O, timers and other threads
/// again: enough to amortise the `epoll_wait`, few enough that I/O is not starved.
/// (tokio's `event_interval` is 61 too.)
const BUDGET: usize = 61;

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

/// Names a task: its slot in the task list and which occupant of the slot it is, so
/// a late wake for a finished task never polls the task that reused its slot.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct TaskId {
    index: u32,
    generation: u32,
}

/// The future given to `block_on`: polled from the loop like a task, but it lives
/// on `block_on`'s stack instead of in the task list.
const MAIN: TaskId = TaskId {
    index: u32::MAX,
    generation: 0,
};

/// A spawned task: the seeds' `Task`, a coroutine and what resumes it.
struct Task {
    future: Pin<Box<dyn Future<Output = ()>>>,
    /// Made once at spawn and lent to every poll, so polling clones nothing.
    waker: Waker,
    wake: Arc<TaskWaker>,
}

/// What a task's `Waker` points at: which task to queue, and where.
#[derive(Debug)]
struct TaskWaker {
    id: TaskId,
    /// True while the task sits on a ready queue: a second wake then does nothing,
    /// so the queue never holds a task twice.
    queued: AtomicBool,
    shared: Arc<Shared>,
}

impl Wake for TaskWaker {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
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
    inbox: Inbox<TaskId>,
    /// Makes a parked `epoll_wait` return.
    poke: mio::Waker,
}

/// The task list: slots reused through a free list.
#[derive(Default)]
struct TaskList {
    slots: Vec<Slot>,
    free: Vec<u32>,
    live: usize,
}

#[derive(Default)]
struct Slot {
    generation: u32,
    /// `None` while vacant, and while the task is being polled.
    task: Option<Task>,
}

/// One runtime's state, shared by the loop and the tasks' handles on this thread.
pub(crate) struct Core {
    tasks: RefCell<TaskList>,
    ready: RefCell<VecDeque<TaskId>>,
    shared: Arc<Shared>,
    pub(crate) timers: RefCell<Timers>,
    pub(crate) reactor: RefCell<Reactor>,
}

impl Core {
    /// `call_soon(task.step)` for a new task.
    fn spawn(&self, future: Pin<Box<dyn Future<Output = ()>>>) {
        let mut tasks = self.tasks.borrow_mut();
        let index = match tasks.free.pop() {
            Some(index) => index,
            None => {
                tasks.slots.push(Slot::default());
                u32::try_from(tasks.slots.len() - 1)
                    .ok()
                    .filter(|&i| i != MAIN.index)
                    .expect("minirt holds fewer than 2^32 - 1 live tasks")
            }
        };
        let slot = &mut tasks.slots[index as usize];
        let id = TaskId {
            index,
            generation: slot.generation,
        };
        let wake = Arc::new(TaskWaker {
            id,
            queued: AtomicBool::new(true),
            shared: Arc::clone(&self.shared),
        });
        let waker = Waker::from(Arc::clone(&wake));
        slot.task = Some(Task {
            future,
            waker,
            wake,
        });
        tasks.live += 1;
        drop(tasks);
        self.ready.borrow_mut().push_back(id);
    }

    /// `Task.step`: resume the task once. The task is taken out of its slot while it
    /// runs, so it may spawn (and so grow the list) without a borrow conflict.
    fn poll_task(&self, id: TaskId) {
        let taken = match self.tasks.borrow_mut().slots.get_mut(id.index as usize) {
            Some(slot) if slot.generation == id.generation => slot.task.take(),
            _ => None,
        };
        // A wake that arrived after the task finished: nothing to run.
        let Some(mut task) = taken else { return };
        // Cleared before the poll, so a wake during the poll queues it again.
        task.wake.queued.store(false, Ordering::Release);
        let mut cx = Context::from_waker(&task.waker);
        let done = task.future.as_mut().poll(&mut cx).is_ready();
        let mut tasks = self.tasks.borrow_mut();
        if done {
            let slot = &mut tasks.slots[id.index as usize];
            slot.generation = slot.generation.wrapping_add(1);
            tasks.free.push(id.index);
            tasks.live -= 1;
            drop(tasks);
            // Dropped outside the borrow: its drop may wake or deregister things.
            drop(task);
        } else {
            tasks.slots[id.index as usize].task = Some(task);
        }
    }

    fn pop_ready(&self) -> Option<TaskId> {
        self.ready.borrow_mut().pop_front()
    }

    /// Everything but running tasks: I/O, other threads, timers. Parks in the
    /// reactor when nothing is ready, until the next timer is due or an event comes.
    fn turn(&self) {
        let timeout = if self.ready.borrow().is_empty() {
            self.timers.borrow_mut().next_timeout(Instant::now())
        } else {
            Some(Duration::ZERO)
        };
        self.reactor.borrow_mut().poll(timeout);
        self.shared.inbox.drain(&mut *self.ready.borrow_mut());
        let now = Instant::now();
        // One at a time, so no borrow of the timers is held while a waker runs.
        while let Some(waker) = self.timers.borrow_mut().pop_due(now) {
            waker.wake();
        }
    }
}

/// A single-threaded runtime: an executor, a timer heap and a reactor.
pub struct Runtime {
    core: Rc<Core>,
}

impl std::fmt::Debug for Runtime {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Runtime")
            .field("live_tasks", &self.live_tasks())
            .finish()
    }
}

impl Runtime {
    /// A runtime with its own `epoll` instance. Fails if the process is out of
    /// file descriptors.
    pub fn new() -> io::Result<Self> {
        let reactor = Reactor::new()?;
        let poke = mio::Waker::new(reactor.registry(), WAKE_TOKEN)?;
        let shared = Arc::new(Shared {
            inbox: Inbox::new(),
            poke,
        });
        Ok(Self {
            core: Rc::new(Core {
                tasks: RefCell::default(),
                ready: RefCell::default(),
                shared,
                timers: RefCell::default(),
                reactor: RefCell::new(reactor),
            }),
        })
    }

    /// Runs `future` to completion on this thread, with every task it spawns:
    /// `loop.run_until_complete`. Tasks still running when it returns stay in the
    /// runtime until the next `block_on` or until the runtime is dropped.
    pub fn block_on<F: Future>(&self, future: F) -> F::Output {
        let _enter = Enter::new(&self.core);
        let core = &*self.core;
        let mut future = pin!(future);
        let main = Arc::new(TaskWaker {
            id: MAIN,
            queued: AtomicBool::new(true),
            shared: Arc::clone(&core.shared),
        });
        let main_waker = Waker::from(Arc::clone(&main));
        core.ready.borrow_mut().push_back(MAIN);
        loop {
            for _ in 0..BUDGET {
                let Some(id) = core.pop_ready() else { break };
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

    /// Tasks spawned and not yet finished.
    pub fn live_tasks(&self) -> usize {
        self.core.tasks.borrow().live
    }
}

impl Drop for Runtime {
    /// Drops every unfinished task, as dropping a tokio runtime does. This also
    /// breaks the cycle runtime -> task -> socket -> runtime.
    fn drop(&mut self) {
        let slots = std::mem::take(&mut self.core.tasks.borrow_mut().slots);
        drop(slots);
    }
}

/// Marks this thread as running `core` for as long as `block_on` runs (panics
/// included).
struct Enter;

impl Enter {
    fn new(core: &Rc<Core>) -> Self {
        CURRENT.with(|c| {
            let mut current = c.borrow_mut();
            assert!(
                current.is_none(),
                "minirt: block_on inside block_on would block the running loop"
            );
            *current = Some(Rc::clone(core));
        });
        Enter
    }
}

impl Drop for Enter {
    fn drop(&mut self) {
        let core = CURRENT.with(|c| c.borrow_mut().take());
        drop(core);
    }
}

/// Starts `future` as a new task on the running runtime and returns a handle to
/// await its output: `loop.create_task(coro)`. Panics outside `block_on`.
pub fn spawn<F>(future: F) -> JoinHandle<F::Output>
where
    F: Future + 'static,
    F::Output: 'static,
{
    let (task, handle) = join::task(future);
    current().spawn(Box::pin(task));
    handle
}
