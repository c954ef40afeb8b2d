//! Every Unix but Linux: the same calls as `linux.rs`, answered with POSIX, with
//! macOS's own interfaces where it has them (`macos.rs`), and otherwise `None`.

use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

#[cfg(target_os = "macos")]
use super::macos;

#[cfg(target_os = "macos")]
pub(super) const UNMEASURED: &[&str] = &[
    "memory/task (cgroup): memory cgroups are Linux-only",
    "the VmHWM cross-check of peak RSS: the child's own peak is getrusage's ru_maxrss, \
     the counter wait4 reads too",
];

#[cfg(not(target_os = "macos"))]
pub(super) const UNMEASURED: &[&str] = &[
    "memory/task (cgroup): memory cgroups are Linux-only",
    "the VmHWM cross-check of peak RSS: the child's own peak is getrusage's ru_maxrss, \
     the counter wait4 reads too",
    "OS threads per run",
    "RSS at begin, and so spawn's RSS per task",
    "the delay server's CPU and the machine's idle share, and so the saturation check",
];

pub(super) const NO_CGROUP_REASON: &str = "memory cgroups are Linux-only";

/// Set while [`exit_with_parent_if_asked`]'s thread runs: the harness's own thread,
/// not the model's, so [`thread_count`] leaves it out.
static WATCHING: AtomicBool = AtomicBool::new(false);

pub(super) fn open_sockets() -> Option<usize> {
    None
}

pub(super) fn thread_count() -> Option<usize> {
    #[cfg(target_os = "macos")]
    let n = macos::task_info(std::process::id())
        .and_then(|t| usize::try_from(t.pti_threadnum).ok())
        .filter(|n| *n > 0);
    #[cfg(not(target_os = "macos"))]
    let n: Option<usize> = None;
    n.map(|n| {
        n.saturating_sub(usize::from(WATCHING.load(Ordering::Relaxed)))
            .max(1)
    })
}

pub(super) fn rss_bytes() -> Option<u64> {
    #[cfg(target_os = "macos")]
    {
        macos::task_info(std::process::id())
            .map(|t| t.pti_resident_size)
            .filter(|b| *b > 0)
    }
    #[cfg(not(target_os = "macos"))]
    {
        None
    }
}

pub(super) fn peak_rss_bytes() -> Option<u64> {
    // SAFETY: an all-zero rusage is a valid value of this plain C struct.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: getrusage writes one rusage through a valid pointer to a local.
    if unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut usage) } != 0 {
        return None;
    }
    Some(super::maxrss_bytes(usage.ru_maxrss)).filter(|b| *b > 0)
}

pub(super) fn map_count() -> Option<u64> {
    None
}

pub(super) fn process_cpu_ns(pid: u32) -> Option<u64> {
    #[cfg(target_os = "macos")]
    {
        macos::task_info(pid)
            .map(|t| macos::mach_ns(t.pti_total_user.saturating_add(t.pti_total_system)))
    }
    #[cfg(not(target_os = "macos"))]
    {
        let _ = pid;
        None
    }
}

pub(super) fn die_with_parent(cmd: &mut Command) -> &mut Command {
    cmd.env(super::PARENT_ENV, std::process::id().to_string())
}

/// The parent's pid as [`die_with_parent`] passed it, if it did.
fn asked_parent() -> Option<libc::pid_t> {
    std::env::var(super::PARENT_ENV).ok()?.parse().ok()
}

fn parent_now() -> libc::pid_t {
    // SAFETY: getppid has no preconditions and cannot fail.
    unsafe { libc::getppid() }
}

fn die() -> ! {
    // SAFETY: kill has no memory effects; SIGKILL to ourselves ends the process
    // here, as PR_SET_PDEATHSIG's SIGKILL would.
    unsafe { libc::kill(libc::getpid(), libc::SIGKILL) };
    std::process::abort()
}

pub(super) fn exit_with_parent_if_asked() {
    let Some(parent) = asked_parent() else {
        return;
    };
    if parent_now() != parent {
        // Orphaned already (adopted by init), or the variable was inherited from a
        // process further up, which is not ours to watch.
        if parent_now() == 1 {
            die();
        }
        return;
    }
    let watcher = std::thread::Builder::new()
        .name("parent-watch".into())
        .stack_size(64 << 10)
        .spawn(move || {
            loop {
                std::thread::sleep(Duration::from_millis(100));
                if parent_now() != parent {
                    die();
                }
            }
        });
    if watcher.is_ok() {
        WATCHING.store(true, Ordering::Relaxed);
    }
}

pub(super) fn cpu_model() -> Option<String> {
    #[cfg(target_os = "macos")]
    {
        macos::sysctl_string("machdep.cpu.brand_string")
    }
    #[cfg(not(target_os = "macos"))]
    {
        None
    }
}

pub(super) fn kernel_knobs() -> Vec<(String, String)> {
    #[cfg(target_os = "macos")]
    {
        let mut knobs = Vec::new();
        if let Some(v) = macos::sysctl_u64("kern.ipc.somaxconn") {
            knobs.push(("kern.ipc.somaxconn".to_owned(), v.to_string()));
        }
        if let (Some(first), Some(last)) = (
            macos::sysctl_u64("net.inet.ip.portrange.first"),
            macos::sysctl_u64("net.inet.ip.portrange.last"),
        ) {
            knobs.push((
                "net.inet.ip.portrange".to_owned(),
                format!("{first} {last}"),
            ));
        }
        knobs
    }
    #[cfg(not(target_os = "macos"))]
    Vec::new()
}

pub(super) fn machine_cpu_ticks() -> Option<(u64, u64)> {
    #[cfg(target_os = "macos")]
    {
        macos::host_cpu_ticks()
    }
    #[cfg(not(target_os = "macos"))]
    {
        None
    }
}

pub(super) fn thread_limits(margin: u64) -> Vec<(u64, String)> {
    #[cfg(target_os = "macos")]
    {
        let mut candidates = Vec::new();
        if let Some(v) = macos::sysctl_u64("kern.num_taskthreads") {
            // Per process: only this process's own threads count against it.
            let own = thread_count().unwrap_or(1) as u64;
            candidates.push((
                v.saturating_sub(own + 16),
                format!("kern.num_taskthreads, macOS's limit on threads per process, is {v}"),
            ));
        }
        if let Some(v) = macos::sysctl_u64("kern.num_threads") {
            candidates.push((
                v.saturating_sub(margin),
                format!(
                    "kern.num_threads, macOS's limit on threads on the whole machine, is {v} \
                     (other processes' threads count too)"
                ),
            ));
        }
        candidates
    }
    #[cfg(not(target_os = "macos"))]
    {
        let _ = margin;
        Vec::new()
    }
}

pub(super) fn nofile_ceiling() -> Option<u64> {
    #[cfg(target_os = "macos")]
    {
        macos::sysctl_u64("kern.maxfilesperproc")
    }
    #[cfg(not(target_os = "macos"))]
    {
        None
    }
}

pub(super) fn max_map_count() -> Option<u64> {
    None
}

pub(super) fn cgroup_v1_memory_root() -> Option<std::path::PathBuf> {
    None
}

pub(super) fn own_memory_cgroup() -> Option<(std::path::PathBuf, bool)> {
    None
}
