//! The cancel cell: what the delay server saw after the cancel, and what the model
//! left behind, both counted by the harness rather than by the model.
//!
//! Before the model starts, a watcher thread asks the delay server to answer once
//! it has seen the run's `n` page requests arrive and then every connection but
//! the watcher's own close (`GET /_quiesce`, see [`crate::server`]). The time from
//! the model's [`CancelSpec::cancelling`] to that answer is the time to a quiet
//! server. After the model returns, the harness counts the tasks still holding
//! their probe guard, the OS threads and the open sockets above what the process
//! had before the call.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};

use crate::model::Model;
use crate::params::Params;
use crate::probe::Probe;
use crate::spec::CancelSpec;
use crate::target::CrawlTarget;

/// How long after the cancel the server may take to see every connection closed
/// before the run fails.
pub const QUIET_DEADLINE: Duration = Duration::from_secs(10);

/// What the harness saw around a cancel run.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct CancelFigures {
    /// Requests that reported cancelled.
    pub cancelled: u64,
    /// Page requests the server saw arrive for this run.
    pub seen_by_server: u64,
    /// From the cancel to the server seeing the last connection close; `None` if it
    /// never did within `QUIET_DEADLINE` (10 s).
    pub quiet_after_ns: Option<u64>,
    /// From the cancel to the model's return (every request reported).
    pub returned_after_ns: Option<u64>,
    /// Connections the server still held when the watcher gave up.
    pub open_at_deadline: u64,
    /// After the model returned: tasks still holding their probe guard.
    pub tasks_left: u64,
    /// OS threads and sockets of this process above the count before the call.
    pub threads_left: Option<i64>,
    pub sockets_left: Option<i64>,
}

/// The server's answer to the watcher.
struct Quiet {
    at: Instant,
    seen: u64,
    open: u64,
    quiet: bool,
}

/// Opens the watch before the model starts; the thread returns when the server
/// answers.
fn watch(addr: SocketAddr, n: usize, deadline: Duration) -> std::thread::JoinHandle<Option<Quiet>> {
    let timeout_ms = deadline.as_millis();
    std::thread::spawn(move || {
        let mut stream = TcpStream::connect_timeout(&addr, Duration::from_secs(5)).ok()?;
        stream
            .set_read_timeout(Some(deadline + Duration::from_secs(5)))
            .ok()?;
        let req = format!("GET /_quiesce?n={n}&timeout_ms={timeout_ms} HTTP/1.0\r\n\r\n");
        stream.write_all(req.as_bytes()).ok()?;
        let mut text = String::new();
        stream.read_to_string(&mut text).ok()?;
        let at = Instant::now();
        // The body: `quiet seen=<n> open=<k>` or `waiting seen=<n> open=<k>`.
        let body = text.split("\r\n\r\n").nth(1)?.trim();
        let field = |name: &str| {
            body.split_whitespace()
                .find_map(|w| w.strip_prefix(name)?.strip_prefix('=')?.parse().ok())
        };
        Some(Quiet {
            at,
            seen: field("seen")?,
            open: field("open")?,
            quiet: body.starts_with("quiet"),
        })
    })
}

pub(super) fn execute(
    model: &dyn Model,
    params: &Params,
    target: &CrawlTarget,
) -> super::Ran<CancelFigures> {
    let Some(addr) = target.delay_server() else {
        let e = "unsupported: cancel needs the delay server (its /_quiesce count); \
                 --target and --urls do not apply"
            .to_owned();
        return (0, Probe::default(), (Some(e), String::new()), None);
    };
    let spec: CancelSpec = params.cancel(addr);
    let n = spec.paths.len();
    // tokio opens a socket pair for signals with the first runtime a process
    // builds (when any crate in the binary turns its `signal` feature on, as
    // actix-rt does) and keeps it to the process's end: open it now, so the
    // count below starts with it and a model's first runtime is not a leak.
    drop(
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build(),
    );
    let before_threads = crate::limits::thread_count();
    let before_sockets = crate::os::open_sockets();
    let watcher = watch(addr, n, spec.after + QUIET_DEADLINE);
    // The watcher's own connection must be counted out before the run starts.
    std::thread::sleep(Duration::from_millis(20));
    let mut figures = CancelFigures::default();
    let (call_ns, probe, (mut error, summary)) = super::one(
        spec.clone(),
        |s| &s.probe,
        |s| model.cancel(s),
        |s, o| s.verify(o),
        |_, o| {
            figures.cancelled = o.cancelled() as u64;
            format!("{} of {n} requests cancelled", o.cancelled())
        },
    );
    let returned = Instant::now();
    let delta = |now: Option<usize>, before: Option<usize>| {
        Some(i64::try_from(now?).ok()? - i64::try_from(before?).ok()?)
    };
    figures.tasks_left = spec.probe.alive_now();
    let quiet = watcher.join().ok().flatten();
    // A thread the model joined may be listed a moment longer, and an in-process
    // delay server closes its side of a connection a moment after the client:
    // read until both settle (half a second at most), then take what is left.
    let settle = Instant::now() + Duration::from_millis(500);
    loop {
        figures.threads_left = delta(crate::limits::thread_count(), before_threads);
        figures.sockets_left = delta(crate::os::open_sockets(), before_sockets);
        let quiet = |d: Option<i64>| d.is_none_or(|d| d <= 0);
        // A pool that lives as long as the process (may's) never goes quiet.
        let threads_quiet = quiet(figures.threads_left) || model.threads_fixed_per_process();
        if (threads_quiet && quiet(figures.sockets_left)) || Instant::now() > settle {
            break;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    let since_cancel = |at: Instant| {
        spec.cancelled_at()
            .map(|c| u64::try_from(at.saturating_duration_since(c).as_nanos()).unwrap_or(u64::MAX))
    };
    figures.returned_after_ns = since_cancel(returned);
    if let Some(q) = &quiet {
        figures.seen_by_server = q.seen;
        figures.open_at_deadline = q.open;
        if q.quiet {
            figures.quiet_after_ns = since_cancel(q.at);
        }
    }
    if error.is_none() {
        error = judge(
            &figures,
            n,
            quiet.is_some(),
            model.threads_fixed_per_process(),
        )
        .map(|e| format!("verification failed: {e}"));
    }
    (call_ns, probe, (error, summary), Some(figures))
}

/// What the server and the process say about a run the model called clean.
/// `pool_lives_on`: the model's worker threads live as long as the process (may),
/// so threads above the count before the call are its pool, not a leak.
fn judge(f: &CancelFigures, n: usize, answered: bool, pool_lives_on: bool) -> Option<String> {
    if !answered {
        return Some("the delay server's quiet watch did not answer".into());
    }
    if f.seen_by_server < n as u64 {
        return Some(format!(
            "only {} of {n} requests had reached the server by the cancel; raise --after-ms",
            f.seen_by_server
        ));
    }
    if f.quiet_after_ns.is_none() {
        return Some(format!(
            "the server still held {} connections {} s after the cancel",
            f.open_at_deadline,
            QUIET_DEADLINE.as_secs()
        ));
    }
    if f.tasks_left > 0 {
        return Some(format!(
            "{} request tasks were still alive after the model returned",
            f.tasks_left
        ));
    }
    if let Some(t) = f.threads_left.filter(|t| *t > 0 && !pool_lives_on) {
        return Some(format!(
            "{t} OS threads were still running after the model returned"
        ));
    }
    if let Some(s) = f.sockets_left.filter(|s| *s > 0) {
        return Some(format!(
            "{s} sockets were still open after the model returned"
        ));
    }
    None
}
