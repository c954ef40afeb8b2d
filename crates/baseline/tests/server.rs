//! The `server` workload in both baseline models: each serves the page protocol
//! on a thread of the test while a client talks to it, then stops when told.
//! Functional checks only (what was answered, refused and counted), no timings.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::thread;
use std::time::Duration;

use harness::Model;
use harness::http::fetch_blocking;
use harness::pages::page_path;
use harness::params::{Param, Params};
use harness::spec::{ServerOutcome, ServerSpec, Workload};

const TIMEOUT: Duration = Duration::from_secs(5);

/// Runs `model` as the server while `client` talks to it, then stops it; returns
/// the model's tally.
fn serve(model: &dyn Model, client: impl FnOnce(SocketAddr) + Send) -> ServerOutcome {
    let spec = ServerSpec::bind(4).expect("a loopback listener");
    thread::scope(|s| {
        let server = s.spawn(|| model.server(&spec));
        assert!(spec.probe.wait_begun(TIMEOUT), "the model never began");
        client(spec.addr);
        spec.stop.stop();
        let outcome = server
            .join()
            .expect("the server thread")
            .expect("an outcome");
        assert!(spec.probe.phases().is_some(), "begin and end marked");
        assert_eq!(
            spec.probe.alive_now(),
            0,
            "every connection's guard dropped"
        );
        outcome
    })
}

/// Writes `raw` on a fresh connection and reads until the server closes it.
fn exchange(addr: SocketAddr, raw: &str) -> String {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream.set_read_timeout(Some(TIMEOUT)).unwrap();
    stream.write_all(raw.as_bytes()).unwrap();
    let mut got = Vec::new();
    // A reset after the responses would still leave them in `got`.
    let _ = stream.read_to_end(&mut got);
    String::from_utf8_lossy(&got).into_owned()
}

fn get(path: &str, version: &str, connection: &str) -> String {
    format!("GET {path} HTTP/1.{version}\r\nHost: t\r\nConnection: {connection}\r\n\r\n")
}

#[test]
fn threads_serves_keep_alive_pipelining_refusals_and_a_slow_client() {
    let tally = serve(&cm_baseline::Threads, |addr| {
        // HTTP/1.0, the crawl's client: one page, then the server closes.
        let page = fetch_blocking(addr, &page_path(1, 5, 100), TIMEOUT).unwrap();
        assert_eq!((page.status, page.bytes), (200, 100));
        // Two pipelined on one kept-alive connection, answered in order.
        let two =
            get(&page_path(2, 1, 10), "1", "keep-alive") + &get(&page_path(3, 1, 10), "1", "close");
        let text = exchange(addr, &two);
        assert_eq!(text.matches("HTTP/1.1 200 OK").count(), 2, "{text}");
        assert!(text.contains("Connection: keep-alive") && text.contains("Connection: close"));
        // Not a page: 404, then a close.
        let text = exchange(addr, "GET / HTTP/1.1\r\n\r\n");
        assert!(text.starts_with("HTTP/1.1 404 "), "{text}");
        // A client that stops halfway holds its own thread, not the server.
        let mut slow = TcpStream::connect(addr).unwrap();
        slow.write_all(b"GET /pa").unwrap();
        let page = fetch_blocking(addr, &page_path(4, 1, 10), TIMEOUT).unwrap();
        assert_eq!(page.status, 200);
        drop(slow);
    });
    assert_eq!(
        (tally.answered, tally.refused, tally.dropped),
        (4, 1, 0),
        "{tally:?}"
    );
    // Five clients and the stop's wake-up connection.
    assert_eq!(tally.accepted, 6, "{tally:?}");
}

#[test]
fn sequential_closes_a_connection_once_nothing_waits_on_it() {
    let tally = serve(&cm_baseline::Sequential, |addr| {
        let page = fetch_blocking(addr, &page_path(1, 5, 100), TIMEOUT).unwrap();
        assert_eq!((page.status, page.bytes), (200, 100));
        // Asked to keep the connection, it answers and closes: nothing else waits.
        let text = exchange(addr, &get(&page_path(2, 1, 10), "1", "keep-alive"));
        assert_eq!(text.matches("HTTP/1.1 200 OK").count(), 1, "{text}");
        assert!(text.contains("Connection: close"), "{text}");
        // Two pipelined: the first kept alive for the one behind it, the second
        // the last, closed although the client asked to keep it.
        let two = get(&page_path(3, 1, 10), "1", "keep-alive")
            + &get(&page_path(4, 1, 10), "1", "keep-alive");
        let text = exchange(addr, &two);
        assert_eq!(text.matches("HTTP/1.1 200 OK").count(), 2, "{text}");
        let (first, second) = text.split_at(text.rfind("HTTP/1.1 200 OK").unwrap());
        assert!(first.contains("Connection: keep-alive"), "{text}");
        assert!(second.contains("Connection: close"), "{text}");
        let text = exchange(addr, "POST /page/1 HTTP/1.1\r\n\r\n");
        assert!(text.starts_with("HTTP/1.1 405 "), "{text}");
    });
    assert_eq!(
        (tally.answered, tally.refused, tally.dropped),
        (4, 1, 0),
        "{tally:?}"
    );
    assert_eq!(tally.accepted, 5, "{tally:?}");
}

#[test]
fn sequential_finishes_at_the_stop_despite_a_client_that_never_sends() {
    let mut silent = None;
    let tally = serve(&cm_baseline::Sequential, |addr| {
        let page = fetch_blocking(addr, &page_path(1, 0, 10), TIMEOUT).unwrap();
        assert_eq!(page.status, 200);
        // Connected, silent, and still open when the stop comes.
        silent = Some(TcpStream::connect(addr).unwrap());
    });
    assert_eq!((tally.answered, tally.dropped), (1, 0), "{tally:?}");
    drop(silent);
}

/// The whole cell, the harness's load generator as the client, at a rate each
/// model can serve (sequential: one 1 ms page at a time).
#[test]
fn both_models_pass_the_server_cell_at_a_small_load() {
    let mut params = Params::new();
    for (p, v) in [
        (Param::Rate, 40),
        (Param::DurationMs, 200),
        (Param::Connections, 2),
        (Param::DelayMs, 1),
    ] {
        params.set(p, v).unwrap();
    }
    let unused: SocketAddr = "127.0.0.1:1".parse().unwrap();
    for model in [
        &cm_baseline::Threads as &dyn Model,
        &cm_baseline::Sequential,
    ] {
        let report = harness::cell::execute(model, Workload::Server, &params, unused);
        assert_eq!(report.error, None, "{}: {}", model.name(), report.summary);
        assert!(report.verified, "{}", model.name());
    }
}
