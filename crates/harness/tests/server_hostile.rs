//! Hostile clients against the delay server: after each, a good request must
//! still be answered, whole and correct. No request of any kind stops `serve`.

mod support;

use std::io::Write;
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};

use harness::http::fetch_blocking;
use harness::pages::{Expected, MAX_BODY_BYTES, MAX_DELAY_MS, MAX_INDEX, expected, page_path};
use harness::server::Limits;
use support::{
    PATIENCE, assert_good, exchange, get, quick_limits, quick_server, read_to_close, server_with,
    wait_until,
};

#[test]
fn numbers_out_of_bounds_or_malformed_get_400_with_a_one_line_reason() {
    let server = quick_server();
    let addr = server.addr();
    let cases = [
        ("/page/1?bytes=99999999999", "bytes"),
        ("/page/1?bytes=200000000", "bytes"),
        (&format!("/page/1?bytes={}", MAX_BODY_BYTES + 1), "bytes"),
        ("/page/1?delay_ms=99999999999", "delay_ms"),
        (
            &format!("/page/1?delay_ms={}", MAX_DELAY_MS + 1),
            "delay_ms",
        ),
        ("/page/99999999999999999999999999", "page index"),
        (&format!("/page/{}", MAX_INDEX + 1), "page index"),
        ("/page/1?bytes=-1", "bytes"),
        ("/page/1?bytes=1e9", "bytes"),
        ("/page/1?delay_ms=", "delay_ms"),
        ("/page/1?bytes=1&bytes=2", "twice"),
        ("/page/1?colour=red", "colour"),
        ("/page/x", "page index"),
        ("/page", "page index"),
        ("/fault/status/200/1", "status code"),
        ("/fault/status/77777/1", "status code"),
        ("/fault/reset/99999999999999999999", "request index"),
        ("/fault/boom/1", "boom"),
    ];
    for (target, names) in cases {
        let started = Instant::now();
        let answer = exchange(addr, &get(target), false);
        assert_eq!(answer.status, Some(400), "{target}: {:?}", answer.raw);
        let reason = answer.body_text();
        assert!(
            reason.ends_with('\n') && reason.lines().count() == 1 && reason.contains(names),
            "{target}: the reason {reason:?} should be one line naming {names}"
        );
        // Refused at once, not after the delay it asked for.
        assert!(started.elapsed() < PATIENCE, "{target}");
        assert_good(addr, target);
    }
    // What the verifier expects of such a path is the same 400.
    let err = fetch_blocking(addr, "/page/1?bytes=99999999999", PATIENCE).unwrap_err();
    assert_eq!(
        Expected::Error(err.kind()),
        expected("/page/1?bytes=99999999999").unwrap()
    );
    assert_eq!(server.stats().in_flight(), 0);
}

#[test]
fn huge_heads_get_431_and_cost_nothing_after() {
    let server = quick_server();
    let addr = server.addr();
    let long_header = format!(
        "GET /page/1 HTTP/1.0\r\nX-Big: {}\r\n\r\n",
        "x".repeat(64 * 1024)
    );
    let many_headers = format!(
        "GET /page/1 HTTP/1.0\r\n{}\r\n",
        (0..200)
            .map(|k| format!("X-{k}: y\r\n"))
            .collect::<String>()
    );
    let long_target = format!("GET /{} HTTP/1.0\r\n\r\n", "a".repeat(20 * 1024));
    let endless_line = format!("GET /{}", "b".repeat(100 * 1024));
    for (what, request) in [
        ("a 64 KiB header", long_header),
        ("200 headers", many_headers),
        ("a 20 KiB target", long_target),
        ("a request line that never ends", endless_line),
    ] {
        let answer = exchange(addr, request.as_bytes(), false);
        assert_eq!(answer.status, Some(431), "{what}: {:?}", answer.body_text());
        assert!(answer.body_text().contains("request head"), "{what}");
        assert_good(addr, what);
    }
}

#[test]
fn binary_garbage_gets_400_or_a_close() {
    let server = quick_server();
    let addr = server.addr();
    let mut garbage: Vec<Vec<u8>> = vec![
        b"\x00\x01\x02\x03\r\n\r\n".to_vec(),
        b"\xff\xfe\xfd GET / HTTP/1.0\r\n\r\n".to_vec(),
        b"GET / HTTP/9.9\r\n\r\n".to_vec(),
        b"GET /\r\n\r\n".to_vec(),
        b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".to_vec(),
        b"GET / HTTP/1.0\r\nX-Nul: a\x00b\r\n\r\n".to_vec(),
        b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03".to_vec(), // a TLS ClientHello
        b"\r\n\r\n\r\n\r\n".to_vec(),
    ];
    // And seeded noise, with and without an end of head.
    let mut state = 0x5eed_u64;
    for len in [1, 7, 100, 1000, 5000, 20_000] {
        let mut noise: Vec<u8> = (0..len)
            .map(|_| harness::pages::splitmix64(&mut state) as u8)
            .collect();
        garbage.push(noise.clone());
        noise.extend_from_slice(b"\r\n\r\n");
        garbage.push(noise);
    }
    for (k, bytes) in garbage.iter().enumerate() {
        // Close the sending side: a garbage prefix that could still become a
        // request must end somewhere.
        let answer = exchange(addr, bytes, true);
        assert!(
            matches!(answer.status, None | Some(400) | Some(431)),
            "garbage {k}: {:?}",
            answer.raw
        );
        if answer.status.is_none() {
            // A close without a word: nothing half-sent.
            assert!(answer.raw.is_empty(), "garbage {k}: {:?}", answer.raw);
        }
        assert_good(addr, &format!("garbage {k}"));
    }
    assert_eq!(server.stats().pages(), garbage.len() as u64);
}

#[test]
fn a_client_that_sends_one_byte_at_a_time_is_timed_out() {
    let server = quick_server();
    let addr = server.addr();
    // Before the connect: the server's deadline starts at its accept, after this.
    let started = Instant::now();
    let mut stream = TcpStream::connect(addr).unwrap();
    stream.set_read_timeout(Some(PATIENCE)).unwrap();
    let mut writer = stream.try_clone().unwrap();
    // 60 bytes, one every 50 ms: three seconds for a head the server gives 300 ms.
    let dribble = std::thread::spawn(move || {
        for byte in b"GET /page/1 HTTP/1.0\r\nUser-Agent: one byte at a time......\r\n\r\n" {
            if writer.write_all(std::slice::from_ref(byte)).is_err() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    });
    let answer = read_to_close(&mut stream);
    assert_eq!(answer.status, Some(408), "{:?}", answer.raw);
    assert!(answer.body_text().contains("in time"));
    // The server cannot answer before its deadline; that it gave up before the
    // dribble ended is what the 408 says.
    assert!(started.elapsed() >= quick_limits().head_timeout);
    assert_good(addr, "a one-byte-a-time client");
    dribble.join().unwrap();
}

#[test]
fn an_idle_connection_is_closed_without_a_word() {
    let server = quick_server();
    let addr = server.addr();
    let mut idle = TcpStream::connect(addr).unwrap();
    idle.set_read_timeout(Some(PATIENCE)).unwrap();
    let answer = read_to_close(&mut idle);
    assert!(answer.raw.is_empty(), "{:?}", answer.raw);
    assert_good(addr, "an idle connection");
    wait_until("the server to let the idle connection go", || {
        server.stats().connections() == 0
    });
}

#[test]
fn clients_that_leave_mid_head_mid_body_or_mid_delay_cost_nothing() {
    let server = quick_server();
    let addr = server.addr();
    let leavers: [&[u8]; 4] = [
        b"GET /page/1 HTT",
        b"GET /page/2?delay_ms=100 HTTP/1.0\r\nContent-Length: 1000\r\n\r\nabc",
        b"GET /page/3?delay_ms=200 HTTP/1.0\r\n\r\n",
        b"GET /fault/stall/4 HTTP/1.0\r\n\r\n",
    ];
    for request in leavers {
        let mut stream = TcpStream::connect(addr).unwrap();
        stream.write_all(request).unwrap();
        std::thread::sleep(Duration::from_millis(20));
        drop(stream);
        assert_good(addr, &String::from_utf8_lossy(request));
    }
    wait_until("every leaver to be counted out", || {
        server.stats().in_flight() == 0 && server.stats().connections() == 0
    });
}

#[test]
fn a_client_that_stops_reading_a_large_page_is_dropped() {
    let server = quick_server();
    let addr = server.addr();
    let mut stalled = TcpStream::connect(addr).unwrap();
    stalled
        .write_all(&get(&page_path(5, 0, MAX_BODY_BYTES)))
        .unwrap();
    wait_until("the server to take the request", || {
        server.stats().connections() == 1
    });
    // The socket buffers fill, the write waits, and 300 ms later the server gives
    // the client up and closes its side.
    wait_until("the server to drop a client that does not read", || {
        server.stats().connections() == 0
    });
    stalled.set_read_timeout(Some(PATIENCE)).unwrap();
    let answer = read_to_close(&mut stalled);
    assert_eq!(answer.status, Some(200));
    assert!(
        answer.body.len() < MAX_BODY_BYTES,
        "all {} bytes arrived: the server never gave up",
        answer.body.len()
    );
    assert_good(addr, "a client that stopped reading");
}

#[test]
fn the_largest_page_streams_whole_and_correct() {
    let server = quick_server();
    let path = page_path(11, 0, MAX_BODY_BYTES);
    let Some(Expected::Page { bytes, digest }) = expected(&path) else {
        unreachable!()
    };
    let page = fetch_blocking(server.addr(), &path, PATIENCE).unwrap();
    assert_eq!((page.bytes, page.digest), (bytes, digest));
    assert_good(server.addr(), "the largest page");
}

/// Idle sockets the test may open: two descriptors each (both ends live in this
/// process), under the open-file limit with room to spare.
fn idle_budget(want: usize) -> usize {
    let limit = harness::limits::raise_nofile().unwrap_or(1024);
    let spare = usize::try_from(limit.saturating_sub(512) / 2).unwrap_or(usize::MAX);
    want.min(spare)
}

fn open_idle(addr: SocketAddr, n: usize) -> Vec<TcpStream> {
    (0..n)
        .map(|k| TcpStream::connect(addr).unwrap_or_else(|e| panic!("idle connection {k}: {e}")))
        .collect()
}

#[test]
fn thousands_of_idle_connections_do_not_hurt_the_requests_in_flight() {
    let server = server_with(Limits {
        // Long enough that the idle crowd is still there while we check.
        head_timeout: Duration::from_secs(10),
        ..quick_limits()
    });
    let addr = server.addr();
    let path = page_path(21, 500, 4000);
    let in_flight = std::thread::spawn(move || fetch_blocking(addr, &path, PATIENCE));
    wait_until("the slow page to be in flight", || {
        server.stats().in_flight() == 1
    });
    let n = idle_budget(2000);
    let idle = open_idle(addr, n);
    wait_until("the server to accept the idle crowd", || {
        server.stats().connections() > n
    });
    assert_good(addr, &format!("{n} idle connections"));
    let page = in_flight
        .join()
        .unwrap()
        .expect("the page in flight survives");
    let Some(Expected::Page { digest, .. }) = expected(&page_path(21, 500, 4000)) else {
        unreachable!()
    };
    assert_eq!(page.digest, digest);
    drop(idle);
    wait_until("the idle crowd to be gone", || {
        server.stats().connections() == 0
    });
}

#[test]
fn past_the_connection_cap_new_clients_wait_their_turn() {
    let cap = 8;
    let server = server_with(Limits {
        max_connections: Some(cap),
        ..quick_limits()
    });
    let addr = server.addr();
    let path = page_path(22, 300, 100);
    let in_flight = std::thread::spawn(move || fetch_blocking(addr, &path, PATIENCE));
    wait_until("the slow page to be in flight", || {
        server.stats().in_flight() == 1
    });
    // Forty idle clients for seven free slots: the rest queue in the kernel, and
    // the head timeout clears seven at a time.
    let idle = open_idle(addr, 40);
    assert_good(addr, "a queue of idle connections past the cap");
    assert!(
        in_flight.join().unwrap().is_ok(),
        "the page in flight survives"
    );
    assert!(
        server.stats().peak_connections() <= cap,
        "{} connections open at once, past the cap of {cap}",
        server.stats().peak_connections()
    );
    drop(idle);
}
