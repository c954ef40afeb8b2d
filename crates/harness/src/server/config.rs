//! How to run the delay server, and what one client may cost it.

use std::io;
use std::net::SocketAddr;
use std::time::Duration;

use crate::pages::{self, MAX_BODY_BYTES, MAX_DELAY_MS};

/// How to run the server.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// Where to listen; port 0 picks a free one.
    pub addr: SocketAddr,
    /// Delay for pages whose path does not give `delay_ms`, and for plain paths;
    /// at most [`MAX_DELAY_MS`].
    pub delay: Duration,
    /// Body length for pages whose path does not give `bytes`, and for plain
    /// paths; at most [`MAX_BODY_BYTES`].
    pub body_bytes: usize,
    /// Runtime worker threads.
    pub threads: usize,
    /// Log each request to stderr (off by default: 10,000 lines per crawl is noise
    /// and costs the CPU being measured).
    pub verbose: bool,
    /// How long and how many clients may hold the server.
    pub limits: Limits,
}

impl Default for ServerConfig {
    fn default() -> Self {
        Self {
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            delay: Duration::from_millis(1000),
            body_bytes: pages::DEFAULT_BODY_BYTES,
            threads: 1,
            verbose: false,
            limits: Limits::default(),
        }
    }
}

/// What one client may cost the server. Tests shorten the timeouts to see them act.
#[derive(Debug, Clone)]
pub struct Limits {
    /// A request head (request line and headers) must arrive whole within this,
    /// counted from the accept or, on a kept-alive connection, from the end of the
    /// previous response. A client that connects and says nothing, or dribbles a
    /// byte a second, is closed after it (with `408` if it had sent anything).
    pub head_timeout: Duration,
    /// A response write that makes no progress for this long gives the client up:
    /// one that asked for 64 MiB and stopped reading holds nothing for long.
    pub write_timeout: Duration,
    /// Connections served at once; more wait in the kernel's accept queue until
    /// one closes. `None`: the open-file limit less a small reserve.
    pub max_connections: Option<usize>,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            // hyper's own default for a request head; generous to a client model
            // that connects 10,000 sockets before it writes to any.
            head_timeout: Duration::from_secs(30),
            write_timeout: Duration::from_secs(30),
            max_connections: None,
        }
    }
}

impl ServerConfig {
    /// Refuses a configuration the server could not honour, in one line.
    pub(super) fn check(&self) -> io::Result<()> {
        let invalid = |msg: String| Err(io::Error::new(io::ErrorKind::InvalidInput, msg));
        if self.delay > Duration::from_millis(MAX_DELAY_MS) {
            return invalid(format!(
                "a default delay of {} ms is over the server's limit of {MAX_DELAY_MS} ms",
                self.delay.as_millis()
            ));
        }
        if self.body_bytes > MAX_BODY_BYTES {
            return invalid(format!(
                "a default body of {} bytes is over the server's limit of {MAX_BODY_BYTES} bytes",
                self.body_bytes
            ));
        }
        if self.limits.head_timeout.is_zero() || self.limits.write_timeout.is_zero() {
            return invalid("the server's head and write timeouts must be above zero".into());
        }
        if self.limits.max_connections == Some(0) {
            return invalid("the server must be allowed at least one connection".into());
        }
        Ok(())
    }
}
