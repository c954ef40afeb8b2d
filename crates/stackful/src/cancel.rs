//! cancel on may: a coroutine per request, parked in a read on may's
//! `TcpStream`, cancelled with may's own coroutine cancel.
//!
//! Each request is the crawl's `fetch`, unchanged, in a coroutine of its own that
//! holds the probe's guard; the delay server holds every page far longer than
//! the run, so after `spec.after` all of them are parked in `stream.read(..)`.
//! Then `handle.coroutine().cancel()`, which is what may offers for this (its
//! README lists "cancellation of coroutines" among its features, and its tests
//! cancel a coroutine parked in an accept just so). may sets the coroutine's
//! cancel flag and, because it was built with the `io_cancel` feature (a default),
//! takes the parked coroutine off its socket's epoll registration and queues it
//! at once. When it resumes, the may call it was parked in panics with
//! generator's `Error::Cancel` instead of returning; the panic unwinds the
//! coroutine's stack, dropping the stream (which closes the socket and
//! deregisters it) and the probe guard, and stops at the coroutine's base, where
//! generator catches it (its panic hook keeps it silent). The join then returns
//! `Err` with that payload, which is how a cancelled request is told from one
//! that panicked.
//!
//! This is the stackful answer to cancelling a blocked call: no future to drop,
//! no socket to shut from outside, but an unwind through frames that were
//! written as if they would return. It costs what an unwind costs (the DWARF
//! tables walked, every frame's drops run), and it is `unsafe` in may: the
//! SAFETY comment in `cancel` gives may's condition and why these coroutines
//! meet it. It needs the default `panic = "unwind"`; under `panic = "abort"` a
//! cancel would end the process.
//!
//! The calling thread drives it: it sleeps `spec.after` with may's `sleep`
//! (which, outside a coroutine, is the thread's), cancels, and joins every
//! request in path order; a join that finds the coroutine already unwound returns
//! at once.

use std::any::Any;
use std::net::SocketAddr;
use std::time::Duration;

use harness::http::FetchResult;
use harness::spec::{CancelOutcome, CancelSpec, RequestEnd, SPARE_FILES};
use harness::{ModelError, Probe, limits, panic_message};
use may::coroutine::JoinHandle;

use crate::{crawl, runtime};

/// Stack of each request: the crawl's fetch, and on top of its read, at the
/// cancel, the unwinder: 9.2 KiB deep in all in a release build, 11.8 KiB in a
/// debug one (measured by painting the stack), so the fetch's 32 KiB (sized for
/// its 13.5 KiB with a response to parse) holds it.
const STACK_BYTES: usize = crawl::STACK_BYTES;

/// Stacks this workload asks may's pool to hold ahead: none, since the pool only
/// holds stacks of may's default size and a request needs a bigger one.
const POOLED: usize = 0;

/// How long a request waits, past `spec.after`, for a page before it gives up
/// on its own: a bound on a cancel that never lands, the harness's own
/// ten seconds to a quiet server. A request that hits it ends `Failed`.
const SLACK: Duration = Duration::from_secs(10);

// ## request
/// One request: alive from its first step to its last, in a read for most of it.
fn request(addr: SocketAddr, path: &str, timeout: Duration, probe: &Probe) -> FetchResult {
    let _alive = probe.enter();
    crawl::fetch(addr, path, timeout)
}

// ## run
pub(crate) fn run(spec: &CancelSpec) -> Result<CancelOutcome, ModelError> {
    let n = spec.paths.len();
    limits::ensure_nofile(n as u64 + SPARE_FILES, "this many requests in flight")
        .map_err(ModelError::unsupported)?;
    runtime::check_stacks(n, "this many requests in flight")?;
    runtime::start(spec.threads, POOLED);
    spec.probe.begin();
    let (addr, timeout) = (spec.addr, spec.after + SLACK);
    let mut requests = Vec::with_capacity(n);
    // may panics, rather than failing, when it cannot map a stack: `contained`
    // makes that an error.
    let spawned = runtime::contained(|| {
        for (i, path) in spec.paths.iter().enumerate() {
            let (path, probe) = (path.clone(), spec.probe.clone());
            // SAFETY: the closure owns its path and a probe (an `Arc` of
            // atomics); it touches no thread-local storage (may's sockets park
            // the coroutine, not the thread), and a fetch, or a read and then the
            // unwind of a cancel, use at most 14 KiB of the 32 KiB stack.
            let spawned = unsafe {
                runtime::builder(STACK_BYTES).spawn(move || request(addr, &path, timeout, &probe))
            };
            match spawned {
                Ok(handle) => requests.push(handle),
                Err(e) => {
                    return Err(ModelError::failed(format!(
                        "could not spawn request {} of {n}: {e}",
                        i + 1
                    )));
                }
            }
        }
        Ok(())
    });
    // After a failed spawn too: the requests that started are cancelled and
    // joined like the others, so nothing outlives the run.
    runtime::sleep(spec.after);
    spec.cancelling();
    cancel(spec, requests, spawned.and_then(|r| r).err())
}

// ## cancel
/// Cancels every request, then joins each in path order for how it ended; the
/// first failure, if any, wins.
fn cancel(
    spec: &CancelSpec,
    requests: Vec<JoinHandle<FetchResult>>,
    mut failed: Option<ModelError>,
) -> Result<CancelOutcome, ModelError> {
    for handle in &requests {
        // SAFETY: may's condition, as its docs give it: "This function would
        // force a coroutine exist when next scheduling And would drop all the
        // resource tha the coroutine currently holding This may have unexpected
        // side effects if you are not fully aware it". What a request holds when
        // it is forced out: its probe guard, its may `TcpStream`, its read buffer
        // and its response reader, all its own. Dropping them is what we want:
        // the guard leaves the gauge, the stream closes its socket and leaves
        // may's selector, the rest is memory. None of those drops waits on a may
        // call, the coroutine holds no lock and shares nothing but the probe's
        // atomics, and its result only travels through the join, so an unwind at
        // any of its may calls leaves nothing half done. "When next scheduling"
        // is now for a request parked in a read (the cancel queues it), and the
        // next may call for one still running; each is joined below.
        unsafe { handle.coroutine().cancel() };
    }
    let mut ends = Vec::with_capacity(requests.len());
    for handle in requests {
        match handle.join() {
            Ok(Ok(page)) => ends.push(RequestEnd::Page(page)),
            Ok(Err(e)) => ends.push(RequestEnd::Failed(e)),
            Err(payload) if is_cancel(&*payload) => ends.push(RequestEnd::Cancelled),
            Err(payload) => {
                failed = failed.or(Some(ModelError::failed(format!(
                    "panicked: {}",
                    panic_message(&*payload)
                ))));
            }
        }
    }
    spec.probe.end();
    match failed {
        Some(e) => Err(e),
        None => Ok(CancelOutcome { ends }),
    }
}

// ## helpers
/// Whether a join's panic is may's cancel: generator's `Error::Cancel`, which a
/// cancelled coroutine unwinds with (may's own tests tell it this way).
fn is_cancel(payload: &(dyn Any + Send)) -> bool {
    matches!(
        payload.downcast_ref::<generator::Error>(),
        Some(generator::Error::Cancel)
    )
}
