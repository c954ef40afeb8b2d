//! Step 4 of the tour (`docs/tour.md`): a real `Waker`, and the smallest executor
//! that uses one.
//!
//! The drivers of steps 2 and 3 polled with a no-op waker, and the leaf had to tell
//! them what to wait for. Here the leaf does its own waiting. A `TimerFuture` starts
//! a thread that sleeps, marks the future done, and calls `wake()` on the waker the
//! future left in their shared state: the seeds' `Future.set_result` running its
//! done-callbacks. The executor knows nothing of timers. It holds a channel of tasks
//! that are ready to run, and a task's waker does one thing, send the task down that
//! channel again: the seeds' `call_soon(task.step)`. The executor polls whatever
//! arrives and sleeps in `recv` otherwise, so no task is polled without a wake.
//!
//! This is the timer future and executor of the async book's "Build an Executor"
//! chapter, in std alone: `std::task::Wake` turns an `Arc<Task>` into a `Waker`,
//! where the book uses the futures crate's `ArcWake`. minirt's executor
//! (`crates/minirt/src/rt/executor.rs`) has the same shape, with a reactor and a
//! timer list in place of a thread per timer.
//!
//! Run: `cargo run -p cm-minirt --example 4_waker_executor`

use std::future::Future;
use std::pin::Pin;
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Wake, Waker};
use std::thread;
use std::time::{Duration, Instant};

// ## The leaf: a timer whose thread wakes the task

/// What a `TimerFuture` and its thread share. One lock covers both fields, so the
/// thread cannot mark the timer done between the future's check of `done` and its
/// storing of the waker: no wake is lost.
struct TimerState {
    done: bool,
    /// The waker of the last poll: whom to wake when the time is up.
    waker: Option<Waker>,
}

/// A future that is ready `duration` after it was made.
struct TimerFuture {
    state: Arc<Mutex<TimerState>>,
}

impl TimerFuture {
    fn new(duration: Duration) -> Self {
        let state = Arc::new(Mutex::new(TimerState {
            done: false,
            waker: None,
        }));
        let theirs = Arc::clone(&state);
        thread::spawn(move || {
            thread::sleep(duration);
            let waker = {
                let mut state = theirs.lock().unwrap();
                state.done = true;
                state.waker.take()
            };
            // Woken outside the lock: a wake runs the executor's code, not ours.
            if let Some(waker) = waker {
                waker.wake();
            }
        });
        TimerFuture { state }
    }
}

impl Future for TimerFuture {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let mut state = self.state.lock().unwrap();
        if state.done {
            return Poll::Ready(());
        }
        // The seeds' `future.add_done_callback(task.step)`: leave the waker where
        // the thread will find it. Replaced on every poll, so it is always the
        // waker of the task that polled last.
        state.waker = Some(cx.waker().clone());
        Poll::Pending
    }
}

// ## The executor: a channel of ready tasks

type BoxedFuture = Pin<Box<dyn Future<Output = ()> + Send>>;

/// A spawned future and the way back onto the ready channel: the seeds' `Task`.
struct Task {
    /// `None` once it has finished. Behind a `Mutex` only because a `Waker` must be
    /// `Send + Sync` and this `Task` is what the waker holds; one thread polls it.
    future: Mutex<Option<BoxedFuture>>,
    ready: Sender<Arc<Task>>,
}

impl Wake for Task {
    /// `call_soon(task.step)`: queue the task to be polled again.
    fn wake(self: Arc<Self>) {
        let ready = self.ready.clone();
        // Fails only once the executor has stopped, and then there is no one to run it.
        let _ = ready.send(self);
    }
}

/// Hands new tasks to the executor.
#[derive(Clone)]
struct Spawner {
    ready: Sender<Arc<Task>>,
}

impl Spawner {
    fn spawn(&self, future: impl Future<Output = ()> + Send + 'static) {
        let task = Arc::new(Task {
            future: Mutex::new(Some(Box::pin(future))),
            ready: self.ready.clone(),
        });
        // A new task is ready at once.
        self.ready
            .send(task)
            .expect("the executor outlives the spawner");
    }
}

/// Polls each task that comes down the channel, until no sender is left: the
/// spawner is dropped and every task has finished (a task holds a sender of its
/// own, in itself and so in every waker made from it). Returns the polls it made.
fn run(ready: Receiver<Arc<Task>>) -> usize {
    let mut polls = 0;
    while let Ok(task) = ready.recv() {
        let mut slot = task.future.lock().unwrap();
        // A wake that came after the task finished finds nothing to poll.
        let Some(future) = slot.as_mut() else {
            continue;
        };
        let waker = Waker::from(Arc::clone(&task));
        polls += 1;
        if future
            .as_mut()
            .poll(&mut Context::from_waker(&waker))
            .is_ready()
        {
            // Dropping the finished future drops the wakers and senders it held.
            *slot = None;
        }
    }
    polls
}

fn main() {
    let (ready_tx, ready) = mpsc::channel();
    let spawner = Spawner { ready: ready_tx };
    let start = Instant::now();
    let finished = Arc::new(Mutex::new(Vec::new()));

    for (name, ms) in [("task-1", 200), ("task-2", 100)] {
        let finished = Arc::clone(&finished);
        spawner.spawn(async move {
            println!("{:>8.2?}  {name}: waits {ms} ms", start.elapsed());
            TimerFuture::new(Duration::from_millis(ms)).await;
            println!("{:>8.2?}  {name}: woken by its timer", start.elapsed());
            finished.lock().unwrap().push(name);
        });
    }
    // No more tasks: `run` returns once both have finished.
    drop(spawner);
    let polls = run(ready);

    println!("took {:.2?}", start.elapsed());
    let order = finished.lock().unwrap();
    // The last line is what `tests/examples.rs` checks: the same on every run.
    println!(
        "finished in the order {order:?} after {polls} polls: each task polled once to \
         start and once when its timer woke it"
    );
}
