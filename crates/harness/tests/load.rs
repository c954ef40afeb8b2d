//! The load generator against tiny std-thread servers that answer the page
//! protocol with `harness::respond`, some of them badly on purpose.
//!
//! No binary registers a child process here, so `load::run` runs the generator
//! on a thread of the test process. Rates and durations are small: each test
//! takes well under two seconds, and what they assert holds on a slow machine.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use harness::load::{self, LoadConfig, LoadReport};
use harness::respond::{self, Parsed};

/// How a test server misbehaves.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Quirk {
    /// Answers every page right, on a keep-alive connection.
    None,
    /// Waits this long before answering page `at`, once.
    StallOnce { at: u64, ms: u64 },
    /// Flips a byte of every page whose index is a multiple of this.
    Corrupt { every: u64 },
    /// Answers `Connection: close` and closes after every response.
    Close,
    /// Never answers page `at`, and holds its connection open until the client
    /// gives up.
    Ignore { at: u64 },
}

/// A thread per connection; dropping it stops the accept loop.
struct TestServer {
    addr: SocketAddr,
    stop: Arc<AtomicBool>,
    answered: Arc<AtomicU64>,
}

impl TestServer {
    fn start(quirk: Quirk) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let stop = Arc::new(AtomicBool::new(false));
        let answered = Arc::new(AtomicU64::new(0));
        let (stopping, counter) = (Arc::clone(&stop), Arc::clone(&answered));
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                if stopping.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(stream) = stream else { continue };
                let counter = Arc::clone(&counter);
                std::thread::spawn(move || serve(stream, quirk, &counter));
            }
        });
        Self {
            addr,
            stop,
            answered,
        }
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(self.addr);
    }
}

static STALLED: AtomicBool = AtomicBool::new(false);

fn serve(mut stream: TcpStream, quirk: Quirk, answered: &AtomicU64) {
    let _ = stream.set_nodelay(true);
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        let req = loop {
            match respond::parse(&buf) {
                Parsed::Request(req) => break req,
                Parsed::Refuse(refusal) => {
                    let _ = stream.write_all(&refusal.response());
                    return;
                }
                Parsed::Partial => match stream.read(&mut chunk) {
                    Ok(0) | Err(_) => return,
                    Ok(n) => buf.extend_from_slice(&chunk[..n]),
                },
            }
        };
        buf.drain(..req.consumed);
        std::thread::sleep(req.delay);
        let mut req = req;
        match quirk {
            Quirk::StallOnce { at, ms }
                if req.page == at && !STALLED.swap(true, Ordering::SeqCst) =>
            {
                std::thread::sleep(Duration::from_millis(ms));
            }
            Quirk::Close => req.keep_alive = false,
            Quirk::Ignore { at } if req.page == at => {
                // Hold the connection until the client closes it.
                while matches!(stream.read(&mut chunk), Ok(n) if n > 0) {}
                return;
            }
            _ => {}
        }
        let mut response = req.response();
        if let Quirk::Corrupt { every } = quirk {
            if req.page % every == 0 {
                let last = response.len() - 1;
                response[last] ^= 0x20;
            }
        }
        if stream.write_all(&response).is_err() {
            return;
        }
        answered.fetch_add(1, Ordering::SeqCst);
        if !req.keep_alive {
            return;
        }
    }
}

fn config(addr: SocketAddr, rate: u64, duration_ms: u64, connections: usize) -> LoadConfig {
    LoadConfig {
        addr,
        rate,
        duration_ms,
        connections,
        delay_ms: 1,
        body_bytes: 300,
        timeout_ms: 2_000,
    }
}

fn assert_every_request_counted(r: &LoadReport) {
    assert_eq!(
        r.ok + r.failed(),
        r.scheduled,
        "every request is ok or one error: {r:?}"
    );
    assert_eq!(r.latency.count, r.ok, "{r:?}");
    assert_eq!(r.service.count, r.ok, "{r:?}");
    assert_eq!(r.generator, "thread (in-process)");
    assert_eq!(r.cpu_ns, None);
}

#[test]
fn every_request_is_answered_and_verified() {
    let server = TestServer::start(Quirk::None);
    let r = load::run(&config(server.addr, 500, 400, 4));
    assert_eq!(r.scheduled, 200);
    assert_eq!(r.ok, 200, "{r:?}");
    assert!(r.errors.is_empty(), "{}", r.errors_in_words());
    assert_eq!(r.first_error, None);
    assert_eq!(r.sent, 200);
    assert_eq!((r.connected, r.peak_open), (4, 4));
    assert_eq!(r.send_lag.count, 200);
    assert_every_request_counted(&r);
    // The page asks for 1 ms, which every latency includes.
    assert!(r.latency.p50_us >= 1_000, "{:?}", r.latency);
    assert!(r.latency.max_us >= r.latency.p99_us && r.latency.p99_us >= r.latency.p50_us);
    // The schedule ran 400 ms, minus one gap, plus the last answer.
    assert!(r.elapsed_ns >= 398_000_000, "{}", r.elapsed_ns);
    assert!(r.achieved_rate() > 0.0);
    assert_eq!(server.answered.load(Ordering::SeqCst), 200);
}

#[test]
fn a_stall_shows_in_latency_but_not_in_service_time() {
    // One connection so the stall holds up every request queued behind it: the
    // requests due during it are sent late, and their latency counts from when
    // they were due (coordinated omission, corrected).
    let server = TestServer::start(Quirk::StallOnce { at: 60, ms: 150 });
    let r = load::run(&config(server.addr, 200, 600, 1));
    assert_eq!(r.ok, r.scheduled, "{r:?}");
    assert_every_request_counted(&r);
    assert!(r.latency.max_us >= 140_000, "{:?}", r.latency);
    // About 30 of the 120 requests were due during the stall.
    assert!(r.latency.p90_us >= 50_000, "{:?}", r.latency);
    assert!(r.latency.p99_us >= 100_000, "{:?}", r.latency);
    // A closed-loop client would have seen one slow request and nothing else.
    assert!(r.service.max_us >= 140_000, "{:?}", r.service);
    assert!(
        r.service.p90_us * 4 < r.latency.p90_us,
        "service {:?} latency {:?}",
        r.service,
        r.latency
    );
    // The generator itself was late: by the stall, not by its own doing.
    assert!(r.send_lag.max_us >= 50_000, "{:?}", r.send_lag);
}

#[test]
fn a_corrupt_body_is_an_error_not_a_latency() {
    let server = TestServer::start(Quirk::Corrupt { every: 5 });
    let r = load::run(&config(server.addr, 200, 200, 2));
    assert_eq!(r.scheduled, 40);
    assert_eq!(r.errors.get("corrupt"), Some(&8), "{r:?}");
    assert_eq!(r.ok, 32);
    assert_every_request_counted(&r);
    let first = r.first_error.as_deref().unwrap();
    assert!(first.contains("digest"), "{first}");
}

#[test]
fn a_server_that_closes_every_connection_is_reconnected() {
    let server = TestServer::start(Quirk::Close);
    let r = load::run(&config(server.addr, 200, 200, 2));
    assert_eq!(r.ok, 40, "{r:?}");
    assert!(r.errors.is_empty(), "{}", r.errors_in_words());
    // Two at the start, and one for every request after the first on each.
    assert_eq!(r.connected, 40);
    assert!(r.peak_open <= 2, "{r:?}");
    assert_every_request_counted(&r);
}

#[test]
fn a_refused_connection_is_a_connect_error() {
    let addr = {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap()
    };
    let r = load::run(&config(addr, 20, 200, 2));
    assert_eq!(r.scheduled, 4);
    assert_eq!(r.errors.get("connect"), Some(&4), "{r:?}");
    assert_eq!((r.ok, r.sent, r.connected, r.peak_open), (0, 0, 0, 0));
    assert_every_request_counted(&r);
    assert!(r.first_error.is_some());
}

#[test]
fn a_request_never_answered_times_out_and_the_next_reconnects() {
    let server = TestServer::start(Quirk::Ignore { at: 4 });
    let mut c = config(server.addr, 100, 200, 1);
    c.timeout_ms = 100;
    let r = load::run(&c);
    assert_eq!(r.scheduled, 20);
    // Request 4 times out; those queued behind it ran out of time before their
    // turn or made it afterwards, on a new connection.
    assert!(r.errors.get("timeout").copied().unwrap_or(0) >= 1, "{r:?}");
    assert_eq!(r.errors.keys().collect::<Vec<_>>(), ["timeout"], "{r:?}");
    assert!(r.ok >= 10, "{r:?}");
    assert_eq!(r.connected, 2, "{r:?}");
    assert_every_request_counted(&r);
}
