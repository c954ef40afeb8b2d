//! The generator itself: one tokio current-thread runtime, one task per connection.
//!
//! 1. Every connection is opened first, all at once, each bounded by the timeout;
//!    one that fails charges a `connect` error to its first request.
//! 2. Then `t0 = now`, and request `k` is due at `t0 + k / rate` on connection
//!    `k mod connections`. Each connection's task takes its requests in order:
//!    it sleeps until the next one is due (or goes at once if it is already
//!    late, because the one before took longer than the gap), sends it, reads the
//!    whole response, checks it, and goes on. A connection never has more than one
//!    request in flight (HTTP/1.1 keep-alive, no pipelining, like wrk2), so a
//!    server that stalls delays every request queued behind the stall, and each
//!    of those latencies is counted from its *intended* send time.
//! 3. A response that says `Connection: close` (the `sequential` model answers so
//!    every time), or a server that closed, leaves the task without a connection:
//!    it connects again when its next request is due, inside that request's time.
//!    A request that failed (reset, timeout, a bad answer) is one error, and its
//!    connection is dropped, since what is left on it cannot be trusted; the next
//!    request reconnects. It is never retried.
//! 4. When every task is done, every connection is closed, and the three
//!    histograms become the report.
//!
//! Three times per request, from `tokio::time::Instant` (the monotonic clock):
//! *intended* (its place on the schedule), *sent* (when the task woke and began it,
//! reconnecting first where it had to) and *done* (the response's last byte, or the
//! failure). `latency = done - intended`, `service = done - sent` (what a
//! closed-loop client would report), `send_lag = sent - intended`.
//!
//! The clock's resolution: tokio's timer wheel has 1 ms slots, so a task that
//! sleeps until its request is due wakes up to about a millisecond late (more on a
//! loaded machine). The generator does not busy-spin a core to do better; the lag
//! is measured for every request and reported as `send_lag`, so a latency figure
//! near a millisecond can be read against it. Late wake-ups are part of `latency`,
//! which therefore over- rather than under-states what the server did.

use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::rc::Rc;
use std::time::Duration;

use hdrhistogram::Histogram;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::task::JoinSet;
use tokio::time::{Instant, sleep_until, timeout_at};

use super::{Latency, LoadConfig, LoadReport, generator_error};
use crate::http::{FetchError, Page, Progress, ResponseReader};
use crate::pages::{self, Expected};

/// Descriptors beyond the connections: the runtime's own, stdio, a margin.
const SPARE_FILES: u64 = 64;
/// Highest latency a histogram holds, in µs (an hour); longer ones saturate there.
const HIGHEST_US: u64 = 3_600_000_000;
/// Significant decimal digits the histograms keep (0.1 % resolution).
const SIGFIG: u8 = 3;
/// Longest response head parsed for its `Connection` header.
const MAX_HEAD_BYTES: usize = 16 * 1024;
/// Header lines parsed in a response head.
const MAX_HEADERS: usize = 32;
/// One read's buffer.
const READ_BUF_BYTES: usize = 8 * 1024;

/// Runs the load on a fresh current-thread runtime on the calling thread and
/// reports what it saw. `generator` and `cpu_ns` are left for the caller.
pub(super) fn generate(config: &LoadConfig) -> LoadReport {
    let needed = config.connections as u64 + SPARE_FILES;
    if let Err(e) = crate::limits::ensure_nofile(needed, "the load generator") {
        return generator_error(config, e);
    }
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_io()
        .enable_time()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => return generator_error(config, format!("could not build its runtime: {e}")),
    };
    let local = tokio::task::LocalSet::new();
    local.block_on(&runtime, drive(config.clone()))
}

/// The schedule and what every request asks for, shared by the tasks.
#[derive(Debug)]
struct Plan {
    addr: SocketAddr,
    scheduled: u64,
    rate: u64,
    connections: usize,
    delay_ms: u64,
    body_bytes: usize,
    timeout: Duration,
}

impl Plan {
    /// When request `k` is due, `t0 + k / rate`, to the nanosecond.
    fn due(&self, t0: Instant, k: u64) -> Instant {
        let ns = u128::from(k) * 1_000_000_000 / u128::from(self.rate);
        t0 + Duration::from_nanos(u64::try_from(ns).unwrap_or(u64::MAX))
    }

    fn request(&self, path: &str) -> Vec<u8> {
        format!("GET {path} HTTP/1.1\r\nHost: {}\r\n\r\n", self.addr).into_bytes()
    }
}

/// Connections open now, the most at once, and how many were made: a gauge the
/// [`Conn`]s keep themselves.
#[derive(Debug, Default)]
struct Gauge {
    open: Cell<u64>,
    peak: Cell<u64>,
    connected: Cell<u64>,
}

/// An open connection; dropping it closes the socket and lowers the gauge.
struct Conn {
    stream: TcpStream,
    gauge: Rc<Gauge>,
}

impl Conn {
    fn new(stream: TcpStream, gauge: &Rc<Gauge>) -> Self {
        // One write per request: nothing for Nagle to coalesce, only to delay.
        let _ = stream.set_nodelay(true);
        gauge.connected.set(gauge.connected.get() + 1);
        gauge.open.set(gauge.open.get() + 1);
        gauge.peak.set(gauge.peak.get().max(gauge.open.get()));
        Self {
            stream,
            gauge: Rc::clone(gauge),
        }
    }
}

impl Drop for Conn {
    fn drop(&mut self) {
        self.gauge.open.set(self.gauge.open.get() - 1);
    }
}

/// What the tasks record as they go.
struct Tally {
    sent: u64,
    ok: u64,
    errors: BTreeMap<String, u64>,
    first_error: Option<String>,
    last_done: Option<Instant>,
    latency: Histogram<u64>,
    service: Histogram<u64>,
    send_lag: Histogram<u64>,
}

fn histogram() -> Histogram<u64> {
    Histogram::new_with_max(HIGHEST_US, SIGFIG).expect("1 h at 3 significant digits is valid")
}

fn micros(d: Duration) -> u64 {
    u64::try_from(d.as_micros()).unwrap_or(u64::MAX)
}

impl Tally {
    fn new() -> Self {
        Self {
            sent: 0,
            ok: 0,
            errors: BTreeMap::new(),
            first_error: None,
            last_done: None,
            latency: histogram(),
            service: histogram(),
            send_lag: histogram(),
        }
    }

    fn done_at(&mut self, at: Instant) {
        self.last_done = Some(self.last_done.map_or(at, |t| t.max(at)));
    }

    fn fail(&mut self, kind: String, why: String, at: Instant) {
        *self.errors.entry(kind).or_default() += 1;
        self.first_error.get_or_insert(why);
        self.done_at(at);
    }

    fn answered(&mut self, intended: Instant, sent: Instant, done: Instant) {
        self.ok += 1;
        self.latency
            .saturating_record(micros(done.saturating_duration_since(intended)));
        self.service
            .saturating_record(micros(done.saturating_duration_since(sent)));
        self.done_at(done);
    }
}

/// Percentiles of one histogram, in µs.
pub(super) fn latency(h: &Histogram<u64>) -> Latency {
    if h.is_empty() {
        return Latency::default();
    }
    Latency {
        count: h.len(),
        p50_us: h.value_at_quantile(0.50),
        p90_us: h.value_at_quantile(0.90),
        p99_us: h.value_at_quantile(0.99),
        p999_us: h.value_at_quantile(0.999),
        max_us: h.max(),
        mean_us: h.mean(),
    }
}

/// Opens the connections, runs the schedule, closes everything, reports.
async fn drive(config: LoadConfig) -> LoadReport {
    let plan = Rc::new(Plan {
        addr: config.addr,
        scheduled: config.scheduled(),
        rate: config.rate.max(1),
        connections: config.connections.max(1),
        delay_ms: config.delay_ms,
        body_bytes: config.body_bytes,
        timeout: config.timeout(),
    });
    let gauge = Rc::new(Gauge::default());
    let tally = Rc::new(RefCell::new(Tally::new()));

    // 1. Every connection, at once, each within the timeout.
    let mut opening = JoinSet::new();
    for c in 0..plan.connections {
        let (addr, timeout, gauge) = (plan.addr, plan.timeout, Rc::clone(&gauge));
        opening.spawn_local(async move {
            let result = match tokio::time::timeout(timeout, TcpStream::connect(addr)).await {
                Ok(Ok(stream)) => Ok(Conn::new(stream, &gauge)),
                Ok(Err(e)) => Err(format!("connect to {addr} failed: {e}")),
                Err(_) => Err(format!(
                    "connect to {addr} timed out after {} ms",
                    timeout.as_millis()
                )),
            };
            (c, result)
        });
    }
    let mut slots: Vec<Option<Result<Conn, String>>> =
        (0..plan.connections).map(|_| None).collect();
    while let Some(joined) = opening.join_next().await {
        let (c, result) = joined.unwrap_or_else(|e| std::panic::resume_unwind(e.into_panic()));
        slots[c] = Some(result);
    }

    // 2. The schedule.
    let t0 = Instant::now();
    let mut running = JoinSet::new();
    for (c, slot) in slots.into_iter().enumerate() {
        let slot = slot.unwrap_or_else(|| Err("never attempted".into()));
        let (plan, gauge, tally) = (Rc::clone(&plan), Rc::clone(&gauge), Rc::clone(&tally));
        running.spawn_local(connection(c, slot, t0, plan, gauge, tally));
    }
    // Connections are held until the last task is done, then closed together.
    let mut held = Vec::with_capacity(plan.connections);
    while let Some(joined) = running.join_next().await {
        held.push(joined.unwrap_or_else(|e| std::panic::resume_unwind(e.into_panic())));
    }
    drop(held);
    debug_assert_eq!(gauge.open.get(), 0, "every connection is closed");

    let tally = tally.borrow();
    LoadReport {
        scheduled: plan.scheduled,
        sent: tally.sent,
        ok: tally.ok,
        errors: tally.errors.clone(),
        first_error: tally.first_error.clone(),
        connected: gauge.connected.get(),
        peak_open: gauge.peak.get(),
        elapsed_ns: tally.last_done.map_or(0, |done| {
            u64::try_from(done.saturating_duration_since(t0).as_nanos()).unwrap_or(u64::MAX)
        }),
        latency: latency(&tally.latency),
        service: latency(&tally.service),
        send_lag: latency(&tally.send_lag),
        generator: String::new(),
        cpu_ns: None,
    }
}

/// One connection's requests, `c`, `c + connections`, ..., in order. Returns the
/// connection it ends with, for the caller to close with the others.
async fn connection(
    c: usize,
    first: Result<Conn, String>,
    t0: Instant,
    plan: Rc<Plan>,
    gauge: Rc<Gauge>,
    tally: Rc<RefCell<Tally>>,
) -> Option<Conn> {
    let (mut conn, mut failed_open) = match first {
        Ok(conn) => (Some(conn), None),
        Err(why) => (None, Some(why)),
    };
    let mut k = c as u64;
    while k < plan.scheduled {
        // What the answer must be, worked out before the request is due.
        let path = pages::page_path(k, plan.delay_ms, plan.body_bytes);
        let want = match pages::expected(&path) {
            Some(Expected::Page { bytes, digest }) => (bytes, digest),
            _ => unreachable!("a page path expects a page"),
        };
        let request = plan.request(&path);
        let intended = plan.due(t0, k);
        if Instant::now() < intended {
            sleep_until(intended).await;
        }
        let sent = Instant::now();
        let deadline = intended + plan.timeout;
        let result = if let Some(why) = failed_open.take() {
            // The connection this request was to go on never opened.
            Err(("connect".to_owned(), why))
        } else if sent >= deadline {
            // Its turn came after its timeout had run out, behind slower requests.
            Err((
                "timeout".to_owned(),
                format!(
                    "not sent within its {} ms timeout",
                    plan.timeout.as_millis()
                ),
            ))
        } else {
            let attempt = exchange(&mut conn, &plan, &gauge, &tally, &request, intended);
            match timeout_at(deadline, attempt).await {
                Ok(Ok((page, keep_alive))) => {
                    if !keep_alive {
                        conn = None;
                    }
                    check(page, want)
                }
                Ok(Err(e)) => {
                    conn = None;
                    Err((e.kind().to_string(), e.to_string()))
                }
                Err(_) => {
                    conn = None;
                    Err((
                        "timeout".to_owned(),
                        format!("no whole response within {} ms", plan.timeout.as_millis()),
                    ))
                }
            }
        };
        let done = Instant::now();
        let mut tally = tally.borrow_mut();
        match result {
            Ok(()) => tally.answered(intended, sent, done),
            Err((kind, why)) => tally.fail(kind, format!("request {k} ({path}): {why}"), done),
        }
        drop(tally);
        k += plan.connections as u64;
    }
    conn
}

/// The page as it should be, or a `corrupt` error saying how it differs.
fn check(page: Page, (bytes, digest): (u64, u64)) -> Result<(), (String, String)> {
    if page.bytes == bytes && page.digest == digest {
        Ok(())
    } else {
        Err((
            "corrupt".to_owned(),
            format!(
                "got {} bytes with digest {:016x}, expected {bytes} bytes with digest {digest:016x}",
                page.bytes, page.digest
            ),
        ))
    }
}

/// One request and its response on `conn`, connecting first if there is none.
/// Returns the page and whether the connection may carry the next request.
async fn exchange(
    conn: &mut Option<Conn>,
    plan: &Plan,
    gauge: &Rc<Gauge>,
    tally: &RefCell<Tally>,
    request: &[u8],
    intended: Instant,
) -> Result<(Page, bool), FetchError> {
    let sent = Instant::now();
    if conn.is_none() {
        let stream = TcpStream::connect(plan.addr)
            .await
            .map_err(|e| FetchError::connect(&e))?;
        *conn = Some(Conn::new(stream, gauge));
    }
    let stream = &mut conn.as_mut().expect("connected above").stream;
    stream
        .write_all(request)
        .await
        .map_err(|e| FetchError::io(&e))?;
    {
        let mut tally = tally.borrow_mut();
        tally.sent += 1;
        tally
            .send_lag
            .saturating_record(micros(sent.saturating_duration_since(intended)));
    }
    // Allocated per request, so memory follows the requests in flight, not the
    // connections held.
    let mut buf = vec![0u8; READ_BUF_BYTES];
    let mut reader = ResponseReader::new();
    let mut head = Some(Vec::new());
    let mut keep_alive = true;
    loop {
        let n = match stream.read(&mut buf).await {
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(FetchError::io(&e)),
        };
        if n == 0 {
            return reader.eof().map(|page| (page, false));
        }
        if let Some(bytes) = &mut head {
            bytes.extend_from_slice(&buf[..n]);
            match keeps_alive(bytes) {
                Some(keep) => {
                    keep_alive = keep;
                    head = None;
                }
                // The reader says what is wrong with a head this long.
                None if bytes.len() > MAX_HEAD_BYTES => head = None,
                None => {}
            }
        }
        if let Progress::Done(page) = reader.feed(&buf[..n])? {
            return Ok((page, keep_alive));
        }
    }
}

/// Whether a response head lets the connection carry another request (RFC 9112
/// §9.3: HTTP/1.1 unless `Connection: close`, HTTP/1.0 only with `keep-alive`);
/// `None` while the head is not whole. A head that does not parse says no: the
/// reader reports it, and the connection is dropped either way.
fn keeps_alive(head: &[u8]) -> Option<bool> {
    let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
    let mut response = httparse::Response::new(&mut headers);
    match response.parse(head) {
        Ok(httparse::Status::Complete(_)) => {}
        Ok(httparse::Status::Partial) => return None,
        Err(_) => return Some(false),
    }
    let has = |token: &str| {
        response
            .headers
            .iter()
            .filter(|h| h.name.eq_ignore_ascii_case("connection"))
            .any(|h| {
                String::from_utf8_lossy(h.value)
                    .split(',')
                    .any(|t| t.trim().eq_ignore_ascii_case(token))
            })
    };
    Some(match response.version {
        Some(0) => has("keep-alive") && !has("close"),
        _ => !has("close"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan(rate: u64) -> Plan {
        Plan {
            addr: "127.0.0.1:1".parse().unwrap(),
            scheduled: 10,
            rate,
            connections: 3,
            delay_ms: 0,
            body_bytes: 10,
            timeout: Duration::from_secs(1),
        }
    }

    #[test]
    fn the_schedule_is_k_over_rate() {
        let t0 = Instant::now();
        let p = plan(3);
        assert_eq!(p.due(t0, 0), t0);
        assert_eq!(p.due(t0, 1) - t0, Duration::from_nanos(333_333_333));
        assert_eq!(p.due(t0, 3) - t0, Duration::from_secs(1));
        assert_eq!(plan(1_000_000).due(t0, 7) - t0, Duration::from_micros(7));
    }

    #[test]
    fn connection_headers_decide_keep_alive() {
        let ka = |h: &str| keeps_alive(h.as_bytes());
        assert_eq!(ka("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n"), None);
        assert_eq!(ka("HTTP/1.1 200 OK\r\n\r\n"), Some(true));
        assert_eq!(
            ka("HTTP/1.1 200 OK\r\nConnection: keep-alive\r\n\r\n"),
            Some(true)
        );
        assert_eq!(
            ka("HTTP/1.1 200 OK\r\nconnection: Close\r\n\r\n"),
            Some(false)
        );
        assert_eq!(
            ka("HTTP/1.1 200 OK\r\nConnection: x, close\r\n\r\n"),
            Some(false)
        );
        assert_eq!(ka("HTTP/1.0 200 OK\r\n\r\n"), Some(false));
        assert_eq!(
            ka("HTTP/1.0 200 OK\r\nConnection: Keep-Alive\r\n\r\n"),
            Some(true)
        );
        assert_eq!(ka("garbage\r\n\r\n"), Some(false));
    }

    #[test]
    fn percentiles_come_from_the_histogram() {
        let mut h = histogram();
        assert_eq!(latency(&h), Latency::default());
        for v in 1..=1000 {
            h.record(v).unwrap();
        }
        let l = latency(&h);
        assert_eq!(l.count, 1000);
        assert_eq!(
            (l.p50_us, l.p90_us, l.p99_us, l.p999_us),
            (500, 900, 990, 999)
        );
        assert_eq!(l.max_us, 1000);
        assert!((l.mean_us - 500.5).abs() < 1.0, "{}", l.mean_us);
        h.saturating_record(u64::MAX);
        assert!(latency(&h).max_us >= HIGHEST_US);
    }
}
