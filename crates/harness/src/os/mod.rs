//! Everything the harness asks of the operating system beyond plain POSIX, in one
//! place: the files under `/proc` and `/sys`, `prctl`, and what stands in for them
//! elsewhere.
//!
//! The harness measures on Linux; students also run it on macOS. Every reading that
//! only Linux has lives in `linux.rs`; `portable.rs` answers the same calls on every
//! other Unix, with `macos.rs` for the few that macOS can answer its own way
//! (`sysctlbyname`, `proc_pidinfo`, the Mach host statistics). A reading that this
//! system cannot take comes back `None` (or empty), never 0, and reports show it as
//! "not measured" or "n/a"; [`unmeasured`] lists them for the report's context.
//! `docs/measuring.md` ("Linux and other systems") lists the whole surface.
//!
//! What is here and not in the per-system files is plain POSIX, the same
//! everywhere: `getrusage`, `getloadavg`, `uname`, `kill(pid, 0)`, and the unit of
//! `ru_maxrss`.

use std::path::PathBuf;
use std::process::Command;

#[cfg(target_os = "linux")]
mod linux;
#[cfg(target_os = "linux")]
use linux as imp;

#[cfg(target_os = "macos")]
mod macos;
#[cfg(not(target_os = "linux"))]
mod portable;
#[cfg(not(target_os = "linux"))]
use portable as imp;

// ---- This process --------------------------------------------------------------

/// Threads in this process now, for the probe's thread count and leak checks.
/// Linux: the entries of `/proc/self/task`. macOS: `proc_pidinfo`'s thread count.
/// Elsewhere: `None`.
pub fn thread_count() -> Option<usize> {
    imp::thread_count()
}

/// Sockets this process holds open now, for the cancel workload's leak check.
/// Linux: the entries of `/proc/self/fd` that link to `socket:[...]`.
/// Elsewhere: `None` (not measured).
pub fn open_sockets() -> Option<usize> {
    imp::open_sockets()
}

/// This process's resident set now, in bytes: what per-task memory is counted
/// above. Linux: `VmRSS` in `/proc/self/status`. macOS: `proc_pidinfo`'s resident
/// size. Elsewhere: `None`.
pub fn rss_bytes() -> Option<u64> {
    imp::rss_bytes()
}

/// This process's peak resident set so far, in bytes. Linux: `VmHWM` in
/// `/proc/self/status`. Elsewhere: `getrusage(RUSAGE_SELF)`'s `ru_maxrss`.
pub fn peak_rss_bytes() -> Option<u64> {
    imp::peak_rss_bytes()
}

/// How many memory mappings this process holds now. Linux: the lines of
/// `/proc/self/maps`. Elsewhere: `None` (and [`max_map_count`] is `None` too).
pub fn map_count() -> Option<u64> {
    imp::map_count()
}

/// User and system CPU time of this whole process (every thread, live or ended),
/// in nanoseconds, from `getrusage(RUSAGE_SELF)`; zeros if it fails.
pub fn self_cpu_ns() -> (u64, u64) {
    // SAFETY: an all-zero rusage is a valid value of this plain C struct.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: getrusage writes one rusage through a valid pointer to a local.
    if unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut usage) } != 0 {
        return (0, 0);
    }
    (timeval_ns(usage.ru_utime), timeval_ns(usage.ru_stime))
}

/// A `timeval` in nanoseconds.
pub fn timeval_ns(tv: libc::timeval) -> u64 {
    let secs = u64::try_from(tv.tv_sec).unwrap_or(0);
    let micros = u64::try_from(tv.tv_usec).unwrap_or(0);
    secs * 1_000_000_000 + micros * 1_000
}

/// `ru_maxrss` (from `getrusage` or `wait4`) in bytes: macOS and the other Apple
/// systems give bytes, Linux and the BSDs kibibytes.
pub fn maxrss_bytes(ru_maxrss: libc::c_long) -> u64 {
    let unit = if cfg!(target_vendor = "apple") {
        1
    } else {
        1024
    };
    u64::try_from(ru_maxrss).unwrap_or(0) * unit
}

// ---- Other processes -----------------------------------------------------------

/// CPU time (user + system) process `pid` has spent so far, in nanoseconds: the
/// delay server's, read around each crawl run. Linux: `/proc/<pid>/stat`. macOS:
/// `proc_pidinfo`'s task times, converted from Mach time units. Elsewhere: `None`.
pub fn process_cpu_ns(pid: u32) -> Option<u64> {
    imp::process_cpu_ns(pid)
}

/// Whether a process with this pid exists (a zombie counts): `kill(pid, 0)`.
pub fn process_alive(pid: u32) -> bool {
    let Ok(pid) = libc::pid_t::try_from(pid) else {
        return false;
    };
    // SAFETY: signal 0 sends nothing; kill only checks that the pid exists.
    let rc = unsafe { libc::kill(pid, 0) };
    // EPERM: it exists, but belongs to someone else.
    rc == 0 || std::io::Error::last_os_error().raw_os_error() == Some(libc::EPERM)
}

/// Makes `cmd`'s child die with this process, so a `compare` killed outright
/// leaves no cell or delay server running. Linux: `prctl(PR_SET_PDEATHSIG,
/// SIGKILL)` between `fork` and `exec`. Elsewhere the child must watch for itself:
/// `cmd` gets [`PARENT_ENV`] set to this process's pid, and a child that is this
/// binary calls [`exit_with_parent_if_asked`] first thing (any other program, such
/// as `sh` in the tests, outlives a killed parent there).
pub fn die_with_parent(cmd: &mut Command) -> &mut Command {
    imp::die_with_parent(cmd)
}

/// The variable [`die_with_parent`] sets outside Linux: the pid of the parent the
/// child must not outlive.
pub const PARENT_ENV: &str = "CM_DIE_WITH_PARENT";

/// Outside Linux: if this process was started by [`die_with_parent`] (its parent's
/// pid is in [`PARENT_ENV`]), starts a thread that kills this process with SIGKILL
/// within a tenth of a second of that parent's death, as `PR_SET_PDEATHSIG` would.
/// On Linux the kernel does it and this does nothing.
pub fn exit_with_parent_if_asked() {
    imp::exit_with_parent_if_asked();
}

// ---- This machine ---------------------------------------------------------------

/// The CPU's model name. Linux: `model name` in `/proc/cpuinfo`. macOS: the sysctl
/// `machdep.cpu.brand_string`. Elsewhere: `None` (the fingerprint then shows the
/// architecture).
pub fn cpu_model() -> Option<String> {
    imp::cpu_model()
}

/// The kernel's name and release, as `uname -sr` prints them (`Linux 6.8.0`,
/// `Darwin 23.4.0`).
pub fn kernel() -> Option<String> {
    // SAFETY: an all-zero utsname (arrays of C chars) is a valid value.
    let mut u: libc::utsname = unsafe { std::mem::zeroed() };
    // SAFETY: uname writes one utsname through a valid pointer to a local.
    if unsafe { libc::uname(&mut u) } != 0 {
        return None;
    }
    let field = |chars: &[libc::c_char]| -> String {
        let bytes: Vec<u8> = chars
            .iter()
            .take_while(|c| **c != 0)
            .map(|c| c.to_ne_bytes()[0])
            .collect();
        String::from_utf8_lossy(&bytes).into_owned()
    };
    Some(format!("{} {}", field(&u.sysname), field(&u.release)))
}

/// The kernel settings that shape a crawl, by name, for the report's context.
/// Linux: `net.core.somaxconn`, `net.ipv4.tcp_tw_reuse` and
/// `net.ipv4.ip_local_port_range` from `/proc/sys`. macOS: `kern.ipc.somaxconn` and
/// `net.inet.ip.portrange.first`/`last` by sysctl. Elsewhere: none.
pub fn kernel_knobs() -> Vec<(String, String)> {
    imp::kernel_knobs()
}

/// The 1-, 5- and 15-minute load averages (`getloadavg`), as `uptime` prints them.
pub fn loadavg() -> Option<String> {
    let mut avg = [0f64; 3];
    // SAFETY: getloadavg writes at most 3 doubles into a 3-element local array.
    let n = unsafe { libc::getloadavg(avg.as_mut_ptr(), 3) };
    (n == 3).then(|| format!("{:.2} {:.2} {:.2}", avg[0], avg[1], avg[2]))
}

/// The CPU time the whole machine has spent so far, in all and idle, in clock
/// ticks: two readings give the idle share between them. Linux: the first line of
/// `/proc/stat` (idle + iowait count as idle). macOS: `host_statistics`'s
/// `HOST_CPU_LOAD_INFO`. Elsewhere: `None`.
pub fn machine_cpu_ticks() -> Option<(u64, u64)> {
    imp::machine_cpu_ticks()
}

/// How long one of [`machine_cpu_ticks`]'s ticks is, in nanoseconds:
/// `sysconf(_SC_CLK_TCK)` (POSIX; 100 a second on Linux and macOS).
pub fn clock_tick_ns() -> Option<f64> {
    // SAFETY: sysconf reads a constant and has no preconditions.
    let hz = unsafe { libc::sysconf(libc::_SC_CLK_TCK) };
    (hz > 0).then(|| 1e9 / hz as f64)
}

// ---- Limits ---------------------------------------------------------------------

/// The system's own limits on how many threads this process can start, each with
/// the number that can still be started under it and a sentence naming it and how
/// to raise it. Linux: `kernel.threads-max` and `kernel.pid_max` (less the tasks
/// running, from `/proc/loadavg`), and the cgroup's `pids.max`. macOS: the sysctls
/// `kern.num_taskthreads` (per process) and `kern.num_threads` (the whole
/// machine). Elsewhere: none. `RLIMIT_NPROC` and the mapping limit are added by
/// [`crate::limits::os_threads`] itself.
pub fn thread_limits(margin: u64) -> Vec<(u64, String)> {
    imp::thread_limits(margin)
}

/// The (soft, hard) open-file limits of this process: `getrlimit(RLIMIT_NOFILE)`.
pub fn nofile_limits() -> std::io::Result<(u64, u64)> {
    let mut lim = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit writes one rlimit through a valid pointer to a local.
    if unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim) } != 0 {
        return Err(std::io::Error::last_os_error());
    }
    Ok((from_rlim(lim.rlim_cur), from_rlim(lim.rlim_max)))
}

/// Sets this process's open-file limits: `setrlimit(RLIMIT_NOFILE)`.
pub fn set_nofile_limits(soft: u64, hard: u64) -> std::io::Result<()> {
    let lim = libc::rlimit {
        rlim_cur: to_rlim(soft),
        rlim_max: to_rlim(hard),
    };
    // SAFETY: setrlimit reads one rlimit through a valid pointer to a local.
    if unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, &lim) } != 0 {
        return Err(std::io::Error::last_os_error());
    }
    Ok(())
}

/// The per-user process limit (`RLIMIT_NPROC`, soft), where it holds this process
/// back: `None` for root, which it does not bind, and where it is unlimited.
pub fn nproc_limit() -> Option<u64> {
    // SAFETY: geteuid has no preconditions and cannot fail.
    if unsafe { libc::geteuid() } == 0 {
        return None;
    }
    let mut lim = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit writes one rlimit through a valid pointer to a local.
    if unsafe { libc::getrlimit(libc::RLIMIT_NPROC, &mut lim) } != 0 {
        return None;
    }
    (lim.rlim_cur != libc::RLIM_INFINITY).then(|| from_rlim(lim.rlim_cur))
}

// `rlim_t` is u64 on Linux and macOS and i64 on FreeBSD.
#[allow(clippy::useless_conversion, clippy::unnecessary_fallible_conversions)]
fn from_rlim(v: libc::rlim_t) -> u64 {
    u64::try_from(v).unwrap_or(0)
}

#[allow(clippy::useless_conversion, clippy::unnecessary_fallible_conversions)]
fn to_rlim(v: u64) -> libc::rlim_t {
    libc::rlim_t::try_from(v).unwrap_or(libc::RLIM_INFINITY)
}

/// The most a process's soft open-file limit may be raised to, where that is less
/// than its hard limit. macOS: the sysctl `kern.maxfilesperproc` (`setrlimit`
/// refuses more, and the hard limit is often "unlimited"). Elsewhere: `None`, the
/// hard limit is the ceiling.
pub fn nofile_ceiling() -> Option<u64> {
    imp::nofile_ceiling()
}

/// `vm.max_map_count`: how many memory mappings one process may have. Linux:
/// `/proc/sys/vm/max_map_count`. Elsewhere: `None` (macOS has no such limit).
pub fn max_map_count() -> Option<u64> {
    imp::max_map_count()
}

// ---- Memory cgroups --------------------------------------------------------------

/// The cgroup v1 memory hierarchy's root, where one is mounted: Linux
/// `/sys/fs/cgroup/memory` (if it has `memory.usage_in_bytes`). Elsewhere: `None`.
pub fn cgroup_v1_memory_root() -> Option<PathBuf> {
    imp::cgroup_v1_memory_root()
}

/// The memory cgroup this process is in, as a folder, and whether it is cgroup v2.
/// Linux: `/proc/self/cgroup`, resolved under `/sys/fs/cgroup`. Elsewhere: `None`.
pub fn own_memory_cgroup() -> Option<(PathBuf, bool)> {
    imp::own_memory_cgroup()
}

/// Why `compare` makes no memory cgroups here, for the report's context.
pub fn no_cgroup_reason() -> &'static str {
    imp::NO_CGROUP_REASON
}

// ---- What the report must say ----------------------------------------------------

/// What this system cannot measure at all, in words, for the report's context;
/// empty on Linux. (What could not be measured on one run, such as a cgroup that
/// could not be made, is said where it happens.)
pub fn unmeasured() -> &'static [&'static str] {
    imp::UNMEASURED
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn posix_readings() {
        let (user, sys) = self_cpu_ns();
        // Burn a little so the clock has moved whatever its resolution.
        let mut x = 0u64;
        for i in 0..5_000_000u64 {
            x = std::hint::black_box(x.wrapping_add(i));
        }
        let (user2, sys2) = self_cpu_ns();
        assert!(user2 + sys2 > user + sys);
        assert!(peak_rss_bytes().unwrap() > 1 << 20);
        let k = kernel().unwrap();
        assert!(k.split_whitespace().count() >= 2, "{k}");
        assert_eq!(loadavg().unwrap().split_whitespace().count(), 3);
        assert!(process_alive(std::process::id()));
    }

    #[test]
    fn a_reaped_child_is_not_alive() {
        let mut child = Command::new("true").spawn().unwrap();
        let pid = child.id();
        child.wait().unwrap();
        assert!(!process_alive(pid));
    }

    #[test]
    fn maxrss_units() {
        let expect = if cfg!(target_vendor = "apple") {
            10
        } else {
            10 * 1024
        };
        assert_eq!(maxrss_bytes(10), expect);
        assert_eq!(maxrss_bytes(-1), 0);
    }

    #[test]
    fn this_system_says_what_it_measures() {
        if cfg!(target_os = "linux") {
            assert!(unmeasured().is_empty());
            assert!(thread_count().unwrap() >= 1);
            let now = rss_bytes().unwrap();
            assert!(peak_rss_bytes().unwrap() >= now && now > 0);
            assert!(map_count().unwrap() > 0);
            assert!(process_cpu_ns(std::process::id()).is_some());
            assert!(machine_cpu_ticks().is_some());
            assert!(clock_tick_ns().is_some_and(|ns| ns > 0.0));
        }
        if cfg!(target_os = "macos") {
            assert!(thread_count().unwrap() >= 1);
            assert!(rss_bytes().unwrap() > 0);
            assert!(process_cpu_ns(std::process::id()).is_some());
        }
        // Whatever the system, a reading it has is never a made-up zero.
        assert_ne!(thread_count(), Some(0));
        assert_ne!(rss_bytes(), Some(0));
    }
}
