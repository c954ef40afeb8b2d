//! The probe: what a model tells the harness about its own run, so that per-operation
//! figures are marginal costs and the equal-work rules can be checked.
//!
//! Every spec carries a [`Probe`]. A model calls [`Probe::begin`] once its runtime
//! is up (thread pool built, event loop created, coroutine pool sized) and just
//! before the workload's first task exists, and [`Probe::end`] once the workload's
//! answer is known and before the runtime is torn down. What lies between is the
//! *measured phase*: its wall time, its CPU time (all threads of the process, from
//! `getrusage(RUSAGE_SELF)`) and the memory it added are what the per-operation
//! columns divide. Everything outside it (process start, runtime build, teardown,
//! verification, exit) is the *start-up* column, so a runtime that is expensive to
//! build is shown as such and not smeared over every round trip.
//!
//! The probe is also the spawn workload's gauge: each task holds an [`Alive`] from
//! [`Probe::enter`] while it lives, and the probe keeps the peak number alive at
//! once, which `verify` requires to be `n` (memory per task means nothing if the
//! first tasks were gone before the last ones started).
//!
//! A model that forgets either mark fails the run: a figure whose phases are
//! unknown is not a figure. The conformance suite checks the marks for every
//! workload.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Instant;

use crate::limits;

/// One point in a run: when, and what the process had spent by then.
#[derive(Debug, Clone, Copy)]
struct Mark {
    at: Instant,
    user_ns: u64,
    sys_ns: u64,
    rss_bytes: Option<u64>,
    cgroup_bytes: Option<u64>,
    os_threads: Option<usize>,
}

impl Mark {
    /// Reads the process's counters, stamped `at`. The clock is read last when
    /// opening a phase and first when closing one (see the callers), so the reading
    /// itself stays outside the phase.
    fn read(at: Instant, with_memory: bool) -> Self {
        let (user_ns, sys_ns) = crate::os::self_cpu_ns();
        Self {
            at,
            user_ns,
            sys_ns,
            rss_bytes: with_memory.then(limits::rss_bytes).flatten(),
            cgroup_bytes: with_memory.then(limits::own_cgroup_memory_bytes).flatten(),
            os_threads: limits::thread_count(),
        }
    }
}

#[derive(Debug)]
struct Inner {
    created: Instant,
    begin: OnceLock<Mark>,
    end: OnceLock<Mark>,
    alive: AtomicU64,
    peak_alive: AtomicU64,
}

/// The harness's instrument inside one model call. Cloning shares it, so tasks on
/// any thread can hold a clone.
#[derive(Debug, Clone)]
pub struct Probe(Arc<Inner>);

impl Default for Probe {
    fn default() -> Self {
        Self(Arc::new(Inner {
            created: Instant::now(),
            begin: OnceLock::new(),
            end: OnceLock::new(),
            alive: AtomicU64::new(0),
            peak_alive: AtomicU64::new(0),
        }))
    }
}

/// A probe is an instrument, not part of what a spec asks: two specs that ask the
/// same work are equal whatever their probes have seen.
impl PartialEq for Probe {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl Eq for Probe {}

impl Probe {
    /// The runtime is up; the measured work starts now. Only the first call counts.
    pub fn begin(&self) {
        let mark = Mark::read(Instant::now(), true);
        let _ = self.0.begin.set(Mark {
            at: Instant::now(),
            ..mark
        });
    }

    /// The workload's answer is known; teardown starts now. Only the first call
    /// after [`begin`](Self::begin) counts.
    pub fn end(&self) {
        let at = Instant::now();
        if self.0.begin.get().is_some() {
            let _ = self.0.end.set(Mark::read(at, false));
        }
    }

    /// Runs `work` as the measured phase: `begin`, `work`, `end`.
    pub fn measure<T>(&self, work: impl FnOnce() -> T) -> T {
        self.begin();
        let out = work();
        self.end();
        out
    }

    /// A task starts living: hold the guard until the task ends.
    pub fn enter(&self) -> Alive {
        let now = self.0.alive.fetch_add(1, Ordering::Relaxed) + 1;
        self.0.peak_alive.fetch_max(now, Ordering::Relaxed);
        Alive(self.clone())
    }

    /// When [`begin`](Self::begin) was called, once it was.
    pub fn begun_at(&self) -> Option<Instant> {
        self.0.begin.get().map(|m| m.at)
    }

    /// Blocks until [`begin`](Self::begin) is called or `timeout` passes; true
    /// if it was. (The server workload's load starts only once the model listens.)
    pub fn wait_begun(&self, timeout: std::time::Duration) -> bool {
        let deadline = Instant::now() + timeout;
        while self.0.begin.get().is_none() {
            if Instant::now() >= deadline {
                return false;
            }
            std::thread::sleep(std::time::Duration::from_micros(200));
        }
        true
    }

    /// Tasks holding an [`Alive`] now: after a run, the ones the model left behind.
    pub fn alive_now(&self) -> u64 {
        self.0.alive.load(Ordering::Relaxed)
    }

    /// The most tasks that held an [`Alive`] at the same time.
    pub fn peak_alive(&self) -> u64 {
        self.0.peak_alive.load(Ordering::Relaxed)
    }

    /// What the probe saw, once both marks were made; `None` if a mark is missing.
    pub fn phases(&self) -> Option<Phases> {
        let (b, e) = (self.0.begin.get()?, self.0.end.get()?);
        let ns = |d: std::time::Duration| u64::try_from(d.as_nanos()).unwrap_or(u64::MAX);
        Some(Phases {
            setup_ns: ns(b.at.saturating_duration_since(self.0.created)),
            work_ns: ns(e.at.saturating_duration_since(b.at)),
            work_user_ns: e.user_ns.saturating_sub(b.user_ns),
            work_sys_ns: e.sys_ns.saturating_sub(b.sys_ns),
            rss_at_begin_bytes: b.rss_bytes,
            cgroup_at_begin_bytes: b.cgroup_bytes,
            os_threads: b.os_threads.min(e.os_threads).or(b.os_threads),
            peak_alive: self.peak_alive(),
        })
    }
}

/// A task of the spawn workload, alive; dropping it marks the task gone.
#[derive(Debug)]
pub struct Alive(Probe);

impl Drop for Alive {
    fn drop(&mut self) {
        self.0.0.alive.fetch_sub(1, Ordering::Relaxed);
    }
}

/// The measured phase of one model call, as its probe saw it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Phases {
    /// From the harness handing over the spec to [`Probe::begin`]: runtime build.
    pub setup_ns: u64,
    /// From `begin` to `end`: what the per-operation figures divide.
    pub work_ns: u64,
    /// User CPU of the whole process during the measured phase.
    pub work_user_ns: u64,
    /// System CPU of the whole process during the measured phase.
    pub work_sys_ns: u64,
    /// Resident set at `begin`: the runtime is up, no task exists yet.
    pub rss_at_begin_bytes: Option<u64>,
    /// The process's memory cgroup usage at `begin` (user and kernel memory), when
    /// the run has a cgroup of its own.
    pub cgroup_at_begin_bytes: Option<u64>,
    /// OS threads alive both at `begin` and at `end` (the fewer of the two
    /// counts): the runtime's own threads, which the work ran on. Threads that are
    /// the workload's tasks (one per task in `threads` and `crossbeam`) start and
    /// end inside the phase and are not counted.
    pub os_threads: Option<usize>,
    /// The spawn gauge's peak (0 for workloads that do not use it).
    pub peak_alive: u64,
}

impl Phases {
    /// CPU time of the measured phase.
    pub fn work_cpu_ns(&self) -> u64 {
        self.work_user_ns + self.work_sys_ns
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn phases_need_both_marks() {
        let p = Probe::default();
        assert!(p.phases().is_none());
        p.end(); // an end without a begin is ignored
        assert!(p.phases().is_none());
        p.begin();
        assert!(p.phases().is_none());
        p.end();
        assert!(p.phases().is_some());
    }

    #[test]
    fn setup_and_work_are_apart() {
        let p = Probe::default();
        std::thread::sleep(Duration::from_millis(30));
        p.measure(|| std::thread::sleep(Duration::from_millis(10)));
        let ph = p.phases().unwrap();
        assert!(ph.setup_ns >= 30_000_000, "{ph:?}");
        assert!(
            ph.work_ns >= 10_000_000 && ph.work_ns < 30_000_000,
            "{ph:?}"
        );
        assert!(ph.rss_at_begin_bytes.is_some());
    }

    #[test]
    fn the_gauge_keeps_the_peak() {
        let p = Probe::default();
        let a = p.enter();
        let b = p.enter();
        drop(a);
        let c = p.enter();
        drop((b, c));
        let _d = p.enter();
        assert_eq!(p.peak_alive(), 2);
    }
}
