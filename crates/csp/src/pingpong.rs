//! pingpong in CSP: two processes and two channels, one each way.
//!
//! `ping`, on the run's own thread, sends the counter down `to_pong` and waits on
//! its own inbox; `pong`, a process of its own, adds one and sends it back. Neither
//! knows the other: each holds only the channel ends it uses. When `ping` has done
//! its rounds it sends `Stop` and returns the counter; `pong` returns when it reads
//! `Stop`. The stop is a message, as in every model, rather than the close that
//! dropping `to_pong` would also signal, so that every model ends the run the same
//! way.
//!
//! The channels are crossbeam's `unbounded`, the equal-work rule for every model
//! (sends never wait; the protocol holds at most one value per channel). How the
//! receiver waits is what decides the cost: crossbeam's `recv` spins, then yields
//! (`sched_yield`), and only then parks the thread on a futex. The reply is always
//! closer than that, so neither thread ever parks (a handful of voluntary context
//! switches in 100,000 round trips): both stay on a CPU, working or spinning. With
//! a core each, a round trip took under a microsecond and no context switch; with
//! one core between them, every hand-over was a `sched_yield` to the other thread,
//! one involuntary switch each, and ten times slower. `docs/models/csp.md` has the
//! measurements.

use crossbeam_channel::{Receiver, Sender, unbounded};
use harness::ModelError;
use harness::spec::{Counted, PingPongSpec};

use crate::process::{self, go, spawn_failed};

// ## message

/// What ping sends pong.
enum Ball {
    /// The counter, for pong to add one to and send back.
    Count(u64),
    /// The rounds are done: return.
    Stop,
}

// ## pong

/// pong: answer every `Count(c)` with `c + 1`, until `Stop`.
fn pong(inbox: &Receiver<Ball>, to_ping: &Sender<u64>) {
    for ball in inbox {
        match ball {
            Ball::Count(c) => {
                if to_ping.send(c + 1).is_err() {
                    return;
                }
            }
            Ball::Stop => return,
        }
    }
}

// ## ping

/// ping: `rounds` round trips, then stop pong; the counter, or `None` if pong left.
fn ping(rounds: u64, to_pong: &Sender<Ball>, inbox: &Receiver<u64>) -> Option<u64> {
    let mut counter = 0;
    for _ in 0..rounds {
        to_pong.send(Ball::Count(counter)).ok()?;
        counter = inbox.recv().ok()?;
    }
    to_pong.send(Ball::Stop).ok()?;
    Some(counter)
}

// ## run

pub(crate) fn run(spec: &PingPongSpec) -> Result<Counted, ModelError> {
    // No runtime to start: a process is an OS thread.
    spec.probe.begin();
    let (to_pong, pong_inbox) = unbounded::<Ball>();
    let (to_ping, ping_inbox) = unbounded::<u64>();
    process::scope(|s| {
        go(s, "pong", move || pong(&pong_inbox, &to_ping)).map_err(|e| spawn_failed(0, 1, &e))?;
        let counter = ping(spec.rounds, &to_pong, &ping_inbox);
        // The answer is known; what is left is pong's exit and the scope's join.
        spec.probe.end();
        counter
            .map(|count| Counted { count })
            .ok_or_else(|| ModelError::failed("ping ended without reporting its counter"))
    })
}
