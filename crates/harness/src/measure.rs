//! Timing one cell from outside: run it as a child process, take the wall time in
//! the parent and the CPU time and peak memory from the kernel.
//!
//! `compare` never times a model inside its own process: one cell is one child
//! process (`concurrency-models run ... --json`), so a runtime's threads, its
//! allocator arena and its page faults are all charged to the cell that caused them
//! and gone before the next one starts. The parent starts the clock before `spawn`
//! and stops it when `wait4` returns; `wait4` also reports the child's user and
//! system CPU time and its peak resident set (`ru_maxrss`). The child's own `VmHWM`
//! (read from `/proc/self/status` just before it exits) is the primary peak: an
//! exec'd child's `ru_maxrss` can carry the peak of the process it was forked from.
//! Outside Linux the child's own peak is its `getrusage` `ru_maxrss` (see [`os`]).
//!
//! Inside the child, the model's [`Probe`](crate::Probe) marks the measured phase;
//! its figures ride along in the [`Sample`] (`work_ns`, `work_cpu_ns`, the memory
//! at `begin`). With a [`CellCgroup`](crate::cgroup::CellCgroup), the child runs in a memory cgroup of its own
//! and the sample carries the cgroup's peak too.

use std::io::Read;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use crate::os;

/// What one child run cost, as the parent and the kernel saw it.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Sample {
    /// Parent-side wall time from spawn to reaped exit.
    pub wall_ns: u64,
    /// Child user CPU time.
    pub user_ns: u64,
    /// Child system CPU time.
    pub sys_ns: u64,
    /// Child peak resident set size (`ru_maxrss`).
    pub peak_rss_bytes: u64,
    /// The child's own `VmHWM` reading, when it reported one: the cross-check.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vm_hwm_bytes: Option<u64>,
    /// The child's resident set at the probe's `begin` (the runtime is up, no task
    /// exists yet): what per-task memory is counted above.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base_rss_bytes: Option<u64>,
    /// The model's measured phase, from its probe (`begin` to `end`).
    #[serde(default)]
    pub work_ns: u64,
    /// CPU time (user + system, all threads) of the measured phase.
    #[serde(default)]
    pub work_cpu_ns: u64,
    /// The cell's memory cgroup at `begin`, and its peak over the whole run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cgroup_base_bytes: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cgroup_peak: Option<crate::cgroup::CgroupPeak>,
    /// OS threads the model ran on (the probe's count at `begin`/`end`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub os_threads: Option<usize>,
    /// Crawl: CPU the delay server spent during this run, and the share of the
    /// machine's CPU time that was idle (from `/proc/stat`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub server_cpu_ns: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub machine_idle: Option<f64>,
    /// The measured phase's CPU split (all threads): user time, the model's own
    /// code, and system time, the kernel working for it (a crawl's TCP stack).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub work_user_ns: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub work_sys_ns: Option<u64>,
    /// The share of the machine's CPU that processes other than this run's child
    /// and the delay server used during the run (see [`others_share`]): how busy
    /// the machine was with work that is not being measured.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub others_share: Option<f64>,
    /// server, fairness, cancel: the headline the cell itself measured (a p99
    /// latency, the ticker's worst lateness, the time to a quiet server), in ns.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub headline_ns: Option<f64>,
    /// server, fairness, cancel: the rest of what the cell measured.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extra: Option<Extra>,
}

/// The figures of the workloads whose cell measures more than the probe does,
/// by name; each workload fills the ones it has (see `cell::CellFigures::extra`).
#[derive(Debug, Clone, Copy, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Extra {
    /// server: pages per second the client received.
    pub rate: Option<f64>,
    /// server: latency percentiles (from each request's intended send time);
    /// fairness: the ticker's lateness.
    pub p50_ns: Option<f64>,
    pub p99_ns: Option<f64>,
    pub p999_ns: Option<f64>,
    pub max_ns: Option<f64>,
    /// server: failed requests, of every kind.
    pub errors: Option<f64>,
    /// server: the most connections the model held at once.
    pub held: Option<f64>,
    /// server: the server's CPU (measured phase) per request answered.
    pub cpu_per_op_ns: Option<f64>,
    /// server: the generator's own p99 send lag: what the latencies can resolve.
    pub send_lag_p99_ns: Option<f64>,
    /// fairness: from `begin` to the last hog's last item.
    pub hogs_done_ns: Option<f64>,
    /// cancel: from the cancel to the model's return.
    pub returned_ns: Option<f64>,
    /// cancel: tasks, OS threads and sockets left after the model returned.
    pub tasks_left: Option<f64>,
    pub threads_left: Option<f64>,
    pub sockets_left: Option<f64>,
}

impl Sample {
    /// The peak resident set: the child's own `VmHWM` where it reported one.
    pub fn peak_bytes(&self) -> u64 {
        self.vm_hwm_bytes.unwrap_or(self.peak_rss_bytes)
    }

    /// Peak RSS above the child's RSS at `begin`: what the measured work added;
    /// `None` where the RSS at `begin` could not be read (not a 0 baseline, which
    /// would charge the runtime's own memory to the tasks).
    pub fn added_rss_bytes(&self) -> Option<u64> {
        Some(self.peak_bytes().saturating_sub(self.base_rss_bytes?))
    }

    /// The cgroup's peak above its charge at `begin`, kernel memory included.
    pub fn added_cgroup_bytes(&self) -> Option<u64> {
        Some(
            self.cgroup_peak?
                .total_bytes
                .saturating_sub(self.cgroup_base_bytes?),
        )
    }

    /// Everything outside the measured phase: process start, runtime build,
    /// teardown, verification, exit.
    pub fn startup_ns(&self) -> u64 {
        self.wall_ns.saturating_sub(self.work_ns)
    }
}

/// A finished child: its sample, exit status and what it printed.
#[derive(Debug, Clone)]
pub struct ChildRun {
    pub sample: Sample,
    /// The exit code, or `None` if a signal ended it.
    pub code: Option<i32>,
    /// The signal that ended it, if any.
    pub signal: Option<i32>,
    pub stdout: String,
    pub stderr: String,
    /// True if the parent killed it for running past its deadline.
    pub timed_out: bool,
}

/// Makes the child die with its parent: if `compare` is killed, no cell or server
/// it started is left running. (Ctrl-C reaches the whole process group anyway; a
/// `kill` of the parent alone would otherwise orphan them.) On Linux the kernel
/// sees to it (`PR_SET_PDEATHSIG`); elsewhere a child that is this binary watches
/// its parent itself (see [`os::die_with_parent`]).
pub fn die_with_parent(cmd: &mut Command) -> &mut Command {
    os::die_with_parent(cmd)
}

/// Runs `cmd` to completion (killing it after `deadline`) and measures it. The
/// child dies with the calling thread's process (see [`die_with_parent`]); with a
/// `cgroup`, it runs inside it and the sample carries the cgroup's peak.
pub fn run_child(
    cmd: &mut Command,
    deadline: Duration,
    cgroup: Option<&crate::cgroup::CellCgroup>,
) -> std::io::Result<ChildRun> {
    die_with_parent(cmd);
    if let Some(cg) = cgroup {
        cg.attach(cmd);
    }
    cmd.stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let start = Instant::now();
    let mut child = cmd.spawn()?;
    let pid = libc::pid_t::try_from(child.id()).map_err(std::io::Error::other)?;
    // Both pipes are drained on their own threads so a chatty child cannot block
    // on a full pipe while the parent waits for it.
    let mut out = child.stdout.take().expect("stdout was piped above");
    let mut err = child.stderr.take().expect("stderr was piped above");
    let out_reader = thread::spawn(move || {
        let mut s = String::new();
        let _ = out.read_to_string(&mut s);
        s
    });
    let err_reader = thread::spawn(move || {
        let mut s = String::new();
        let _ = err.read_to_string(&mut s);
        s
    });
    // The watchdog kills the child at the deadline unless told it is done.
    let (reaped, watch) = mpsc::channel::<()>();
    let watchdog = thread::spawn(move || {
        if watch.recv_timeout(deadline).is_err() {
            // SAFETY: kill has no memory effects; pid is our unreaped child.
            unsafe { libc::kill(pid, libc::SIGKILL) };
            return true;
        }
        false
    });
    let mut status = 0;
    // SAFETY: an all-zero rusage is a valid value of this plain C struct.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // The watchdog is stopped right after wait4 reaps the child. In the moment
    // between, the pid is free, but the watchdog only fires at the deadline, long
    // after a normal exit; a deadline hit in that moment is the one, tiny, race.
    let rc = loop {
        // SAFETY: status and usage are valid, writable locals; pid is our child.
        let rc = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
        if rc == -1 && std::io::Error::last_os_error().kind() == std::io::ErrorKind::Interrupted {
            continue;
        }
        break rc;
    };
    let wall = start.elapsed();
    let _ = reaped.send(());
    let timed_out = watchdog.join().unwrap_or(false);
    if rc == -1 {
        return Err(std::io::Error::last_os_error());
    }
    // std's Child would try to reap again on wait(); we never call it, and dropping
    // a Child does not wait.
    drop(child);
    let stdout = out_reader.join().unwrap_or_default();
    let stderr = err_reader.join().unwrap_or_default();
    let (code, signal) = if libc::WIFEXITED(status) {
        (Some(libc::WEXITSTATUS(status)), None)
    } else if libc::WIFSIGNALED(status) {
        (None, Some(libc::WTERMSIG(status)))
    } else {
        (None, None)
    };
    Ok(ChildRun {
        sample: Sample {
            wall_ns: u64::try_from(wall.as_nanos()).unwrap_or(u64::MAX),
            user_ns: os::timeval_ns(usage.ru_utime),
            sys_ns: os::timeval_ns(usage.ru_stime),
            // Kibibytes on Linux, bytes on macOS.
            peak_rss_bytes: os::maxrss_bytes(usage.ru_maxrss),
            vm_hwm_bytes: None,
            base_rss_bytes: None,
            work_ns: 0,
            work_cpu_ns: 0,
            cgroup_base_bytes: None,
            cgroup_peak: cgroup.and_then(|cg| cg.peak()),
            os_threads: None,
            server_cpu_ns: None,
            machine_idle: None,
            work_user_ns: None,
            work_sys_ns: None,
            others_share: None,
            headline_ns: None,
            extra: None,
        },
        code,
        signal,
        stdout,
        stderr,
        timed_out,
    })
}

/// Fewer machine clock ticks than this over a run (10 ms each on Linux, summed
/// over the cores) make the machine-wide shares noise: a 5 ms cell sees 0 or 1.
pub const MIN_MACHINE_TICKS: u64 = 10;

/// The share of the whole machine's CPU that other processes used during a run:
/// the machine's busy time over the run (`total_ticks - idle_ticks`, from
/// [`os::machine_cpu_ticks`] before and after) less `ours_ns`, the CPU of the
/// processes being measured (the child, from `wait4`, and the delay server), over
/// all the CPU time there was (`total_ticks`: wall time x cores). `None` for a run
/// too short to tell ([`MIN_MACHINE_TICKS`]).
pub fn others_share(total_ticks: u64, idle_ticks: u64, tick_ns: f64, ours_ns: u64) -> Option<f64> {
    if total_ticks < MIN_MACHINE_TICKS || tick_ns <= 0.0 {
        return None;
    }
    let all = total_ticks as f64 * tick_ns;
    let busy = total_ticks.saturating_sub(idle_ticks) as f64 * tick_ns;
    // Ticks are sampled and `wait4` is exact, so a quiet machine can come out a
    // little below zero: that is none.
    Some(((busy - ours_ns as f64) / all).clamp(0.0, 1.0))
}

/// The median of some values (the mean of the middle two for an even count).
pub fn median(values: &[u64]) -> Option<u64> {
    let mut v = values.to_vec();
    v.sort_unstable();
    let n = v.len();
    match n {
        0 => None,
        _ if n % 2 == 1 => Some(v[n / 2]),
        _ => Some(v[n / 2 - 1] / 2 + v[n / 2] / 2 + (v[n / 2 - 1] % 2 + v[n / 2] % 2) / 2),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn medians() {
        assert_eq!(median(&[]), None);
        assert_eq!(median(&[5]), Some(5));
        assert_eq!(median(&[9, 1, 5]), Some(5));
        assert_eq!(median(&[1, 2, 3, 10]), Some(2));
        assert_eq!(median(&[u64::MAX, u64::MAX]), Some(u64::MAX));
    }

    #[test]
    fn others_share_is_what_the_measured_processes_did_not_use() {
        // 2 cores for 1 s at 10 ms a tick: 200 ticks, 50 of them idle; the child
        // used 1 s of CPU, the server 0.1 s: others 0.4 s of the 2 s there were.
        let share = others_share(200, 50, 1e7, 1_100_000_000).unwrap();
        assert!((share - 0.2).abs() < 1e-9, "{share}");
        // The child alone kept the machine busy: nobody else.
        assert_eq!(others_share(200, 0, 1e7, 2_050_000_000), Some(0.0));
        assert_eq!(others_share(5, 0, 1e7, 0), None, "too short to tell");
    }

    #[test]
    fn measures_a_child_from_outside() {
        // A shell that burns a little CPU, then exits 3.
        let run = run_child(
            Command::new("sh").args([
                "-c",
                "i=0; while [ $i -lt 20000 ]; do i=$((i+1)); done; echo hi; exit 3",
            ]),
            Duration::from_secs(30),
            None,
        )
        .unwrap();
        assert_eq!(run.code, Some(3));
        assert_eq!(run.stdout, "hi\n");
        assert!(!run.timed_out);
        assert!(run.sample.user_ns + run.sample.sys_ns > 0);
        assert!(run.sample.wall_ns > 0);
        assert!(run.sample.peak_rss_bytes > 0);
    }

    #[test]
    fn a_child_past_its_deadline_is_killed() {
        let run = run_child(
            Command::new("sleep").arg("30"),
            Duration::from_millis(100),
            None,
        )
        .unwrap();
        assert!(run.timed_out);
        assert_eq!(run.signal, Some(libc::SIGKILL));
        assert!(run.sample.wall_ns < 20_000_000_000);
    }
}
