//! Step 5 of the tour (`docs/tour.md`): what `gen.send(x)` becomes when `poll`
//! cannot pass a value in.
//!
//! A Python generator receives a value as the result of its `yield`: `g.send(x)`
//! resumes it, and `x = yield` binds what was sent. `Future::poll` takes no value,
//! only the `Context` and its waker. So the value travels another way: through
//! shared state that whoever holds the other end (the waker's owner) fills before
//! it wakes the task, and that the future reads when it is polled again. Here that
//! state is a [`Slot`]: `send` puts the value in and wakes; `recv` is the `yield`
//! expression, a future that is ready with the value once there is one.
//!
//! `add_two` awaits two values and returns their sum, as a generator with
//! `x = yield` and `y = yield` and `return x + y` would. `main` drives it by hand,
//! as one drives a generator at the Python prompt: the first poll primes it (runs it
//! to its first `.await`, like `next(g)`), and each send is two steps, fill the
//! slot, then poll. A poll with nothing sent just finds the slot empty and says
//! `Pending` again: it asks "can you go on?", it hands nothing in.
//!
//! Step 4's `TimerFuture` is such a slot holding only "done"; minirt's
//! `thread_channel` (`crates/minirt/src/rt/thread_channel.rs`) is one that queues.
//!
//! Run: `cargo run -p cm-minirt --example 5_send_slot`

use std::future::{Future, poll_fn};
use std::pin::pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Wake, Waker};

/// What the sender fills and the future reads.
struct SlotState<T> {
    value: Option<T>,
    /// The waker of the task waiting for a value.
    waker: Option<Waker>,
}

/// A one-value mailbox between a sender and one waiting future. Cloning it gives
/// another handle to the same slot.
struct Slot<T>(Arc<Mutex<SlotState<T>>>);

impl<T> Clone for Slot<T> {
    fn clone(&self) -> Self {
        Slot(Arc::clone(&self.0))
    }
}

impl<T> Slot<T> {
    fn new() -> Self {
        Slot(Arc::new(Mutex::new(SlotState {
            value: None,
            waker: None,
        })))
    }

    /// The first half of `g.send(value)`: put the value where the future will look,
    /// and wake it. Gives the value back if the last one was not taken yet.
    fn send(&self, value: T) -> Result<(), T> {
        let waker = {
            let mut state = self.0.lock().unwrap();
            if state.value.is_some() {
                return Err(value);
            }
            state.value = Some(value);
            state.waker.take()
        };
        // Woken outside the lock: the waker runs its owner's code.
        if let Some(waker) = waker {
            waker.wake();
        }
        Ok(())
    }

    /// The `yield` expression: ready with the next value sent.
    fn recv(&self) -> impl Future<Output = T> + '_ {
        poll_fn(|cx| {
            let mut state = self.0.lock().unwrap();
            match state.value.take() {
                Some(value) => Poll::Ready(value),
                None => {
                    state.waker = Some(cx.waker().clone());
                    Poll::Pending
                }
            }
        })
    }
}

/// `x = yield; y = yield; return x + y`.
async fn add_two(slot: Slot<u32>) -> u32 {
    let x = slot.recv().await;
    let y = slot.recv().await;
    x + y
}

/// A waker that only counts its wakes, so we can see each send wake the task.
struct CountWakes(AtomicUsize);

impl Wake for CountWakes {
    fn wake(self: Arc<Self>) {
        self.0.fetch_add(1, Ordering::Relaxed);
    }
}

fn main() {
    let wakes = Arc::new(CountWakes(AtomicUsize::new(0)));
    let waker = Waker::from(Arc::clone(&wakes));
    let mut cx = Context::from_waker(&waker);
    let woken = || wakes.0.load(Ordering::Relaxed);

    let slot = Slot::new();
    // g = add_two(): nothing runs yet.
    let mut g = pin!(add_two(slot.clone()));
    let mut polls = 0;
    let mut poll = |cx: &mut Context<'_>| {
        polls += 1;
        g.as_mut().poll(cx)
    };

    // next(g): run to the first `yield`.
    assert!(poll(&mut cx).is_pending());
    println!(
        "primed: pending at the first .await, woken {} times",
        woken()
    );
    // A poll is not a send: with the slot empty, nothing moves.
    assert!(poll(&mut cx).is_pending());
    println!(
        "polled with nothing sent: still pending, woken {} times",
        woken()
    );

    let mut result = None;
    for x in [1, 2] {
        slot.send(x).expect("the future took the last value");
        println!("sent {x}: the slot woke the task, woken {} times", woken());
        match poll(&mut cx) {
            Poll::Pending => println!("  polled: took {x}, pending at the next .await"),
            Poll::Ready(sum) => {
                println!("  polled: took {x}, returned {sum}");
                result = Some(sum);
            }
        }
    }
    let sum = result.expect("two values were all add_two waits for");
    // The last line is what `tests/examples.rs` checks: the same on every run.
    println!(
        "sent 1 then 2 through the slot: Ready({sum}) after {polls} polls and {} wakes",
        woken()
    );
}
