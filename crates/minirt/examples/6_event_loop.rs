//! Step 6 of the tour (`docs/tour.md`): the event loop, with several tasks
//! interleaving.
//!
//! The seeds' `EventLoop` keeps a ready deque (`call_soon`) and a heap of deadlines
//! (`call_later`); a `Task` steps its coroutine and, when it yields a `Future`,
//! registers its own `step` as that future's done-callback. minirt is that loop:
//! `spawn` is `call_soon(task.step)`, `sleep` is `call_later` plus a future, and
//! the callback a future runs on completion is the task's `Waker`.
//!
//! Three tasks each run the step chain with a different wait, interleaving on one
//! thread; the first to finish its wait ends first. A fourth waits on a result that
//! a plain OS thread produces (the seeds' `fake_io_read`, a thread that calls
//! `set_result`): its `wake()` crosses threads to the loop.
//!
//! Run: `cargo run -p cm-minirt --example 6_event_loop`

use std::cell::RefCell;
use std::rc::Rc;
use std::thread;
use std::time::{Duration, Instant};

use cm_minirt::rt::{Runtime, sleep, spawn, thread_channel};

async fn small_step(name: &str, wait_ms: u64, start: Instant) -> u64 {
    println!(
        "{:>7.1?}  {name}: small step waits {wait_ms} ms",
        start.elapsed()
    );
    sleep(Duration::from_millis(wait_ms)).await; // call_later(wait, task.step)
    println!("{:>7.1?}  {name}: small step resumes", start.elapsed());
    wait_ms
}

async fn main_task(
    name: &'static str,
    wait_ms: u64,
    start: Instant,
    finished: Rc<RefCell<Vec<&'static str>>>,
) -> u64 {
    let waited = small_step(name, wait_ms, start).await;
    println!("{:>7.1?}  {name}: done", start.elapsed());
    finished.borrow_mut().push(name);
    waited
}

fn main() -> std::io::Result<()> {
    let rt = Runtime::new()?;
    let start = Instant::now();
    rt.block_on(async move {
        // Tasks are `!Send` and all run on this thread, so an `Rc<RefCell>` will do.
        let finished = Rc::new(RefCell::new(Vec::new()));
        // call_soon three times: all start before any of them finishes.
        let tasks = [("task-1", 300), ("task-2", 100), ("task-3", 200)]
            .map(|(name, ms)| spawn(main_task(name, ms, start, Rc::clone(&finished))));

        // A "Future" completed by another thread, like the seeds' fake_io_read.
        let (set_result, mut result) = thread_channel::channel::<u64>();
        let io_thread = thread::spawn(move || {
            thread::sleep(Duration::from_millis(150));
            // The loop is parked in epoll_wait; this wake() pokes it.
            let _ = set_result.send(42);
        });
        let io = spawn(async move {
            let value = result.recv().await;
            println!(
                "{:>7.1?}  io-task: the thread set the result {value:?}",
                start.elapsed()
            );
            value
        });

        let mut total = 0;
        for task in tasks {
            total += task.await.expect("the tasks do not panic");
        }
        let value = io.await.expect("the io task does not panic");
        io_thread.join().expect("the io thread does not panic");
        let took = start.elapsed();
        println!("waits of {total} ms in all took {took:.2?}: they overlapped on one thread");
        // The last line is what `tests/examples.rs` checks: the same on every run.
        let overlapped = if took < Duration::from_millis(total) {
            "under"
        } else {
            "NOT under"
        };
        println!(
            "finished in the order {:?}, the thread's result {value:?}; {total} ms of waits \
             took {overlapped} {total} ms",
            finished.borrow()
        );
    });
    Ok(())
}
