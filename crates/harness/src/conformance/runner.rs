//! One case on a thread of its own, with a deadline, and the thread count the leak
//! check compares.
//!
//! The case thread is detached (a plain `thread::spawn`, not a scope): a model
//! that hangs cannot be stopped from outside, and a scope would wait for it
//! forever. Past the deadline the runner stops waiting and leaves the thread to
//! the process's exit; everything the thread touches (the model, the spec, the
//! delay server) is owned by it or `'static`, so nothing it holds is freed under it.

use std::sync::{Arc, mpsc};
use std::thread;
use std::time::{Duration, Instant};

use super::cases::Body;
use super::checks;
use crate::limits;
use crate::model::{Model, panic_message};
use crate::server::ServerHandle;

/// How a case ended.
pub(super) enum Ran {
    /// It returned (or panicked, which is an `Err` here).
    Done(Result<(), String>),
    /// It was still running at the deadline, and is abandoned.
    Hung,
}

/// Runs `body` on its own thread, waiting at most `deadline`; panics are caught.
pub(super) fn run_case(
    model: &'static dyn Model,
    server: &Arc<ServerHandle>,
    body: Body,
    deadline: Duration,
) -> (Ran, Duration) {
    server.stats().reset();
    let (done, wait) = mpsc::channel();
    let server = Arc::clone(server);
    let started = Instant::now();
    let worker = thread::Builder::new()
        .name(format!("conformance-{}", model.name()))
        .spawn(move || {
            // Owned here so a panic drops it and the wait below ends at once.
            let done = done;
            let result = checks::execute(model, &server, &body);
            // The receiver is gone only if the deadline passed; nothing to tell.
            let _ = done.send(());
            result
        });
    let worker = match worker {
        Ok(worker) => worker,
        Err(e) => {
            let e = format!("could not start the case thread: {e}");
            return (Ran::Done(Err(e)), started.elapsed());
        }
    };
    match wait.recv_timeout(deadline) {
        Ok(()) | Err(mpsc::RecvTimeoutError::Disconnected) => {}
        // Dropping the handle detaches the thread; it runs on until the process ends.
        Err(mpsc::RecvTimeoutError::Timeout) => return (Ran::Hung, started.elapsed()),
    }
    let result = match worker.join() {
        Ok(result) => result,
        Err(panic) => Err(format!("panicked: {}", panic_message(&*panic))),
    };
    (Ran::Done(result), started.elapsed())
}

/// The thread count once threads that are on their way out have gone.
pub(super) fn settled_thread_count() -> Option<usize> {
    let start = Instant::now();
    let mut last = limits::thread_count()?;
    // Joined threads leave /proc/self/task promptly, but detached runtime threads
    // (a dropped tokio runtime's blocking pool) may take a moment: wait for quiet.
    while start.elapsed() < Duration::from_secs(2) {
        thread::sleep(Duration::from_millis(20));
        let now = limits::thread_count()?;
        if now == last {
            return Some(now);
        }
        last = now;
    }
    Some(last)
}
