//! The Linux readings: `/proc`, `/sys` and `prctl`. Every function here has its
//! twin in `portable.rs`; `mod.rs` documents each pair.

use std::fs;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Linux measures everything the reports show.
pub(super) const UNMEASURED: &[&str] = &[];

pub(super) const NO_CGROUP_REASON: &str = "no writable memory cgroup here: run as root on a \
                                          machine with the memory controller";

fn read_u64(path: &str) -> Option<u64> {
    fs::read_to_string(path).ok()?.trim().parse().ok()
}

/// A `kB` field of `/proc/self/status`, in bytes.
fn status_bytes(field: &str) -> Option<u64> {
    let status = fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with(field))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

pub(super) fn thread_count() -> Option<usize> {
    Some(fs::read_dir("/proc/self/task").ok()?.count())
}

pub(super) fn open_sockets() -> Option<usize> {
    let fds = fs::read_dir("/proc/self/fd").ok()?;
    Some(
        fds.filter_map(Result::ok)
            .filter(|e| {
                fs::read_link(e.path()).is_ok_and(|t| t.to_string_lossy().starts_with("socket:"))
            })
            .count(),
    )
}

pub(super) fn rss_bytes() -> Option<u64> {
    status_bytes("VmRSS:")
}

pub(super) fn peak_rss_bytes() -> Option<u64> {
    status_bytes("VmHWM:")
}

pub(super) fn map_count() -> Option<u64> {
    let maps = fs::read_to_string("/proc/self/maps").ok()?;
    Some(maps.lines().count() as u64)
}

pub(super) fn process_cpu_ns(pid: u32) -> Option<u64> {
    let stat = fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // Fields after the parenthesised command name; utime and stime are the 14th
    // and 15th fields of the whole line, in clock ticks.
    let rest = stat.rsplit_once(')')?.1;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks: u64 = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
    // SAFETY: sysconf only reads a system setting.
    let hz = unsafe { libc::sysconf(libc::_SC_CLK_TCK) };
    let hz = u64::try_from(hz).ok().filter(|h| *h > 0)?;
    Some(ticks * 1_000_000_000 / hz)
}

pub(super) fn die_with_parent(cmd: &mut Command) -> &mut Command {
    // SAFETY: the hook runs in the child between fork and exec, where only
    // async-signal-safe calls are allowed; prctl is a plain system call, and
    // nothing is allocated or locked.
    unsafe {
        cmd.pre_exec(|| {
            if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL) == 0 {
                Ok(())
            } else {
                Err(std::io::Error::last_os_error())
            }
        })
    }
}

/// The kernel sends the signal; nothing to watch.
pub(super) fn exit_with_parent_if_asked() {}

pub(super) fn cpu_model() -> Option<String> {
    fs::read_to_string("/proc/cpuinfo").ok().and_then(|s| {
        s.lines()
            .find(|l| l.starts_with("model name"))
            .and_then(|l| l.split_once(':'))
            .map(|(_, v)| v.trim().to_owned())
    })
}

pub(super) fn kernel_knobs() -> Vec<(String, String)> {
    [
        ("net.core.somaxconn", "/proc/sys/net/core/somaxconn"),
        ("net.ipv4.tcp_tw_reuse", "/proc/sys/net/ipv4/tcp_tw_reuse"),
        (
            "net.ipv4.ip_local_port_range",
            "/proc/sys/net/ipv4/ip_local_port_range",
        ),
    ]
    .into_iter()
    .filter_map(|(name, path)| {
        let v = fs::read_to_string(path).ok()?;
        Some((
            name.to_owned(),
            v.split_whitespace().collect::<Vec<_>>().join(" "),
        ))
    })
    .collect()
}

pub(super) fn machine_cpu_ticks() -> Option<(u64, u64)> {
    let stat = fs::read_to_string("/proc/stat").ok()?;
    let cpu = stat.lines().next()?.strip_prefix("cpu ")?;
    let v: Vec<u64> = cpu
        .split_whitespace()
        .filter_map(|x| x.parse().ok())
        .collect();
    // user nice system idle iowait irq softirq steal (guest time is in user).
    let total: u64 = v.iter().take(8).sum();
    let idle = v.get(3)? + v.get(4).copied().unwrap_or(0);
    Some((total, idle))
}

pub(super) fn thread_limits(margin: u64) -> Vec<(u64, String)> {
    // The fourth field of /proc/loadavg is "runnable/total" tasks on the system.
    let running = fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|s| s.split_whitespace().nth(3)?.split('/').nth(1)?.parse().ok())
        .unwrap_or(0u64);
    let mut candidates = Vec::new();
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
    candidates
}

pub(super) fn nofile_ceiling() -> Option<u64> {
    None
}

pub(super) fn max_map_count() -> Option<u64> {
    read_u64("/proc/sys/vm/max_map_count")
}

const CGROUP_V1_MEMORY: &str = "/sys/fs/cgroup/memory";

pub(super) fn cgroup_v1_memory_root() -> Option<PathBuf> {
    let root = Path::new(CGROUP_V1_MEMORY);
    root.join("memory.usage_in_bytes")
        .exists()
        .then(|| root.to_path_buf())
}

pub(super) fn own_memory_cgroup() -> Option<(PathBuf, bool)> {
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
        let dir = Path::new(CGROUP_V1_MEMORY).join(path.trim_start_matches('/'));
        return dir
            .join("memory.usage_in_bytes")
            .exists()
            .then_some((dir, false));
    }
    let path = cgroups.lines().find_map(|l| l.strip_prefix("0::"))?;
    let dir = Path::new("/sys/fs/cgroup").join(path.trim_start_matches('/'));
    dir.join("memory.current").exists().then_some((dir, true))
}
