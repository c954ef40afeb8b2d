//! What this machine lets a run start: open files, OS threads, memory mappings.
//!
//! A workload that needs more than the machine allows must say so in one line that
//! names the limit and how to raise it, before it starts, rather than crash halfway
//! (a failed `pthread_create`, `EMFILE` on the 1021st socket, a segfault when a
//! coroutine stack cannot be mapped). This module reads the limits and raises the
//! one a process may raise itself: the soft open-file limit, up to the hard one.

use std::fs;
use std::io;

use crate::os;

/// The (soft, hard) open-file limits of this process.
pub fn nofile() -> io::Result<(u64, u64)> {
    os::nofile_limits()
}

/// Raises the soft open-file limit to the hard limit; returns the new soft limit.
/// Servers and crawlers with thousands of sockets need it; the default soft limit
/// is often 1024. On macOS the ceiling is `kern.maxfilesperproc` where that is
/// lower: `setrlimit` refuses more, and the hard limit there is often "unlimited".
pub fn raise_nofile() -> io::Result<u64> {
    let (soft, hard) = nofile()?;
    let ceiling = os::nofile_ceiling().map_or(hard, |c| c.min(hard));
    if soft < ceiling {
        os::set_nofile_limits(ceiling, hard)?;
    }
    Ok(ceiling.max(soft))
}

/// Raises the open-file limit and checks that `needed` descriptors fit under it,
/// or says which limit is too low and how to raise it.
pub fn ensure_nofile(needed: u64, what: &str) -> Result<(), String> {
    let limit = raise_nofile().map_err(|e| format!("cannot read the open-file limit: {e}"))?;
    if needed > limit {
        return Err(format!(
            "{what} needs about {needed} open files but the hard limit is {limit}; \
             raise it (e.g. `ulimit -Hn {needed}` as root, or `LimitNOFILE=` for a service) \
             or ask for fewer"
        ));
    }
    Ok(())
}

/// The most OS threads this process can expect to start, and the limit that sets it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ThreadLimit {
    pub max: usize,
    pub reason: String,
}

/// The tightest of the limits on starting threads: the system's own
/// ([`os::thread_limits`]: on Linux `kernel.threads-max`, `kernel.pid_max` (every
/// thread takes a pid) and the cgroup's `pids.max`; on macOS the per-process and
/// machine-wide thread limits), the per-user `RLIMIT_NPROC`, and
/// `vm.max_map_count` (a Rust std thread takes four mappings: its stack and guard
/// page, and the alternate signal stack std installs for stack-overflow reports,
/// with its own guard; measured: 42 mappings with 1 thread, 4,066 with 1,000; Linux
/// only). Each is reduced by what is already in use where that can be read, with a
/// margin for the rest of the system.
pub fn os_threads() -> ThreadLimit {
    const MAPPINGS_PER_THREAD: u64 = 4;
    let margin = 256;
    let mut candidates: Vec<(u64, String)> = os::thread_limits(margin);
    if let Some(v) = max_map_count() {
        let used = current_map_count().unwrap_or(0);
        candidates.push((
            v.saturating_sub(used + margin) / MAPPINGS_PER_THREAD,
            format!(
                "vm.max_map_count is {v} and each thread takes {MAPPINGS_PER_THREAD} \
                 mappings (raise with `sysctl -w vm.max_map_count=N`)"
            ),
        ));
    }
    if let Some(v) = os::nproc_limit() {
        candidates.push((
            v.saturating_sub(margin),
            format!("the per-user process limit (ulimit -u) is {v}, and it counts threads"),
        ));
    }
    let (max, reason) = candidates
        .into_iter()
        .min_by_key(|(v, _)| *v)
        .unwrap_or((u64::MAX, "no limit could be read".into()));
    ThreadLimit {
        max: usize::try_from(max).unwrap_or(usize::MAX),
        reason,
    }
}

/// `vm.max_map_count`: how many memory mappings one process may have (Linux; `None`
/// elsewhere, see [`os::max_map_count`]).
pub fn max_map_count() -> Option<u64> {
    os::max_map_count()
}

/// How many mappings this process has now (Linux; `None` elsewhere).
pub fn current_map_count() -> Option<u64> {
    os::map_count()
}

/// Threads in this process now, for leak checks ([`os::thread_count`]).
pub fn thread_count() -> Option<usize> {
    os::thread_count()
}

/// Peak resident set size of this process so far, in bytes ([`os::peak_rss_bytes`]).
pub fn peak_rss_bytes() -> Option<u64> {
    os::peak_rss_bytes()
}

/// Resident set size of this process now, in bytes ([`os::rss_bytes`]).
pub fn rss_bytes() -> Option<u64> {
    os::rss_bytes()
}

/// The memory cgroup this process is in, as a folder under `/sys/fs/cgroup`, and
/// whether it is cgroup v2 (`memory.current`) or v1 (`memory.usage_in_bytes`);
/// `None` outside Linux ([`os::own_memory_cgroup`]).
pub fn own_memory_cgroup() -> Option<(std::path::PathBuf, bool)> {
    os::own_memory_cgroup()
}

/// What this process's memory cgroup holds now (user pages, kernel stacks, page
/// tables, socket buffers), in bytes. Meaningful when the run has a cgroup of its
/// own, as `compare` gives each cell.
pub fn own_cgroup_memory_bytes() -> Option<u64> {
    let (dir, v2) = own_memory_cgroup()?;
    let file = if v2 {
        "memory.current"
    } else {
        "memory.usage_in_bytes"
    };
    fs::read_to_string(dir.join(file)).ok()?.trim().parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raising_nofile_reaches_the_hard_limit() {
        let hard = raise_nofile().unwrap();
        assert_eq!(nofile().unwrap().0, hard);
        assert!(ensure_nofile(16, "this test").is_ok());
        let err = ensure_nofile(hard + 1, "a crawl of a lot").unwrap_err();
        assert!(err.starts_with("a crawl of a lot needs about"), "{err}");
        assert!(err.contains(&format!("hard limit is {hard}")), "{err}");
    }

    #[test]
    fn thread_limit_is_positive_and_explained() {
        let lim = os_threads();
        assert!(lim.max > 0);
        assert!(!lim.reason.is_empty());
    }

    #[test]
    #[cfg(target_os = "linux")]
    fn process_readings_are_available_on_linux() {
        assert!(thread_count().unwrap() >= 1);
        // Read the current RSS first: the peak, read after, can only be as large.
        let now = rss_bytes().unwrap();
        assert!(peak_rss_bytes().unwrap() >= now && now > 0);
        assert!(current_map_count().unwrap() > 0);
        assert!(max_map_count().unwrap() > 0);
    }
}
