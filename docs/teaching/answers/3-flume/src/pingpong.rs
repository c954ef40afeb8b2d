//! pingpong in `flume`: two processes, two flume channels, one message per hand-over.
//!
//! ping is the run's own thread; pong is a process of its own. ping sends the
//! counter on one channel, pong answers with the counter plus one on the other, and
//! a `Stop` ends pong. Both channels are `flume::unbounded`, so no send ever waits
//! (the equal-work rule). A receive on an empty channel parks the thread, so every
//! hand-over is a wake-up of the other thread.

use flume::{Receiver, Sender};
use harness::ModelError;
use harness::spec::{Counted, PingPongSpec};

use crate::process;

// ## message

/// What ping sends pong: the counter, or the end of the game.
enum Msg {
    Count(u64),
    Stop,
}

// ## pong

/// Answers every counter with the next one, until stopped or ping is gone.
fn pong(inbox: &Receiver<Msg>, back: &Sender<u64>) {
    while let Ok(Msg::Count(c)) = inbox.recv() {
        if back.send(c + 1).is_err() {
            return;
        }
    }
}

// ## ping

/// Sends the counter and waits for it back, `rounds` times, then stops pong.
/// `None` if pong hung up first (it panicked).
fn ping(rounds: u64, out: &Sender<Msg>, back: &Receiver<u64>) -> Option<u64> {
    let mut count = 0;
    for _ in 0..rounds {
        out.send(Msg::Count(count)).ok()?;
        count = back.recv().ok()?;
    }
    // Pong may already be gone if it panicked; the scope reports that.
    let _ = out.send(Msg::Stop);
    Some(count)
}

// ## run

pub(crate) fn run(spec: &PingPongSpec) -> Result<Counted, ModelError> {
    let (to_pong, pong_inbox) = flume::unbounded();
    let (to_ping, ping_inbox) = flume::unbounded();
    process::scope(|s| {
        // No runtime to build: the work starts with pong's thread.
        spec.probe.begin();
        process::go(s, "pong", move || pong(&pong_inbox, &to_ping))
            .map_err(|e| process::refused(0, 1, &e))?;
        let count = ping(spec.rounds, &to_pong, &ping_inbox);
        spec.probe.end();
        count
            .map(|count| Counted { count })
            .ok_or_else(|| ModelError::failed("pong hung up before the last round"))
    })
}
