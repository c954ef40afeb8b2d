//! The cases of the three newer workloads: a model as a server under good and
//! hostile clients, a ticker among hogs, and slow requests cancelled halfway.
//!
//! The server case drives the model with the harness's own blocking client, one
//! probe after another: keep-alive and pipelined pages, an HTTP/1.0 page, a bad
//! request line, a head past the limit, bad numbers, a client that hangs up
//! mid-response; then a good page again (the server still serves), then the stop,
//! after which the listener must be closed and every thread the model started
//! gone. The slow-client case (a request trickled a byte at a time while another
//! connection asks for a page) is a concurrency case: a model that serves one
//! connection at a time fails it, saying so.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::thread;
use std::time::{Duration, Instant};

use super::runner::settled_thread_count;
use crate::model::Model;
use crate::pages::{self, Expected};
use crate::server::ServerHandle;
use crate::spec::{CancelSpec, FairnessSpec, ServerSpec};

/// How long one probe may wait for its answer.
const PROBE_TIMEOUT: Duration = Duration::from_secs(10);

/// Which server case.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum ServerCase {
    /// Good and malformed requests, then the stop.
    Hostile,
    /// A slow client must not hold up another connection.
    SlowClient,
}

/// Runs the model's server on a thread, runs `probes` against it, stops it and
/// checks what it left.
pub(super) fn server(model: &'static dyn Model, case: ServerCase) -> Result<(), String> {
    let before = settled_thread_count();
    let spec = std::sync::Arc::new(ServerSpec::bind(8).map_err(|e| format!("bind: {e}"))?);
    let addr = spec.addr;
    let serving = {
        let spec = std::sync::Arc::clone(&spec);
        thread::spawn(move || model.server(&spec))
    };
    if !spec.probe.wait_begun(Duration::from_secs(20)) {
        spec.stop.stop();
        return match serving.join() {
            Ok(Err(e)) => Err(e.to_string()),
            _ => Err("the server never called spec.probe.begin()".into()),
        };
    }
    let probed = match case {
        ServerCase::Hostile => hostile(addr),
        ServerCase::SlowClient => slow_client(addr, model.concurrent()),
    };
    spec.stop.stop();
    let outcome = serving
        .join()
        .map_err(|p| format!("the server panicked: {}", crate::panic_message(&*p)))?
        .map_err(|e| e.to_string())?;
    let (got, maybe) = probed?;
    if !(got..=got + maybe).contains(&outcome.answered) {
        return Err(format!(
            "the server counted {} pages answered; the client got {got}",
            outcome.answered
        ));
    }
    if spec.probe.phases().is_none() {
        return Err("the server did not mark its measured phase".into());
    }
    if TcpStream::connect_timeout(&addr, Duration::from_millis(500)).is_ok() {
        return Err("the listener still accepts connections after the stop".into());
    }
    let (before, after) = (before, settled_thread_count());
    if let (Some(b), Some(a)) = (before, after) {
        if a > b && !model.threads_fixed_per_process() {
            return Err(format!(
                "{} threads were left running after the stop",
                a - b
            ));
        }
    }
    Ok(())
}

/// Every probe of the hostile case; returns the pages it got whole, and how many
/// more the server may count (the page whose client hung up halfway may have
/// fitted whole in the kernel's socket buffers, so its write succeeded).
fn hostile(addr: SocketAddr) -> Result<(u64, u64), String> {
    let mut pages = 0;
    // Two pages on one kept-alive connection, the second pipelined behind the first.
    let mut s = connect(addr)?;
    let (a, b) = (pages::page_path(1, 5, 300), pages::page_path(2, 0, 10));
    let two = format!("GET {a} HTTP/1.1\r\nHost: x\r\n\r\nGET {b} HTTP/1.1\r\nHost: x\r\n\r\n");
    s.write_all(two.as_bytes()).map_err(io)?;
    let mut buf = Vec::new();
    for path in [&a, &b] {
        let (status, body) = read_response(&mut s, &mut buf)?;
        check_page(path, status, &body)?;
        pages += 1;
    }
    drop(s);
    // HTTP/1.0: answered, then closed by the server.
    let path = pages::page_path(3, 0, 2000);
    let mut s = connect(addr)?;
    s.write_all(format!("GET {path} HTTP/1.0\r\n\r\n").as_bytes())
        .map_err(io)?;
    let mut all = Vec::new();
    s.read_to_end(&mut all)
        .map_err(|e| format!("HTTP/1.0 page: {e} (the server must close after it)"))?;
    let (status, body) = split(&all)?;
    check_page(&path, status, &body)?;
    pages += 1;
    // Malformed requests: a 4xx with its reason, or a close; never a page.
    let big = format!(
        "GET /page/1 HTTP/1.1\r\nX-Big: {}\r\n\r\n",
        "a".repeat(20_000)
    );
    let bad: [(&str, Vec<u8>); 4] = [
        (
            "a request line that is not HTTP",
            b"HELLO THERE\r\n\r\n".to_vec(),
        ),
        ("a 20 KB header", big.into_bytes()),
        (
            "bad numbers",
            b"GET /page/x?delay_ms=soon&bytes=-1 HTTP/1.1\r\n\r\n".to_vec(),
        ),
        (
            "a method other than GET",
            b"DELETE /page/1 HTTP/1.1\r\n\r\n".to_vec(),
        ),
    ];
    for (what, raw) in bad {
        let mut s = connect(addr)?;
        // The server may refuse before the whole request is written.
        let _ = s.write_all(&raw);
        let mut all = Vec::new();
        let _ = s.read_to_end(&mut all);
        if !all.is_empty() {
            let (status, _) = split(&all).map_err(|e| format!("{what}: {e}"))?;
            if !(400..500).contains(&status) {
                return Err(format!("{what}: answered {status}, want a 4xx or a close"));
            }
        }
    }
    // A client that hangs up halfway through a large page.
    let mut s = connect(addr)?;
    let path = pages::page_path(4, 0, 1 << 20);
    s.write_all(format!("GET {path} HTTP/1.1\r\n\r\n").as_bytes())
        .map_err(io)?;
    let mut some = [0u8; 512];
    let _ = s.read(&mut some).map_err(io)?;
    drop(s);
    // The server still serves.
    let path = pages::page_path(5, 0, 100);
    let mut s = connect(addr)?;
    s.write_all(format!("GET {path} HTTP/1.1\r\n\r\n").as_bytes())
        .map_err(io)?;
    let (status, body) = read_response(&mut s, &mut Vec::new())?;
    check_page(&path, status, &body).map_err(|e| format!("after the bad clients: {e}"))?;
    Ok((pages + 1, 1))
}

/// A request trickled one byte every 20 ms on one connection while another
/// connection asks for a page: a concurrent server answers the page first.
fn slow_client(addr: SocketAddr, concurrent: bool) -> Result<(u64, u64), String> {
    let slow_path = pages::page_path(6, 0, 50);
    let request = format!("GET {slow_path} HTTP/1.1\r\n\r\n");
    let mut slow = connect(addr)?;
    // Set the moment the last byte is written: the page on the other connection
    // must have come before it.
    let sent_all = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let done = std::sync::Arc::clone(&sent_all);
    let trickle = thread::spawn(move || -> Result<TcpStream, String> {
        for (i, byte) in request.as_bytes().iter().enumerate() {
            if i > 0 {
                thread::sleep(Duration::from_millis(20));
            }
            slow.write_all(std::slice::from_ref(byte)).map_err(io)?;
        }
        done.store(true, std::sync::atomic::Ordering::SeqCst);
        Ok(slow)
    });
    thread::sleep(Duration::from_millis(100));
    let path = pages::page_path(7, 0, 50);
    let mut fast = connect(addr)?;
    fast.write_all(format!("GET {path} HTTP/1.1\r\n\r\n").as_bytes())
        .map_err(io)?;
    let (status, body) = read_response(&mut fast, &mut Vec::new())?;
    check_page(&path, status, &body)?;
    let fast_done = sent_all.load(std::sync::atomic::Ordering::SeqCst);
    let mut slow = trickle.join().map_err(|_| "the slow client panicked")??;
    let (status, body) = read_response(&mut slow, &mut Vec::new())?;
    check_page(&slow_path, status, &body)?;
    if fast_done {
        let e = "the page on the second connection came only after the slow client had \
                 sent its whole request: a concurrent server answers one connection while \
                 another is slow";
        return Err(if concurrent {
            e.to_owned()
        } else {
            format!("{e}; the model says it is not concurrent, and this case requires it")
        });
    }
    Ok((2, 0))
}

fn connect(addr: SocketAddr) -> Result<TcpStream, String> {
    let s =
        TcpStream::connect_timeout(&addr, PROBE_TIMEOUT).map_err(|e| format!("connect: {e}"))?;
    s.set_read_timeout(Some(PROBE_TIMEOUT)).map_err(io)?;
    s.set_write_timeout(Some(PROBE_TIMEOUT)).map_err(io)?;
    Ok(s)
}

fn io(e: std::io::Error) -> String {
    format!("I/O error: {e}")
}

/// Reads one response framed by its Content-Length; `buf` carries bytes past it
/// (the next pipelined response) from one call to the next.
fn read_response(s: &mut TcpStream, buf: &mut Vec<u8>) -> Result<(u16, Vec<u8>), String> {
    let mut chunk = [0u8; 8192];
    loop {
        let mut headers = [httparse::EMPTY_HEADER; 32];
        let mut resp = httparse::Response::new(&mut headers);
        if let Ok(httparse::Status::Complete(head)) = resp.parse(buf) {
            let len = resp
                .headers
                .iter()
                .find(|h| h.name.eq_ignore_ascii_case("content-length"))
                .and_then(|h| {
                    std::str::from_utf8(h.value)
                        .ok()?
                        .trim()
                        .parse::<usize>()
                        .ok()
                })
                .ok_or("a response without a Content-Length")?;
            let status = resp.code.unwrap_or(0);
            if buf.len() >= head + len {
                let body = buf[head..head + len].to_vec();
                buf.drain(..head + len);
                return Ok((status, body));
            }
        }
        match s.read(&mut chunk) {
            Ok(0) => return Err("the server closed before the response was complete".into()),
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
            Err(e) => return Err(io(e)),
        }
    }
}

/// A whole response read to the close: its status and body.
fn split(all: &[u8]) -> Result<(u16, Vec<u8>), String> {
    let mut headers = [httparse::EMPTY_HEADER; 32];
    let mut resp = httparse::Response::new(&mut headers);
    match resp.parse(all) {
        Ok(httparse::Status::Complete(head)) => Ok((resp.code.unwrap_or(0), all[head..].to_vec())),
        _ => Err(format!(
            "not an HTTP response: {:?}",
            String::from_utf8_lossy(&all[..all.len().min(60)])
        )),
    }
}

fn check_page(path: &str, status: u16, body: &[u8]) -> Result<(), String> {
    let Some(Expected::Page { bytes, digest }) = pages::expected(path) else {
        unreachable!("page paths expect pages")
    };
    if status != 200 || body.len() as u64 != bytes || pages::Digest::of(body) != digest {
        return Err(format!(
            "{path}: status {status}, {} bytes; want 200 and the page's {bytes} bytes",
            body.len()
        ));
    }
    Ok(())
}

/// Fairness: verified, with the measured phase marked. (Lateness is timing, which
/// tests do not judge; `compare --workload fairness` shows it.)
pub(super) fn fairness(model: &dyn Model, spec: &FairnessSpec) -> Result<(), String> {
    let outcome = model.fairness(spec).map_err(|e| e.to_string())?;
    spec.verify(&outcome).map_err(|e| e.to_string())?;
    super::checks::marked(&spec.probe)
}

/// Cancel: verified, every request in flight at the server at once, and the
/// server's count of open connections back to zero soon after the model returns.
pub(super) fn cancel(
    model: &dyn Model,
    server: &ServerHandle,
    spec: &CancelSpec,
) -> Result<(), String> {
    let outcome = model.cancel(spec).map_err(|e| e.to_string())?;
    spec.verify(&outcome).map_err(|e| e.to_string())?;
    let peak = server.stats().peak_in_flight();
    if peak < spec.paths.len() {
        return Err(format!(
            "the server saw at most {peak} of {} requests in flight at once",
            spec.paths.len()
        ));
    }
    let deadline = Instant::now() + Duration::from_secs(5);
    while server.stats().connections() > 0 {
        if Instant::now() > deadline {
            return Err(format!(
                "the server still held {} connections 5 s after the model returned",
                server.stats().connections()
            ));
        }
        thread::sleep(Duration::from_millis(10));
    }
    super::checks::marked(&spec.probe)
}
