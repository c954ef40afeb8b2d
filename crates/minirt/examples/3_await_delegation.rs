//! Step 3 of the tour (`docs/tour.md`): `yield from` becomes `.await`.
//!
//! The machines of step 2, written by the compiler: an `async fn` is a function
//! whose body becomes such an enum, and `.await` is the delegation `BigStep` did
//! by hand: poll the inner future, pass `Pending` up, take the value from `Ready`.
//! `small_step` awaits an [`Awaitable`], the seeds' class whose `__await__` yields
//! itself: it is the leaf that says what to wait for. The driver is the seeds'
//! first `Task.run`: poll, and when the chain yields, do the waiting it asked for.
//!
//! Run: `cargo run -p cm-minirt --example 3_await_delegation`

use std::cell::Cell;
use std::future::Future;
use std::pin::{Pin, pin};
use std::task::{Context, Poll, Waker};
use std::thread;
use std::time::{Duration, Instant};

thread_local! {
    static WAIT_FOR: Cell<Option<Duration>> = const { Cell::new(None) };
}

/// The leaf: pending once (handing its duration to the driver), then ready.
struct Awaitable {
    wait: Duration,
    yielded: bool,
}

impl Future for Awaitable {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<()> {
        if self.yielded {
            return Poll::Ready(());
        }
        self.yielded = true;
        WAIT_FOR.set(Some(self.wait));
        Poll::Pending
    }
}

async fn small_step() -> u32 {
    println!("    small step: begin");
    let started = Instant::now();
    Awaitable {
        wait: Duration::from_millis(300),
        yielded: false,
    }
    .await;
    assert!(
        started.elapsed() >= Duration::from_millis(300),
        "the driver really waited"
    );
    println!("    small step: end");
    1
}

async fn big_step() -> u32 {
    println!("  big step: begin");
    let small = small_step().await; // yield from small_step()
    println!("  big step: end");
    small + 1
}

async fn main_task() -> u32 {
    println!("main task: begin");
    let big = big_step().await;
    println!("main task: end");
    big
}

/// The seeds' first `Task.run`: send (poll) until StopIteration (Ready).
fn run<F: Future>(future: F) -> F::Output {
    // Pinned before the first poll: the compiler's enum may point into itself once
    // it has run (the tour's Pin sidebar), so from here on it must not move.
    let mut future = pin!(future);
    let mut cx = Context::from_waker(Waker::noop());
    loop {
        match future.as_mut().poll(&mut cx) {
            Poll::Ready(value) => return value,
            Poll::Pending => {
                let wait = WAIT_FOR.take().expect("the leaf says what it waits for");
                println!("-- the chain yielded up to the driver: wait {wait:?}");
                thread::sleep(wait);
            }
        }
    }
}

fn main() {
    let future = main_task();
    // Creating the future ran nothing, like calling a generator function.
    println!(
        "main_task() made a future of {} bytes; nothing has run yet",
        std::mem::size_of_val(&future)
    );
    let result = run(future);
    println!("result {result} (the Ready value, as StopIteration.value)");
}
