//! cancel, sequentially: one thread runs one request at a time, so the `n`
//! requests are never in flight together, and while the one thread is blocked in
//! `read` nothing is left to cancel it.
//!
//! The workload starts every request, lets them run, and cancels them all from
//! outside. With one thread the first request would block the thread until its
//! page came (a minute, by default), the other `n - 1` would not have started,
//! and a cancel needs someone other than the blocked thread to make it. A read
//! timeout is not a cancel: it ends the request when the clock says, not when the
//! caller does. So the answer is `unsupported`, given before anything connects.
//! The cure is what the other models have: a second thread that shuts the
//! blocked socket down (`threads`), a future dropped or aborted (tokio), a
//! channel closed, an actor stopped.

use harness::ModelError;
use harness::spec::{CancelOutcome, CancelSpec};

// ## request

// The request would be the crawl's blocking fetch (`crate::threads::fetch`), on
// the calling thread: it returns only with the page, an error or a timeout.

// ## run

pub(crate) fn run(spec: &CancelSpec) -> Result<CancelOutcome, ModelError> {
    Err(ModelError::unsupported(format!(
        "one thread runs one request at a time, so {} requests cannot be in flight \
         together, and while the thread is blocked in read nothing is left to cancel \
         it; a cancel needs a second thing running: a thread that shuts the socket \
         down (threads), a future dropped (tokio), an actor stopped (actix)",
        spec.paths.len()
    )))
}

// ## cancel

// None: the one thread that could cancel is the one blocked in the request.
