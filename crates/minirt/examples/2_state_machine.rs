//! Step 2 of the tour (`docs/tour.md`): the same chain as hand-written state
//! machines, polled by hand.
//!
//! A generator keeps its frame alive between `next()` calls; in Rust we can write
//! that frame ourselves: an enum with one variant per place the function can be
//! suspended, holding the locals that live across it. `poll` is `send(None)`: it
//! runs the machine to its next suspension point and returns `Poll::Pending` (the
//! `yield`) or `Poll::Ready(value)` (`StopIteration.value`).
//!
//! `SmallStep` cannot wait itself, so, like the seeds' `yield time.sleep, 3`, it
//! hands the wait up: it records *what* it waits for (a deadline) and returns
//! Pending; `BigStep` passes the Pending on; the driver loop at the top does the
//! waiting and polls again. Two chains now share one thread: 300 ms, not 600 ms.
//!
//! Run: `cargo run -p cm-minirt --example 2_state_machine`

use std::cell::Cell;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, Waker};
use std::thread;
use std::time::{Duration, Instant};

thread_local! {
    /// What the innermost machine waits for, handed up to the driver: the seeds'
    /// `(time.sleep, 3)` yielded to the top.
    static WAIT_UNTIL: Cell<Option<Instant>> = const { Cell::new(None) };
}

/// `small_step` as a machine: `Start` -> `Waiting(deadline)` -> done.
enum SmallStep {
    Start,
    Waiting(Instant),
    Done,
}

impl Future for SmallStep {
    type Output = u32;

    fn poll(mut self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<u32> {
        match *self {
            SmallStep::Start => {
                let deadline = Instant::now() + Duration::from_millis(300);
                WAIT_UNTIL.set(Some(deadline));
                *self = SmallStep::Waiting(deadline);
                Poll::Pending // yield
            }
            SmallStep::Waiting(deadline) if Instant::now() < deadline => {
                WAIT_UNTIL.set(Some(deadline));
                Poll::Pending // polled too early: still waiting
            }
            SmallStep::Waiting(_) => {
                *self = SmallStep::Done;
                Poll::Ready(1) // StopIteration(1)
            }
            SmallStep::Done => panic!("polled after it returned"),
        }
    }
}

/// `big_step` as a machine: it holds the `SmallStep` it delegates to, as a
/// generator frame holds the sub-generator of its `yield from`.
enum BigStep {
    Delegating(SmallStep),
    Done,
}

impl Future for BigStep {
    type Output = u32;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<u32> {
        let BigStep::Delegating(small) = &mut *self else {
            panic!("polled after it returned")
        };
        match Pin::new(small).poll(cx) {
            Poll::Pending => Poll::Pending, // pass the yield up
            Poll::Ready(small) => {
                *self = BigStep::Done;
                Poll::Ready(small + 1)
            }
        }
    }
}

fn main() {
    let start = Instant::now();
    let mut tasks = vec![
        ("task A", BigStep::Delegating(SmallStep::Start)),
        ("task B", BigStep::Delegating(SmallStep::Start)),
    ];
    // Nobody wakes anyone yet: the driver polls in a loop, so a no-op waker will do.
    let mut cx = Context::from_waker(Waker::noop());
    let mut results = Vec::new();
    while !tasks.is_empty() {
        let mut earliest: Option<Instant> = None;
        tasks.retain_mut(|(name, task)| match Pin::new(task).poll(&mut cx) {
            Poll::Ready(result) => {
                println!("{name}: result {result} at {:.2?}", start.elapsed());
                results.push(result);
                false
            }
            Poll::Pending => {
                let until = WAIT_UNTIL
                    .take()
                    .expect("a pending machine says what it waits for");
                println!(
                    "{name}: pending, wants to wait until +{:.2?}",
                    until - start
                );
                earliest = Some(earliest.map_or(until, |e| e.min(until)));
                true
            }
        });
        // The driver does the waiting the machines handed up, once for all of them.
        if let Some(until) = earliest {
            thread::sleep(until.saturating_duration_since(Instant::now()));
        }
    }
    let took = start.elapsed();
    println!("two chains took {took:.2?} on one thread");
    // The last line is what `tests/examples.rs` checks: the same on every run.
    let overlapped = if took < Duration::from_millis(600) {
        "under"
    } else {
        "NOT under"
    };
    println!("results {results:?}: 600 ms of waits took {overlapped} 600 ms, on one thread");
}
