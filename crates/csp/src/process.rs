//! Processes: how this model starts its OS threads and makes sure they have all
//! ended before a run returns.
//!
//! A CSP process here is a scoped OS thread started by [`go`], named after Go's `go`
//! statement: it hands back no join handle, because nothing comes back through one.
//! Everything a process has to say travels over a channel, and a process learns
//! that the conversation is over when a channel closes. The scope in [`scope`] is
//! the only place threads are joined, and only so that none outlives the run.
//!
//! Compare `crates/baseline/src/threads/mod.rs`: there the join handle *is* the way
//! results come back, and the `Slot` (a `Mutex` plus a `Condvar`) is how threads
//! hand each other values.

use std::io;
use std::panic::{self, AssertUnwindSafe};
use std::thread::{self, Scope};

use harness::{ModelError, limits, panic_message};

/// Stack size of every process. The workloads' deepest call chain is a blocking
/// fetch (a 4 KiB read buffer, httparse's header array, error formatting), well
/// inside 64 KiB; the default of 2 MiB would only reserve address space. Only the
/// pages a thread touches count towards RSS either way, so going lower would save
/// little and leave no room for a panic message. It is the same size the `threads`
/// baseline uses, so the two models differ only in how their threads talk.
const STACK_BYTES: usize = 64 * 1024;

/// Declines up front when `n` processes exceed the OS threads this machine can
/// start, naming the limit and how to raise it.
pub(crate) fn check_budget(n: usize) -> Result<(), ModelError> {
    let limit = limits::os_threads();
    if n > limit.max {
        return Err(ModelError::unsupported(format!(
            "{n} processes are {n} OS threads, but this machine can start about {}: {}",
            limit.max, limit.reason
        )));
    }
    Ok(())
}

/// Runs `body` in a thread scope: every process it starts with [`go`] has ended
/// when this returns. A panicking process becomes a `Failed` error instead of
/// taking the caller down with it.
pub(crate) fn scope<'env, T>(
    body: impl for<'scope> FnOnce(&'scope Scope<'scope, 'env>) -> Result<T, ModelError>,
) -> Result<T, ModelError> {
    // Unwind safety: after a panic nothing the body touched is used again; the
    // caller gets an error and the run's channels and buffers are dropped.
    panic::catch_unwind(AssertUnwindSafe(|| thread::scope(body))).unwrap_or_else(|panic| {
        Err(ModelError::failed(format!(
            "a process panicked: {}",
            panic_message(&*panic)
        )))
    })
}

/// Starts a process, the `go` statement of this model: a named OS thread with a
/// small stack, joined by the enclosing [`scope`]. The handle is dropped on
/// purpose; the process reports over its channels.
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

/// Turns a refused thread start into an honest answer: the machine ran out of
/// something (threads, pids, memory) even though the budget check passed.
pub(crate) fn spawn_failed(started: usize, wanted: usize, err: &io::Error) -> ModelError {
    ModelError::unsupported(format!(
        "started {started} of {wanted} processes (OS threads) before the system refused: {err}"
    ))
}
