//! minirt: the smallest honest async runtime, one seed idea per file.
//!
//! The seeds build asyncio by hand: a generator that `yield`s, a `Future` that runs
//! callbacks when its result is set, a `Task` whose `step` sends into the coroutine,
//! and an `EventLoop` with `call_soon`, `call_later` and a selector. Here is the same
//! machine in Rust, in the order the seeds meet it:
//!
//! | seed idea | here |
//! |---|---|
//! | `EventLoop.call_soon`, the ready deque, `run_once` | `executor.rs`: the ready queue and the loop |
//! | `Task.step`, `Future.add_done_callback` | `executor.rs`: a task is a boxed future plus its `Waker` |
//! | `Task` as a `Future` you can await | `join.rs`: [`JoinHandle`] |
//! | `EventLoop.call_later`, the `heapq` of deadlines | `timer.rs`: [`sleep`], [`timeout`], deadlines in order |
//! | `Task.cancel()` | `join.rs`: [`JoinHandle::abort`] drops the task's future |
//! | `await asyncio.sleep(0)` | `executor.rs`: [`yield_now`], woken after the next turn |
//! | the server's listening socket | `net.rs`: [`TcpListener`] |
//! | `selector.register` / `selector.select()` | `reactor.rs`: mio, one token per socket |
//! | the crawler's non-blocking socket | `net.rs`: [`TcpStream`] |
//! | a queue between coroutines | [`channel`]: a channel between tasks, bounded or not |
//! | `fake_io_read`'s thread calling `set_result` | `remote.rs`, [`thread_channel`] |
//!
//! Everything runs on the thread that called [`Runtime::block_on`]; a task is
//! `!Send` and may hold `Rc`s. Only wakers cross threads, and they go through one
//! locked queue (`remote.rs`). No `unsafe`: wakers are built with [`std::task::Wake`].
//!
//! Written to be read first and fast second. Where a production runtime (tokio) does
//! more, the file says what and why this one does not.

pub mod channel;
mod executor;
mod join;
mod net;
mod reactor;
mod remote;
pub mod thread_channel;
mod timer;

pub use executor::{Runtime, spawn, yield_now};
pub use join::{JoinError, JoinHandle};
pub use net::{TcpListener, TcpStream};
pub use timer::{Sleep, sleep, timeout};

/// The synchronisation types the cross-thread pieces use. The loom tests compile
/// `remote.rs` and [`thread_channel`] against loom's versions of the same names, so
/// the model checker runs exactly this code.
mod sync {
    pub(crate) use std::sync::atomic::{AtomicBool, Ordering};
    pub(crate) use std::sync::{Arc, Mutex};
}
