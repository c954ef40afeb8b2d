//! [`Machine`]: the fingerprint of the machine a run was taken on, and what else
//! its figures depended on (commit, kernel knobs, load, seed, date).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::os;

/// The machine a run was taken on, and what else the figures depended on: numbers
/// from different machines, or taken under other kernel settings, do not compare.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Machine {
    pub cpu: String,
    pub cores: usize,
    pub kernel: String,
    pub rustc: String,
    /// `release` or `debug`: debug-build timings are not worth quoting.
    pub profile: String,
    /// Everything else a run depended on, by name: the project's commit and
    /// whether the tree was dirty, the kernel knobs that shape a crawl, the delay
    /// server's threads, the load before and after, the cgroup used, the seed.
    #[serde(default)]
    pub context: BTreeMap<String, String>,
}

impl Machine {
    /// Reads this machine's fingerprint; `rustc` and `profile` come from the build.
    /// What this system cannot measure at all is listed under "not measured on
    /// this system" (see [`crate::os::unmeasured`]).
    pub fn detect(rustc: &str, profile: &str) -> Self {
        let cpu = os::cpu_model().unwrap_or_else(|| std::env::consts::ARCH.to_owned());
        let kernel = os::kernel().unwrap_or_else(|| std::env::consts::OS.to_owned());
        let mut context: BTreeMap<String, String> = os::kernel_knobs().into_iter().collect();
        if let Ok((soft, hard)) = crate::limits::nofile() {
            context.insert("open files (soft/hard)".into(), format!("{soft}/{hard}"));
        }
        let unmeasured = os::unmeasured();
        if !unmeasured.is_empty() {
            context.insert(UNMEASURED_KEY.into(), unmeasured.join("; "));
        }
        Self {
            cpu,
            cores: crate::spec::default_threads(),
            kernel,
            rustc: rustc.to_owned(),
            profile: profile.to_owned(),
            context,
        }
    }

    /// The 1-, 5- and 15-minute load averages now (`getloadavg`).
    pub fn loadavg() -> String {
        os::loadavg().unwrap_or_else(|| "unknown".into())
    }
}

/// The context entry that lists what this system cannot measure at all.
pub const UNMEASURED_KEY: &str = "not measured on this system";

impl std::fmt::Display for Machine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} · {} cores · {} · {} · {} build",
            self.cpu, self.cores, self.kernel, self.rustc, self.profile
        )
    }
}
