//! The page protocol, server side: what every model's `server.rs` parses and
//! answers, so that the models differ in how they wait and not in what they say.
//!
//! The `server` workload turns the crawl around: the model is the server, and the
//! harness's load generator is the client. Each model reads bytes from a
//! connection in its own way (a readiness callback, a task, a coroutine, a
//! thread), hands what it has to [`parse`], waits the page's delay in its own way,
//! and writes what [`Request::response`] gives it. The body and its digest come
//! from [`crate::pages`], as the delay server's do, so the load generator checks
//! every body the same way a crawl checks the delay server's.
//!
//! What [`parse`] accepts:
//! - `GET /page/<i>?delay_ms=<d>&bytes=<b>` (the delay server's page paths, with
//!   the same bounds), HTTP/1.0 or HTTP/1.1;
//! - keep-alive as HTTP/1.1 defines it (on unless `Connection: close`) and as
//!   HTTP/1.0 clients ask for it (`Connection: keep-alive`); pipelined requests
//!   are answered in order, because each call parses one request off the front.
//!
//! What it refuses, with a complete response and then a close: a head over
//! [`MAX_HEAD_BYTES`] or with more than [`MAX_HEADERS`] headers (`431`), a request
//! line or header that is not HTTP (`400`), a method other than GET (`405`), a
//! page path that breaks a bound or does not parse (`400` with the reason), any
//! other path (`404`), a page over [`MAX_PAGE_BYTES`] (`400`) and a request with a
//! body (`400`: GET has none here, and skipping one safely is beyond this server).

use std::time::Duration;

use crate::pages::{self, Route, Target};

/// Longest request head a model reads before refusing it with 431: the delay
/// server's limit.
pub const MAX_HEAD_BYTES: usize = 8 * 1024;
/// Most header lines a request may carry.
pub const MAX_HEADERS: usize = 32;
/// Largest page a model serves: a response is built whole in memory, so a bound
/// keeps one request from costing a model more than a megabyte.
pub const MAX_PAGE_BYTES: usize = 1 << 20;
/// Delay of a page whose path does not say (`/page/3`): none.
pub const DEFAULT_DELAY: Duration = Duration::ZERO;

/// What the front of a connection's buffer holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Parsed {
    /// Not a whole request head yet: read more and call again.
    Partial,
    /// One whole request; its head is the first `consumed` bytes of the buffer.
    Request(Request),
    /// A request to refuse: write [`Refusal::response`], then close.
    Refuse(Refusal),
}

/// One page request, parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    /// Bytes of the buffer this request's head took: drop them before parsing on.
    pub consumed: usize,
    /// The page index.
    pub page: u64,
    /// Body length.
    pub bytes: usize,
    /// How long the model waits before it answers: its own sleep, in its own idiom.
    pub delay: Duration,
    /// Whether the connection stays open after the response.
    pub keep_alive: bool,
    /// HTTP/1.0 or 1.1, echoed in the status line.
    minor: u8,
}

impl Request {
    /// The complete response: status line, headers and the page's body.
    pub fn response(&self) -> Vec<u8> {
        let body = pages::body(self.page, self.bytes);
        let connection = if self.keep_alive {
            "keep-alive"
        } else {
            "close"
        };
        let mut out = format!(
            "HTTP/1.{} 200 OK\r\nContent-Type: text/plain\r\nContent-Length: {}\r\n\
             Connection: {connection}\r\n\r\n",
            self.minor,
            body.len()
        )
        .into_bytes();
        out.extend_from_slice(&body);
        out
    }
}

/// A request refused: its status and the one line that says why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub status: u16,
    pub reason: String,
}

impl Refusal {
    fn new(status: u16, reason: impl Into<String>) -> Self {
        Self {
            status,
            reason: reason.into(),
        }
    }

    /// The complete response, which says `Connection: close`: the model closes the
    /// connection after writing it.
    pub fn response(&self) -> Vec<u8> {
        let text = match self.status {
            400 => "Bad Request",
            404 => "Not Found",
            405 => "Method Not Allowed",
            431 => "Request Header Fields Too Large",
            _ => "Error",
        };
        let body = format!("{}\n", self.reason);
        format!(
            "HTTP/1.1 {} {text}\r\nContent-Type: text/plain\r\nContent-Length: {}\r\n\
             Connection: close\r\n\r\n{body}",
            self.status,
            body.len()
        )
        .into_bytes()
    }
}

/// Parses the request at the front of `buf`. Never panics, and never asks for
/// more than [`MAX_HEAD_BYTES`]: a head that long is refused, not waited for.
pub fn parse(buf: &[u8]) -> Parsed {
    let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
    let mut req = httparse::Request::new(&mut headers);
    let consumed = match req.parse(buf) {
        Ok(httparse::Status::Complete(n)) if n > MAX_HEAD_BYTES => return too_large(),
        Ok(httparse::Status::Complete(n)) => n,
        Ok(httparse::Status::Partial) if buf.len() > MAX_HEAD_BYTES => return too_large(),
        Ok(httparse::Status::Partial) => return Parsed::Partial,
        Err(httparse::Error::TooManyHeaders) => {
            return Parsed::Refuse(Refusal::new(
                431,
                format!("more than {MAX_HEADERS} header lines"),
            ));
        }
        Err(e) => {
            return Parsed::Refuse(Refusal::new(400, format!("malformed request: {e}")));
        }
    };
    let (Some(method), Some(target), Some(minor)) = (req.method, req.path, req.version) else {
        return Parsed::Refuse(Refusal::new(400, "incomplete request line"));
    };
    if method != "GET" {
        return Parsed::Refuse(Refusal::new(
            405,
            format!("{method} is not served; use GET"),
        ));
    }
    let header = |name: &str| {
        req.headers
            .iter()
            .find(|h| h.name.eq_ignore_ascii_case(name))
            .map(|h| String::from_utf8_lossy(h.value).trim().to_ascii_lowercase())
    };
    let has_body =
        header("content-length").is_some_and(|v| v != "0") || header("transfer-encoding").is_some();
    if has_body {
        return Parsed::Refuse(Refusal::new(400, "a GET request carries no body here"));
    }
    let connection = header("connection");
    let keep_alive = match (minor, connection.as_deref()) {
        (_, Some(c)) if c.split(',').any(|t| t.trim() == "close") => false,
        (0, Some(c)) => c.split(',').any(|t| t.trim() == "keep-alive"),
        (0, None) => false,
        _ => true,
    };
    match Target::parse(target) {
        Target::Route(Route::Page { i, delay_ms, bytes }) => {
            let bytes = bytes.unwrap_or(pages::DEFAULT_BODY_BYTES);
            if bytes > MAX_PAGE_BYTES {
                return Parsed::Refuse(Refusal::new(
                    400,
                    format!("bytes={bytes} is above the server workload's {MAX_PAGE_BYTES}"),
                ));
            }
            Parsed::Request(Request {
                consumed,
                page: i,
                bytes,
                delay: delay_ms.map_or(DEFAULT_DELAY, Duration::from_millis),
                keep_alive,
                minor,
            })
        }
        Target::Bad(why) => Parsed::Refuse(Refusal::new(400, why.to_string())),
        Target::Route(Route::Fault { .. }) | Target::Plain { .. } => Parsed::Refuse(Refusal::new(
            404,
            "this server serves /page/<i>?delay_ms=<d>&bytes=<b> only",
        )),
    }
}

/// Closes a blocking std connection after its last response so that the response
/// arrives: the teardown the std-socket servers (`sequential`, `threads`,
/// `crossbeam`) share, since it is the protocol's and not the model's.
///
/// A plain close with the client's bytes still unread (a request it pipelined
/// behind the last one) makes the kernel send a reset, which can destroy the
/// response in the client's buffers before it reads it. RFC 9112 §9.6 closes in
/// stages instead: half-close (the response, then our FIN), read what the client
/// sent, then close. This takes the first two steps without waiting: it discards
/// only what has already arrived, so a client that keeps sending holds no one.
pub fn close_gently(stream: std::net::TcpStream) {
    use std::io::Read as _;
    let _ = stream.shutdown(std::net::Shutdown::Write);
    if stream.set_nonblocking(true).is_ok() {
        let mut sink = [0u8; crate::http::READ_BUF_BYTES];
        for _ in 0..16 {
            match (&stream).read(&mut sink) {
                Ok(n) if n > 0 => {}
                _ => break,
            }
        }
    }
}

fn too_large() -> Parsed {
    Parsed::Refuse(Refusal::new(
        431,
        format!("request head longer than {MAX_HEAD_BYTES} bytes"),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::ResponseReader;
    use crate::pages::Expected;

    fn request(buf: &[u8]) -> Request {
        match parse(buf) {
            Parsed::Request(r) => r,
            other => panic!("{other:?}"),
        }
    }

    fn refusal(buf: &[u8]) -> Refusal {
        match parse(buf) {
            Parsed::Refuse(r) => r,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_page_request_gets_the_page_the_verifier_expects() {
        let path = pages::page_path(7, 15, 300);
        let raw = format!("GET {path} HTTP/1.1\r\nHost: x\r\n\r\n");
        let req = request(raw.as_bytes());
        assert_eq!(req.consumed, raw.len());
        assert_eq!(req.delay, Duration::from_millis(15));
        assert!(req.keep_alive);
        let mut reader = ResponseReader::new();
        reader.feed(&req.response()).unwrap();
        let page = reader.eof().unwrap();
        let Some(Expected::Page { bytes, digest }) = pages::expected(&path) else {
            unreachable!()
        };
        assert_eq!((page.status, page.bytes, page.digest), (200, bytes, digest));
    }

    #[test]
    fn keep_alive_follows_the_version_and_the_header() {
        let p = "/page/1?delay_ms=0&bytes=1";
        let ka = |raw: String| request(raw.as_bytes()).keep_alive;
        assert!(!ka(format!("GET {p} HTTP/1.0\r\n\r\n")));
        assert!(ka(format!(
            "GET {p} HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n"
        )));
        assert!(ka(format!("GET {p} HTTP/1.1\r\n\r\n")));
        assert!(!ka(format!(
            "GET {p} HTTP/1.1\r\nConnection: close\r\n\r\n"
        )));
        let closing = request(format!("GET {p} HTTP/1.0\r\n\r\n").as_bytes()).response();
        assert!(String::from_utf8_lossy(&closing).contains("Connection: close"));
    }

    #[test]
    fn pipelined_requests_come_off_the_front_one_at_a_time() {
        let one = "GET /page/1?delay_ms=0&bytes=5 HTTP/1.1\r\n\r\n";
        let two = "GET /page/2?delay_ms=0&bytes=5 HTTP/1.1\r\n\r\n";
        let buf = format!("{one}{two}GET /pa");
        let first = request(buf.as_bytes());
        assert_eq!(first.page, 1);
        let rest = &buf.as_bytes()[first.consumed..];
        let second = request(rest);
        assert_eq!(second.page, 2);
        assert_eq!(parse(&rest[second.consumed..]), Parsed::Partial);
    }

    #[test]
    fn bad_requests_are_refused_with_a_reason() {
        assert_eq!(refusal(b"NOT HTTP\r\n\r\n").status, 400);
        assert_eq!(refusal(b"POST /page/1 HTTP/1.1\r\n\r\n").status, 405);
        assert_eq!(refusal(b"GET / HTTP/1.1\r\n\r\n").status, 404);
        assert_eq!(refusal(b"GET /fault/reset/1 HTTP/1.1\r\n\r\n").status, 404);
        let bad = refusal(b"GET /page/x?delay_ms=1 HTTP/1.1\r\n\r\n");
        assert_eq!(bad.status, 400);
        assert!(!bad.reason.is_empty());
        let big = refusal(b"GET /page/1?bytes=2000000 HTTP/1.1\r\n\r\n");
        assert!(big.reason.contains("above"), "{big:?}");
        assert_eq!(
            refusal(b"GET /page/1 HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc").status,
            400
        );
        let resp = String::from_utf8(bad.response()).unwrap();
        assert!(resp.starts_with("HTTP/1.1 400 Bad Request\r\n"), "{resp}");
        assert!(resp.contains("Connection: close"));
    }

    #[test]
    fn a_head_that_never_ends_is_refused_at_the_limit() {
        // One header line that never ends: partial up to the limit, refused past it.
        let mut buf = b"GET /page/1 HTTP/1.1\r\nX-Pad: ".to_vec();
        while buf.len() <= MAX_HEAD_BYTES {
            assert_eq!(parse(&buf), Parsed::Partial);
            buf.extend_from_slice(&[b'a'; 1000]);
            buf.truncate(buf.len().min(MAX_HEAD_BYTES + 1));
        }
        assert_eq!(refusal(&buf).status, 431);
        let many: String = (0..40).map(|i| format!("H{i}: v\r\n")).collect();
        let raw = format!("GET /page/1 HTTP/1.1\r\n{many}\r\n");
        assert_eq!(refusal(raw.as_bytes()).status, 431);
    }

    #[test]
    fn no_input_panics() {
        for raw in [
            &b""[..],
            b"\r\n\r\n",
            b"GET",
            b"GET /page/99999999999999999999 HTTP/1.1\r\n\r\n",
            b"GET /page/1?delay_ms=-1 HTTP/1.1\r\n\r\n",
            b"\xff\xfe\r\n\r\n",
        ] {
            let _ = parse(raw);
        }
    }
}
