//! Step 10 of the tour (`docs/tour.md`): CSP, the Go answer the seeds compare
//! against, and Go's `select` with a timeout.
//!
//! Processes share nothing and talk over channels. Go's `select` waits on several
//! channel operations at once and runs whichever is ready first; a `time.After`
//! channel in the same `select` is how Go gives up waiting. crossbeam-channel's
//! `select!` is that statement for OS threads, and its `after(d)` is
//! `time.After(d)`: a channel that delivers one message once `d` has passed.
//!
//! Two "servers" (threads) answer on channels of their own, one after 50 ms and
//! one after 400 ms. The client selects over both answers and a 200 ms deadline:
//! it takes the fast answer, then gives up on the slow one when the deadline fires.
//! A channel that is done with is swapped for `never()`, a channel that is never
//! ready: Go's idiom of setting a channel variable to `nil` to drop it from a
//! `select`.
//!
//! Run: `cargo run -p cm-csp --example 10_select_timeout`

use std::thread;
use std::time::{Duration, Instant};

use crossbeam_channel::{Receiver, after, bounded, never, select};

/// A server that answers `reply` on its own channel after `delay`.
fn server(reply: &'static str, delay: Duration) -> Receiver<&'static str> {
    // Room for the one answer, so the server never waits on a client that left.
    let (tx, rx) = bounded(1);
    thread::spawn(move || {
        thread::sleep(delay);
        let _ = tx.send(reply);
    });
    rx
}

fn main() {
    let start = Instant::now();
    let mut fast = server("fast", Duration::from_millis(50));
    let mut slow = server("slow", Duration::from_millis(400));
    let deadline = after(Duration::from_millis(200));

    let mut answers = Vec::new();
    let gave_up = loop {
        select! {
            recv(fast) -> answer => {
                if let Ok(answer) = answer {
                    println!("{:>7.1?}  got {answer:?}", start.elapsed());
                    answers.push(answer);
                }
                // Answered (or the server is gone): leave it out of the next select.
                fast = never();
            }
            recv(slow) -> answer => {
                if let Ok(answer) = answer {
                    println!("{:>7.1?}  got {answer:?}", start.elapsed());
                    answers.push(answer);
                }
                slow = never();
            }
            recv(deadline) -> _ => {
                println!("{:>7.1?}  the 200 ms deadline fired", start.elapsed());
                break true;
            }
        }
        if answers.len() == 2 {
            break false;
        }
    };
    // The last line is what `tests/examples.rs` checks: the same on every run.
    println!(
        "answers {answers:?} before the 200 ms deadline; {}",
        if gave_up {
            "gave up on the 400 ms server"
        } else {
            "every server answered"
        }
    );
}
