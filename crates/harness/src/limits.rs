//! What this machine lets a run start: open files, OS threads, memory mappings.
//!
//! A workload that needs more than the machine allows must say so in one line that
//! names the limit and how to raise it, before it starts, rather than crash halfway
//! (a failed `pthread_create`, `EMFILE` on the 1021st socket, a segfault when a
//! coroutine stack cannot be mapped). This module reads the limits and raises the
//! one a process may raise itself: the soft open-file limit, up to the hard one.

use std::fs;
use std::io;

/// The (soft, hard) open-file limits of this process.
pub fn nofile() -> io::Result<(u64, u64)> {
    let mut lim = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit writes one rlimit through a valid pointer to a local.
    if unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim) } != 0 {
        return Err(io::Error::last_os_error());
    }
    Ok((lim.rlim_cur, lim.rlim_max))
}

/// Raises the soft open-file limit to the hard limit; returns the new soft limit.
/// Servers and crawlers with thousands of sockets need it; the default soft limit
/// is often 1024.
pub fn raise_nofile() -> io::Result<u64> {
    let (soft, hard) = nofile()?;
    if soft < hard {
        let lim = libc::rlimit {
            rlim_cur: hard,
            rlim_max: hard,
        };
        // SAFETY: setrlimit reads one rlimit through a valid pointer to a local.
        if unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, &lim) } != 0 {
            return Err(io::Error::last_os_error());
        }
    }
    Ok(hard)
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

fn read_u64(path: &str) -> Option<u64> {
    fs::read_to_string(path).ok()?.trim().parse().ok()
}

/// The tightest of the limits on starting threads: `kernel.threads-max`,
/// `kernel.pid_max` (every thread takes a pid), the cgroup's `pids.max`, the
/// per-user `RLIMIT_NPROC`, and `vm.max_map_count` (a thread's stack and its guard
/// page are two mappings). Each is reduced by what is already in use where that can
/// be read, with a margin for the rest of the system.
pub fn os_threads() -> ThreadLimit {
    // The fourth field of /proc/loadavg is "runnable/total" tasks on the system.
    let running = fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|s| s.split_whitespace().nth(3)?.split('/').nth(1)?.parse().ok())
        .unwrap_or(0u64);
    let margin = 256;
    let mut candidates: Vec<(u64, String)> = Vec::new();
    if let Some(v) = read_u64("/proc/sys/kernel/threads-max") {
        candidates.push((
            v.saturating_sub(running + margin),
            format!("kernel.threads-max is {v} (raise with `sysctl -w kernel.threads-max=N`)"),
        ));
    }
    if let Some(v) = read_u64("/proc/sys/kernel/pid_max") {
        candidates.push((
            v.saturating_sub(running + margin),
            format!(
                "kernel.pid_max is {v} and every thread takes a pid \
                 (raise with `sysctl -w kernel.pid_max=4194304`)"
            ),
        ));
    }
    if let Some(v) = read_u64("/sys/fs/cgroup/pids.max") {
        candidates.push((
            v.saturating_sub(margin),
            format!("this cgroup's pids.max is {v}"),
        ));
    }
    if let Some(v) = max_map_count() {
        let used = current_map_count().unwrap_or(0);
        candidates.push((
            v.saturating_sub(used + margin) / 2,
            format!(
                "vm.max_map_count is {v} and each thread stack takes two mappings \
                 (raise with `sysctl -w vm.max_map_count=N`)"
            ),
        ));
    }
    let mut lim = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit writes one rlimit through a valid pointer to a local.
    // Root is not held to RLIMIT_NPROC, so it only counts for other users.
    let is_root = unsafe { libc::geteuid() } == 0;
    // SAFETY: as above.
    if !is_root && unsafe { libc::getrlimit(libc::RLIMIT_NPROC, &mut lim) } == 0 {
        let v = lim.rlim_cur;
        if v != libc::RLIM_INFINITY {
            candidates.push((
                v.saturating_sub(margin),
                format!("the per-user process limit (ulimit -u) is {v}, and it counts threads"),
            ));
        }
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

/// `vm.max_map_count`: how many memory mappings one process may have.
pub fn max_map_count() -> Option<u64> {
    read_u64("/proc/sys/vm/max_map_count")
}

/// How many mappings this process has now.
pub fn current_map_count() -> Option<u64> {
    let maps = fs::read_to_string("/proc/self/maps").ok()?;
    Some(maps.lines().count() as u64)
}

/// Threads in this process now (`/proc/self/task`), for leak checks.
pub fn thread_count() -> Option<usize> {
    Some(fs::read_dir("/proc/self/task").ok()?.count())
}

/// A `kB` field of `/proc/self/status`, in bytes.
fn status_bytes(field: &str) -> Option<u64> {
    let status = fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with(field))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

/// Peak resident set size of this process so far (`VmHWM`), in bytes.
pub fn peak_rss_bytes() -> Option<u64> {
    status_bytes("VmHWM:")
}

/// Resident set size of this process now (`VmRSS`), in bytes.
pub fn rss_bytes() -> Option<u64> {
    status_bytes("VmRSS:")
}

/// The memory cgroup this process is in, as a folder under `/sys/fs/cgroup`, and
/// whether it is cgroup v2 (`memory.current`) or v1 (`memory.usage_in_bytes`).
pub fn own_memory_cgroup() -> Option<(std::path::PathBuf, bool)> {
    let cgroups = fs::read_to_string("/proc/self/cgroup").ok()?;
    // v1: "4:memory:/path"; v2: "0::/path". A v1 memory line wins over v2's.
    let v1 = cgroups.lines().find_map(|l| {
        let mut f = l.splitn(3, ':');
        let (_, ctl, path) = (f.next()?, f.next()?, f.next()?);
        ctl.split(',')
            .any(|c| c == "memory")
            .then(|| path.to_owned())
    });
    if let Some(path) = v1 {
        let dir = std::path::Path::new("/sys/fs/cgroup/memory").join(path.trim_start_matches('/'));
        return dir
            .join("memory.usage_in_bytes")
            .exists()
            .then_some((dir, false));
    }
    let path = cgroups.lines().find_map(|l| l.strip_prefix("0::"))?;
    let dir = std::path::Path::new("/sys/fs/cgroup").join(path.trim_start_matches('/'));
    dir.join("memory.current").exists().then_some((dir, true))
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
        assert_eq!(nofile().unwrap(), (hard, hard));
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
    fn process_readings_are_available_on_linux() {
        assert!(thread_count().unwrap() >= 1);
        // Read the current RSS first: the peak, read after, can only be as large.
        let now = rss_bytes().unwrap();
        assert!(peak_rss_bytes().unwrap() >= now && now > 0);
        assert!(current_map_count().unwrap() > 0);
    }
}
