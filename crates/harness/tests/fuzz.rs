//! Property tests with arbitrary bytes: the response reader every model uses
//! ([`harness::http::ResponseReader`], with bodies framed by length, by the close
//! and by the chunked coding), the server's route parser, and the live
//! server. Each must answer with a value or a typed error: never a panic, never a
//! hang, and the server never stops answering good requests.

mod support;

use std::sync::OnceLock;

use harness::http::{FetchErrorKind, Progress, ResponseReader};
use harness::pages::{
    self, Digest, Expected, MAX_BODY_BYTES, MAX_DELAY_MS, MAX_INDEX, Route, Target,
};
use harness::server::ServerHandle;
use proptest::prelude::*;

/// Feeds `bytes` to a fresh reader cut at `cuts` (positions, any order, any
/// value), then tells it the peer closed, as every model's read loop does.
fn read(bytes: &[u8], cuts: &[usize]) -> Result<harness::http::Page, FetchErrorKind> {
    let mut points: Vec<usize> = cuts.iter().map(|c| c % (bytes.len() + 1)).collect();
    points.push(bytes.len());
    points.sort_unstable();
    let mut reader = ResponseReader::new();
    let mut from = 0;
    for to in points {
        if to == from {
            continue; // A read of 0 bytes is EOF, not data: models never feed one.
        }
        match reader.feed(&bytes[from..to]) {
            Ok(Progress::More) => from = to,
            Ok(Progress::Done(page)) => return Ok(page),
            Err(e) => return Err(e.kind()),
        }
    }
    reader.eof().map_err(|e| e.kind())
}

fn response(status: &str, headers: &[String], body: &[u8]) -> Vec<u8> {
    let mut r = format!("HTTP/1.0 {status}\r\n").into_bytes();
    for h in headers {
        r.extend_from_slice(h.as_bytes());
        r.extend_from_slice(b"\r\n");
    }
    r.extend_from_slice(b"\r\n");
    r.extend_from_slice(body);
    r
}

/// `body` in the chunked coding, in chunks of `sizes` (cycled), as a server that
/// ignores the request's HTTP/1.0 might send it.
fn chunked(
    body: &[u8],
    sizes: &[usize],
    extension: Option<&str>,
    trailers: &[String],
    upper: bool,
) -> Vec<u8> {
    let mut r = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n".to_vec();
    let mut rest = body;
    for size in sizes.iter().cycle() {
        if rest.is_empty() {
            break;
        }
        let (chunk, more) = rest.split_at((*size).min(rest.len()));
        let hex = if upper {
            format!("{:X}", chunk.len())
        } else {
            format!("{:x}", chunk.len())
        };
        r.extend_from_slice(hex.as_bytes());
        if let Some(e) = extension {
            r.extend_from_slice(format!(";{e}").as_bytes());
        }
        r.extend_from_slice(b"\r\n");
        r.extend_from_slice(chunk);
        r.extend_from_slice(b"\r\n");
        rest = more;
    }
    r.extend_from_slice(b"0\r\n");
    for t in trailers {
        r.extend_from_slice(t.as_bytes());
        r.extend_from_slice(b"\r\n");
    }
    r.extend_from_slice(b"\r\n");
    r
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_give_a_page_or_a_typed_error(
        bytes in proptest::collection::vec(any::<u8>(), 0..4096),
        cuts in proptest::collection::vec(any::<usize>(), 0..16),
    ) {
        if let Ok(page) = read(&bytes, &cuts) {
            // A page is only ever what the bytes held.
            prop_assert_eq!(page.status, 200);
            prop_assert!(page.bytes <= bytes.len() as u64);
        }
    }

    #[test]
    fn bytes_after_a_valid_head_give_a_page_or_a_typed_error(
        content_length in proptest::option::of(any::<u64>()),
        extra in proptest::collection::vec("[ -~]{0,40}", 0..40),
        body in proptest::collection::vec(any::<u8>(), 0..2048),
        cuts in proptest::collection::vec(any::<usize>(), 0..16),
    ) {
        let mut headers: Vec<String> = extra.iter().map(|h| format!("X-F: {h}")).collect();
        if let Some(len) = content_length {
            headers.push(format!("Content-Length: {len}"));
        }
        let bytes = response("200 OK", &headers, &body);
        match read(&bytes, &cuts) {
            Ok(page) => prop_assert!(page.bytes <= body.len() as u64),
            Err(kind) => prop_assert_eq!(kind, FetchErrorKind::Protocol),
        }
    }

    #[test]
    fn a_valid_response_reads_back_exactly_however_it_is_cut(
        i in any::<u64>(),
        len in 0usize..5000,
        status_text in "[A-Za-z ]{0,20}",
        header_case in any::<bool>(),
        cuts in proptest::collection::vec(any::<usize>(), 0..32),
    ) {
        let body = pages::body(i, len);
        let name = if header_case { "content-length" } else { "Content-Length" };
        let bytes = response(&format!("200 {status_text}"), &[format!("{name}: {len}")], &body);
        let page = read(&bytes, &cuts).map_err(|e| TestCaseError::fail(format!("{e}")))?;
        prop_assert_eq!((page.bytes, page.digest), (len as u64, Digest::of(&body)));
    }

    #[test]
    fn a_page_is_as_long_as_every_content_length_it_was_sent(
        lengths in proptest::collection::vec(0u64..64, 1..4),
        body in proptest::collection::vec(any::<u8>(), 0..64),
        cuts in proptest::collection::vec(any::<usize>(), 0..8),
    ) {
        let headers: Vec<String> = lengths.iter().map(|l| format!("Content-Length: {l}")).collect();
        let bytes = response("200 OK", &headers, &body);
        match read(&bytes, &cuts) {
            Ok(page) => prop_assert!(lengths.iter().all(|&l| l == page.bytes), "{lengths:?} {page:?}"),
            Err(kind) => prop_assert_eq!(kind, FetchErrorKind::Protocol),
        }
    }

    #[test]
    fn a_mutated_response_never_panics(
        len in 0usize..600,
        flips in proptest::collection::vec((any::<usize>(), any::<u8>()), 1..8),
        cuts in proptest::collection::vec(any::<usize>(), 0..8),
    ) {
        let body = pages::body(3, len);
        let mut bytes = response("200 OK", &[format!("Content-Length: {len}")], &body);
        for (at, byte) in flips {
            let at = at % bytes.len();
            bytes[at] = byte;
        }
        if let Ok(page) = read(&bytes, &cuts) {
            prop_assert!(page.bytes <= bytes.len() as u64);
        }
    }

    #[test]
    fn feeding_on_after_the_end_never_panics(
        first in proptest::collection::vec(any::<u8>(), 1..512),
        more in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 1..256), 0..8),
    ) {
        let mut reader = ResponseReader::new();
        let _ = reader.feed(&first);
        for chunk in &more {
            let _ = reader.feed(chunk);
        }
        let _ = reader.eof();
    }

    #[test]
    fn a_chunked_response_reads_back_exactly_however_it_is_chunked_and_cut(
        i in any::<u64>(),
        len in 0usize..3000,
        sizes in proptest::collection::vec(1usize..700, 1..12),
        extension in proptest::option::of("[a-z]{1,8}(=[a-z0-9]{0,8})?"),
        trailers in proptest::collection::vec("X-[A-Za-z]{1,8}: [ -~]{0,20}", 0..3),
        upper in any::<bool>(),
        cuts in proptest::collection::vec(any::<usize>(), 0..32),
    ) {
        let body = pages::body(i, len);
        let bytes = chunked(&body, &sizes, extension.as_deref(), &trailers, upper);
        let page = read(&bytes, &cuts).map_err(|e| TestCaseError::fail(format!("{e}")))?;
        prop_assert_eq!((page.bytes, page.digest), (len as u64, Digest::of(&body)));
    }

    #[test]
    fn a_chunked_response_cut_short_is_a_protocol_error(
        len in 0usize..600,
        sizes in proptest::collection::vec(1usize..100, 1..8),
        keep in any::<usize>(),
        cuts in proptest::collection::vec(any::<usize>(), 0..8),
    ) {
        let body = pages::body(5, len);
        let bytes = chunked(&body, &sizes, None, &[], false);
        // Every proper prefix lacks the empty line that ends the trailer section.
        let keep = keep % bytes.len();
        prop_assert_eq!(read(&bytes[..keep], &cuts), Err(FetchErrorKind::Protocol));
    }

    #[test]
    fn a_mutated_chunked_response_never_panics(
        len in 0usize..600,
        sizes in proptest::collection::vec(1usize..100, 1..8),
        flips in proptest::collection::vec((any::<usize>(), any::<u8>()), 1..8),
        cuts in proptest::collection::vec(any::<usize>(), 0..8),
    ) {
        let body = pages::body(9, len);
        let mut bytes = chunked(&body, &sizes, Some("e=1"), &["X-T: 1".into()], false);
        for (at, byte) in flips {
            let at = at % bytes.len();
            bytes[at] = byte;
        }
        match read(&bytes, &cuts) {
            // Decoded content is never more than what was sent.
            Ok(page) => prop_assert!(page.bytes <= bytes.len() as u64),
            Err(kind) => prop_assert!(matches!(kind, FetchErrorKind::Protocol | FetchErrorKind::Status(_))),
        }
    }

    #[test]
    fn any_target_is_a_route_in_bounds_a_plain_page_or_a_reason(target in "\\PC{0,80}") {
        route_invariants(&target)?;
    }

    #[test]
    fn page_shaped_targets_are_in_bounds_or_refused(
        target in "/(page|fault)(/[0-9a-z+-]{0,24}){0,3}(\\?([a-z_]{0,9}=[0-9]{0,25}&?){0,3})?",
    ) {
        route_invariants(&target)?;
    }
}

fn route_invariants(target: &str) -> Result<(), TestCaseError> {
    match Target::parse(target) {
        Target::Route(Route::Page { i, delay_ms, bytes }) => {
            prop_assert!(i <= MAX_INDEX);
            prop_assert!(delay_ms.is_none_or(|d| d <= MAX_DELAY_MS));
            prop_assert!(bytes.is_none_or(|b| b <= MAX_BODY_BYTES));
            let small = bytes.is_none_or(|b| b < 1 << 16);
            if small {
                let is_page = matches!(pages::expected(target), Some(Expected::Page { .. }));
                prop_assert!(is_page);
            }
        }
        Target::Route(Route::Fault { i, .. }) => prop_assert!(i <= MAX_INDEX),
        Target::Plain { .. } => {
            let first = target.trim_start_matches('/').split(['/', '?']).next();
            prop_assert!(!matches!(first, Some("page" | "fault")));
        }
        Target::Bad(reason) => {
            let line = reason.to_string();
            prop_assert!(!line.is_empty() && !line.contains('\n') && line.len() < 300);
        }
    }
    Ok(())
}

/// One server for every case of the live property below.
fn live() -> &'static ServerHandle {
    static SERVER: OnceLock<ServerHandle> = OnceLock::new();
    SERVER.get_or_init(support::quick_server)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn no_bytes_stop_the_server(
        prefix in proptest::sample::select(vec!["", "GET ", "GET /page/1", "GET /fault/", "HEAD / HTTP/1.1\r\n"]),
        noise in proptest::collection::vec(any::<u8>(), 0..3000),
        end in any::<bool>(),
    ) {
        let mut bytes = prefix.as_bytes().to_vec();
        bytes.extend_from_slice(&noise);
        if end {
            bytes.extend_from_slice(b"\r\n\r\n");
        }
        let addr = live().addr();
        let answer = support::exchange(addr, &bytes, true);
        // The server answers with a status of its own, or closes; the fault
        // paths are the only ones that may send something that is not HTTP.
        if answer.status.is_none() && !prefix.contains("fault") {
            prop_assert!(answer.raw.is_empty(), "{:?}", String::from_utf8_lossy(&answer.raw));
        }
        support::assert_good(addr, &format!("{:?}", String::from_utf8_lossy(&bytes)));
    }
}
