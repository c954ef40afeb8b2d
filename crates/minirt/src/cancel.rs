//! cancel on minirt: a task per request, each a crawl `get` (connect, send, read)
//! that the delay server will not answer for a minute; after `spec.after` the main
//! task aborts them all with [`JoinHandle::abort`], asyncio's `task.cancel()`.
//!
//! Cancelling a future in Rust is dropping it. `abort` marks the task and wakes
//! it; at its next turn the loop drops its future instead of polling it, and the
//! drop closes the socket (its `TcpStream` deregisters from epoll and closes the
//! descriptor) and lets go of the probe's guard. Only then does the handle return
//! [`JoinError::Cancelled`], so once the main task has joined every handle, every
//! socket is closed: no thread to stop, no I/O to interrupt. asyncio instead
//! throws `CancelledError` into the coroutine at its `await`, which may catch it
//! and clean up (or refuse); a future has no say, and `Drop` is its clean-up.
//!
//! tokio's `JoinHandle::abort` works the same way (a flag in the task's header,
//! then a schedule); its `JoinSet::abort_all` does it for a set.

use std::cell::RefCell;
use std::net::SocketAddr;
use std::rc::Rc;

use harness::http::READ_BUF_BYTES;
use harness::spec::{CancelOutcome, CancelSpec, RequestEnd, SPARE_FILES};
use harness::{ModelError, Probe};

use crate::crawl::{self, Buf};
use crate::rt::{self, JoinError, JoinHandle, spawn};
use crate::{panicked, runtime};

// ## request
/// One request, alive (for the probe) from its first step to its end, which for
/// a cancelled one is the drop of its future.
async fn request(addr: SocketAddr, path: String, probe: Probe, buf: Rc<Buf>) -> RequestEnd {
    let _alive = probe.enter();
    match crawl::get(addr, &path, &buf).await {
        Ok(page) => RequestEnd::Page(page),
        Err(e) => RequestEnd::Failed(e),
    }
}

// ## run
pub(crate) fn run(spec: &CancelSpec) -> Result<CancelOutcome, ModelError> {
    let needed = spec.paths.len() as u64 + SPARE_FILES;
    harness::limits::ensure_nofile(needed, "cancel requests").map_err(ModelError::unsupported)?;
    let rt = runtime()?;
    spec.probe.begin();
    let out = rt.block_on(async {
        let buf = Rc::new(RefCell::new([0; READ_BUF_BYTES]));
        // All spawned before the main task sleeps, so all are in flight at once.
        let requests: Vec<_> = spec
            .paths
            .iter()
            .map(|path| {
                let (probe, buf) = (spec.probe.clone(), Rc::clone(&buf));
                spawn(request(spec.addr, path.clone(), probe, buf))
            })
            .collect();
        rt::sleep(spec.after).await;
        cancel(spec, requests).await
    });
    spec.probe.end();
    out
}

// ## cancel
/// Aborts every request, then joins them in path order. A request that ended
/// before the cancel (a page, or a failure) keeps its own end: `abort` on a
/// finished task does nothing.
async fn cancel(
    spec: &CancelSpec,
    requests: Vec<JoinHandle<RequestEnd>>,
) -> Result<CancelOutcome, ModelError> {
    spec.cancelling();
    for request in &requests {
        request.abort();
    }
    let mut ends = Vec::with_capacity(requests.len());
    for request in requests {
        ends.push(match request.await {
            Ok(end) => end,
            Err(JoinError::Cancelled) => RequestEnd::Cancelled,
            Err(panic) => return Err(panicked(panic)),
        });
    }
    Ok(CancelOutcome { ends })
}
