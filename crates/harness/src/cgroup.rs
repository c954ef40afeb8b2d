//! A memory cgroup per measured cell, so memory the kernel spends for a run
//! (thread stacks in the kernel, page tables, socket buffers) is counted beside RSS.
//!
//! RSS counts the pages a process maps; it misses each thread's 16 KiB kernel
//! stack, the page tables behind every mapping and the buffers of every socket,
//! which is exactly where OS threads and tasks differ most. A memory cgroup is
//! charged for all of them. `compare` makes one cgroup per child run, moves the
//! child into it between `fork` and `exec` (so nothing the child does is charged
//! elsewhere), reads its peak after the child is reaped, and removes it, also when
//! the run failed (the `Drop` of [`CellCgroup`]). A `compare` killed outright
//! cannot run that `Drop`; the next one removes what it left
//! ([`CellCgroup::sweep_stale`]).
//!
//! Both hierarchies are supported: cgroup v1 (`/sys/fs/cgroup/memory/`, whose
//! `memory.max_usage_in_bytes` is the peak and whose `kmem` files split out the
//! kernel's share) and cgroup v2 (`memory.peak`, Linux 5.19 and later). Where
//! neither can be written (not root, no memory controller, a v2 tree without the
//! controller delegated), [`CellCgroup::create`] answers `None` and reports say
//! "not measured"; outside Linux, where there are no cgroups, it always does (the
//! paths come from [`os`]).

use std::ffi::{CStr, CString};
use std::fs;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::os;

/// What a cell's cgroup was charged at most, in bytes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct CgroupPeak {
    /// User and kernel memory together: the figure that counts.
    pub total_bytes: u64,
    /// The kernel's share (v1 only: `memory.kmem.max_usage_in_bytes`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kernel_bytes: Option<u64>,
    /// Socket buffers (v1 only: `memory.kmem.tcp.max_usage_in_bytes`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tcp_bytes: Option<u64>,
}

/// A memory cgroup made for one child run; dropping it removes it.
#[derive(Debug)]
pub struct CellCgroup {
    dir: PathBuf,
    v2: bool,
    /// `<dir>/cgroup.procs`, ready for the child to write itself into.
    procs: CString,
}

static NEXT: AtomicU64 = AtomicU64::new(0);

impl CellCgroup {
    /// Makes a fresh cgroup beside this process's own, or `None` where cgroups
    /// cannot be written here.
    pub fn create() -> Option<Self> {
        let name = format!(
            "cm-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        );
        let (parent, v2) = if let Some(v1) = os::cgroup_v1_memory_root() {
            (v1, false)
        } else {
            // v2: a child of our own cgroup, if the memory controller is enabled
            // for children there.
            let (own, is_v2) = os::own_memory_cgroup()?;
            let controllers = fs::read_to_string(own.join("cgroup.subtree_control")).ok()?;
            if !is_v2 || !controllers.split_whitespace().any(|c| c == "memory") {
                return None;
            }
            (own, true)
        };
        let dir = parent.join(name);
        fs::create_dir(&dir).ok()?;
        let procs = CString::new(
            dir.join("cgroup.procs")
                .into_os_string()
                .into_encoded_bytes(),
        )
        .ok()?;
        let cg = Self { dir, v2, procs };
        // A cgroup whose peak cannot be read is no use: remove it now (Drop).
        cg.peak()?;
        Some(cg)
    }

    /// Makes `cmd`'s child move itself into this cgroup between `fork` and `exec`,
    /// so everything it does after `exec` is charged here.
    pub fn attach(&self, cmd: &mut Command) {
        let procs = self.procs.clone();
        // SAFETY: the hook runs between fork and exec and only calls `enter`, which
        // makes plain system calls and allocates nothing (the path was built here).
        unsafe {
            cmd.pre_exec(move || enter(&procs));
        }
    }

    /// The most this cgroup has been charged since it was made.
    pub fn peak(&self) -> Option<CgroupPeak> {
        let read = |f: &str| -> Option<u64> {
            fs::read_to_string(self.dir.join(f))
                .ok()?
                .trim()
                .parse()
                .ok()
        };
        if self.v2 {
            Some(CgroupPeak {
                total_bytes: read("memory.peak")?,
                kernel_bytes: None,
                tcp_bytes: None,
            })
        } else {
            Some(CgroupPeak {
                total_bytes: read("memory.max_usage_in_bytes")?,
                kernel_bytes: read("memory.kmem.max_usage_in_bytes"),
                tcp_bytes: read("memory.kmem.tcp.max_usage_in_bytes"),
            })
        }
    }

    /// The cgroup's folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Removes the cgroups that runs of processes no longer alive left behind: a
    /// `compare` killed with SIGKILL cannot run its `Drop`, so its last run's cgroup
    /// stays. Each name carries the pid of the process that made it, so the next run
    /// can tell. Returns how many it removed.
    pub fn sweep_stale() -> usize {
        let mut removed = 0;
        let parents = [
            os::cgroup_v1_memory_root(),
            os::own_memory_cgroup().map(|(dir, _)| dir),
        ];
        for parent in parents.into_iter().flatten() {
            let Ok(entries) = fs::read_dir(&parent) else {
                continue;
            };
            for entry in entries.flatten() {
                let name = entry.file_name();
                let Some(pid) = name
                    .to_str()
                    .and_then(|n| n.strip_prefix("cm-"))
                    .and_then(|rest| rest.split('-').next())
                    .and_then(|pid| pid.parse::<u32>().ok())
                else {
                    continue;
                };
                if !os::process_alive(pid) && fs::remove_dir(entry.path()).is_ok() {
                    removed += 1;
                }
            }
        }
        removed
    }
}

/// Moves the calling process into the cgroup whose `cgroup.procs` is `procs`. Only
/// async-signal-safe calls (open, write, close), so it may run after `fork`.
fn enter(procs: &CStr) -> std::io::Result<()> {
    // SAFETY: `procs` is a valid NUL-terminated path; open, write and close are
    // plain system calls that allocate nothing and take no locks.
    unsafe {
        let fd = libc::open(procs.as_ptr(), libc::O_WRONLY | libc::O_CLOEXEC);
        if fd < 0 {
            return Err(std::io::Error::last_os_error());
        }
        // "0" moves the writing process itself.
        let wrote = libc::write(fd, b"0".as_ptr().cast(), 1);
        libc::close(fd);
        if wrote != 1 {
            return Err(std::io::Error::last_os_error());
        }
    }
    Ok(())
}

impl Drop for CellCgroup {
    fn drop(&mut self) {
        // Empty once the child is reaped; a cgroup folder is removed with rmdir.
        // Pages still charged (page cache the child read) move to the parent.
        let _ = fs::remove_dir(&self.dir);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cgroups_of_dead_runs_are_swept() {
        let Some(cg) = CellCgroup::create() else {
            eprintln!("skipped: no writable memory cgroup here (not root, or no controller)");
            return;
        };
        // A pid that has exited: a child that ran `true` and was reaped.
        let mut child = Command::new("true").spawn().unwrap();
        let dead = child.id();
        child.wait().unwrap();
        let parent = cg.dir().parent().unwrap().to_path_buf();
        let stale = parent.join(format!("cm-{dead}-0"));
        fs::create_dir(&stale).unwrap();
        let ours = cg.dir().to_path_buf();
        CellCgroup::sweep_stale();
        assert!(!stale.exists(), "{} was not swept", stale.display());
        assert!(ours.exists(), "a live process's cgroup was swept");
    }

    #[test]
    fn a_child_is_charged_and_the_cgroup_removed() {
        let Some(cg) = CellCgroup::create() else {
            eprintln!("skipped: no writable memory cgroup here (not root, or no controller)");
            return;
        };
        let dir = cg.dir().to_path_buf();
        let mut cmd = Command::new("sh");
        // A shell that holds about 32 MiB in a variable, so the peak must exceed it.
        cmd.args([
            "-c",
            "x=$(head -c 33554432 /dev/zero | tr '\\0' a); echo ${#x}",
        ]);
        cg.attach(&mut cmd);
        let out = cmd.output().unwrap();
        assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "33554432");
        let peak = cg.peak().unwrap();
        assert!(peak.total_bytes > 32 << 20, "{peak:?}");
        drop(cg);
        assert!(!dir.exists(), "{} was left behind", dir.display());
    }
}
