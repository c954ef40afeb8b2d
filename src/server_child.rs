//! The delay server as a child process of this same binary (`serve --port 0`), so
//! its CPU time and memory are never charged to the model being measured.

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};

use crate::CliError;

/// A running `serve` child; dropping it kills and reaps the server.
#[derive(Debug)]
pub struct ServerChild {
    child: Child,
    addr: SocketAddr,
    threads: usize,
}

impl ServerChild {
    /// Starts the server on a free port and waits for its `listening on` line.
    pub fn start() -> Result<Self, CliError> {
        let exe = std::env::current_exe()?;
        let threads = (harness::spec::default_threads() / 2).max(1);
        let mut cmd = Command::new(exe);
        // If this process is killed, the server goes with it.
        harness::measure::die_with_parent(&mut cmd);
        let mut child = cmd
            .args(["serve", "--port", "0", "--threads", &threads.to_string()])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()?;
        let stdout = child.stdout.take().expect("stdout was piped above");
        let mut line = String::new();
        BufReader::new(stdout).read_line(&mut line)?;
        let addr = line
            .trim()
            .strip_prefix("listening on ")
            .and_then(|a| a.parse().ok());
        match addr {
            Some(addr) => Ok(Self {
                child,
                addr,
                threads,
            }),
            None => {
                let _ = child.kill();
                let _ = child.wait();
                Err(CliError::Failed(format!(
                    "the delay server did not start (it printed {line:?})"
                )))
            }
        }
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The server's worker threads.
    pub fn threads(&self) -> usize {
        self.threads
    }

    /// CPU time (user + system) the server has spent so far, in nanoseconds, where
    /// this system can read another process's (Linux: `/proc/<pid>/stat`; see
    /// [`harness::os::process_cpu_ns`]).
    pub fn cpu_ns(&self) -> Option<u64> {
        harness::os::process_cpu_ns(self.child.id())
    }
}

impl Drop for ServerChild {
    fn drop(&mut self) {
        // Already gone is fine; reaping is what matters, so no zombie is left.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
