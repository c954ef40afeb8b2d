//! Processes: each one an OS thread started inside a thread scope, so that none
//! outlives the run that started it, and every one talks only over flume channels.
//!
//! A process hands back nothing through its thread: whatever it has to say it
//! sends, and it learns that the run is over when a channel it reads closes. The
//! scope is the one place threads are joined.

use std::io;
use std::panic::{self, AssertUnwindSafe};
use std::thread::{self, Scope};

use harness::{ModelError, limits, panic_message};

/// Every process's stack. A blocking fetch (a read buffer, the response parser,
/// error formatting) is the deepest call chain here and fits well inside this;
/// the default 2 MiB would only reserve address space.
const STACK_BYTES: usize = 64 * 1024;

/// Answers `unsupported` before starting anything when `n` processes would be more
/// OS threads than this machine can start, naming the limit.
pub(crate) fn check_budget(n: usize, what: &str) -> Result<(), ModelError> {
    let limit = limits::os_threads();
    if n > limit.max {
        return Err(ModelError::unsupported(format!(
            "{what} needs {n} processes, each an OS thread, but this machine can start \
             about {}: {}",
            limit.max, limit.reason
        )));
    }
    Ok(())
}

/// Runs `body` in a thread scope: every process it starts has ended when this
/// returns. A process that panics becomes a `Failed` answer, not a crash.
pub(crate) fn scope<'env, T>(
    body: impl for<'scope> FnOnce(&'scope Scope<'scope, 'env>) -> Result<T, ModelError>,
) -> Result<T, ModelError> {
    // After a panic nothing the body touched is used again: the run's channels and
    // buffers are dropped and the caller gets an error.
    panic::catch_unwind(AssertUnwindSafe(|| thread::scope(body))).unwrap_or_else(|panic| {
        Err(ModelError::failed(format!(
            "a process panicked: {}",
            panic_message(&*panic)
        )))
    })
}

/// Starts one process: a named OS thread with a small stack, joined by `scope`.
pub(crate) fn go<'scope>(
    scope: &'scope Scope<'scope, '_>,
    name: &str,
    body: impl FnOnce() + Send + 'scope,
) -> io::Result<()> {
    thread::Builder::new()
        .name(name.to_owned())
        .stack_size(STACK_BYTES)
        .spawn_scoped(scope, body)
        .map(drop)
}

/// The honest answer when the kernel refuses a thread the budget allowed.
pub(crate) fn refused(started: usize, wanted: usize, err: &io::Error) -> ModelError {
    ModelError::unsupported(format!(
        "started {started} of {wanted} processes (OS threads) before the system refused \
         another: {err}"
    ))
}
