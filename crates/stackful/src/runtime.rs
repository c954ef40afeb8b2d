//! may's runtime as every workload here uses it: configured once, its coroutine pool
//! sized to the work, stacks sized in bytes, stack budgets checked before spawning,
//! joins that turn panics into errors.
//!
//! may keeps one scheduler per process. It starts on the first spawn, reads its
//! configuration (`may::config()`) then, and its worker threads, timer thread and
//! coroutine pool stay until the process exits: there is no way to stop it or
//! restart it with other settings. [`start`] therefore configures it exactly once,
//! from the first run's `spec.threads`; later runs in the same process (a test
//! binary, a bench) run on the workers the first one asked for. The CLI measures
//! every cell in a fresh process, where the cell's `--threads` is always the first,
//! so there `--threads` is may's worker count in every workload.
//!
//! The pool: when the scheduler starts, may builds `pool_capacity` coroutines of the
//! default stack size, stacks mapped and all, and a spawn of that size takes one
//! from the pool instead of mapping a fresh stack; a coroutine that ends goes back
//! into the pool if it has room. may's author describes the pool as just that, an
//! optimisation for creating and destroying coroutines: with a pool of N, the first
//! N spawns reuse its stacks (Xudong-Huang/may#62). may's default N is 1,000: about
//! 2,000 `mmap` and `mprotect` calls and 2,000 page faults, 10 to 19 ms on the
//! reference VM, in every process whatever the run needs. [`start`] sizes the pool
//! to the work instead: the coroutines of the pooled size the run keeps alive at
//! once (pingpong 2, a ring its `tasks`, fanout its workers and producer). Those
//! stacks are then mapped while the runtime is built, before the probe's `begin`,
//! which the start-up column shows. The spawn workload is the exception: its
//! question is what each coroutine costs, stack included, so it asks for no pooled
//! stacks and maps every one inside the measured phase. (The crawl's stacks are
//! bigger than the pooled size, so the pool cannot serve them at all.)
//!
//! Stack sizes: may's `Builder::stack_size` and `config().set_stack_size` count
//! machine *words* (`usize`), not bytes, and an *odd* word count switches on a
//! debugging mode that paints the whole stack at spawn (touching every page) and
//! prints its high-water mark at exit. [`builder`] takes bytes, a whole number of
//! pages, so the count it passes is always even. A stack of `b` bytes is one
//! `mmap` of `b` plus one 4 KiB guard page below it, made `PROT_NONE` with
//! `mprotect`, which splits it into two kernel mappings (VMAs).

use std::panic::{self, AssertUnwindSafe};
use std::sync::OnceLock;
use std::time::Duration;

use harness::limits;
use harness::{ModelError, panic_message};
use may::coroutine::{self, Builder, JoinHandle};

/// Bytes in the unit may counts stack sizes in: one machine word.
const WORD_BYTES: usize = size_of::<usize>();

/// Stack sizes must be whole pages: may rounds to pages anyway, and a page-sized
/// byte count is always an even number of words (see the module docs).
const PAGE_BYTES: usize = 4096;

/// Kernel mappings per coroutine stack: the stack and its guard page.
pub(crate) const MAPS_PER_STACK: u64 = 2;

/// Mappings left free for everything else the process maps while a run is going
/// (allocator arenas, the delay server in tests, sockets' buffers do not count).
const MAP_MARGIN: u64 = 1024;

/// may's default stack size in this process, and so the size of the stacks its
/// pool holds: pingpong's, ring's, fanout's and spawn's (the crawl's are bigger).
pub(crate) const POOLED_STACK_BYTES: usize = 8 * 1024;

/// The worker-thread count may was configured with, once per process.
static WORKERS: OnceLock<usize> = OnceLock::new();

/// Configures and starts may's scheduler on the first call in this process, with
/// `threads` workers and a pool of `pooled` coroutines of [`POOLED_STACK_BYTES`]
/// (at least one: may reads 0 as "its default of 1,000"). Later calls cannot
/// change the workers (see the module docs).
///
/// A later call with a larger `pooled` raises the pool's capacity, which may
/// checks whenever a coroutine ends: the stacks this run has to map are then kept
/// for the next run as they end, instead of being unmapped.
pub(crate) fn start(threads: usize, pooled: usize) {
    let pooled = pooled.max(1);
    let mut first = false;
    WORKERS.get_or_init(|| {
        first = true;
        let workers = threads.max(1);
        may::config()
            .set_workers(workers)
            .set_stack_size(POOLED_STACK_BYTES / WORD_BYTES)
            .set_pool_capacity(pooled);
        // The scheduler (threads, pool) starts on the first spawn: spawn nothing,
        // now, so that it is up before the run's measured phase begins.
        // SAFETY: an empty closure touches no thread-local storage and no stack.
        let started = unsafe { builder(POOLED_STACK_BYTES).spawn(|| ()) };
        // A failure here resurfaces, as an error, at the run's own first spawn.
        if let Ok(handle) = started {
            let _ = handle.join();
        }
        workers
    });
    if !first && pooled > may::config().get_pool_capacity() {
        may::config().set_pool_capacity(pooled);
    }
}

/// A coroutine builder with a stack of `stack_bytes` (a whole number of pages).
pub(crate) fn builder(stack_bytes: usize) -> Builder {
    debug_assert!(
        stack_bytes % PAGE_BYTES == 0,
        "stack sizes are whole pages, so the word count is even"
    );
    Builder::new().stack_size(stack_bytes / WORD_BYTES)
}

/// Declines up front when `n` more coroutine stacks would not fit under
/// `vm.max_map_count`: past it `mmap` fails inside may's spawn, which panics.
/// Called before [`start`], so that the pool [`start`] maps is counted among the
/// `n` (the scheduler's own threads fit in the margin).
pub(crate) fn check_stacks(n: usize, what: &str) -> Result<(), ModelError> {
    // Without /proc there is nothing to check against; the spawn itself reports.
    let (Some(max), Some(used)) = (limits::max_map_count(), limits::current_map_count()) else {
        return Ok(());
    };
    let needed = (n as u64).saturating_mul(MAPS_PER_STACK);
    let free = max.saturating_sub(used + MAP_MARGIN);
    if needed <= free {
        return Ok(());
    }
    let raise_to = (used + needed + MAP_MARGIN).next_multiple_of(65_536);
    Err(ModelError::unsupported(format!(
        "{what} needs {n} coroutine stacks alive at once, {needed} memory mappings \
         (each stack is one mapping plus its guard page), but vm.max_map_count is {max} \
         and this process already holds {used}, so about {} fit; raise it with \
         `sysctl -w vm.max_map_count={raise_to}`",
        free / MAPS_PER_STACK
    )))
}

/// Runs `f`, typically a `may::coroutine::scope`, turning a panic into `Failed`.
///
/// A may scope joins every coroutine spawned on it before it returns (which is
/// what lets them borrow from the caller) and re-raises a coroutine's panic as it
/// joins it; may also panics, rather than returning an error, when it cannot map
/// a new stack. Either comes back as `Failed` instead of unwinding through the
/// `Model` call.
pub(crate) fn contained<R>(f: impl FnOnce() -> R) -> Result<R, ModelError> {
    panic::catch_unwind(AssertUnwindSafe(f))
        .map_err(|panic| ModelError::failed(format!("panicked: {}", panic_message(&*panic))))
}

/// Joins a coroutine, turning its panic into `Failed`.
pub(crate) fn join<T>(handle: JoinHandle<T>) -> Result<T, ModelError> {
    handle
        .join()
        .map_err(|panic| ModelError::failed(format!("panicked: {}", panic_message(&*panic))))
}

/// may's `coroutine::sleep`, except for zero, which yields instead.
///
/// may 0.3.51's `sleep` hands the coroutine to its timer thread before it has
/// finished registering it; a zero timer fires at once and the two race (a
/// use-after-free, seen as a segfault in plain may code). Yielding is what
/// sleeping for zero means anyway. A woken sleeper resumes on may's timer thread,
/// not on a worker: its timer handler runs the coroutine in place (may's
/// `scheduler.rs`), until the coroutine next waits.
pub(crate) fn sleep(d: Duration) {
    if d.is_zero() {
        coroutine::yield_now();
    } else {
        coroutine::sleep(d);
    }
}
