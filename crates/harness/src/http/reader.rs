//! [`ResponseReader`]: one HTTP/1.x response, from bytes that arrive in pieces.
//!
//! The head is parsed once it is whole; the body is counted and digested, never
//! held. Where the body ends is decided the way RFC 9112 §6.3 says a client must:
//! by the chunked coding when `Transfer-Encoding` ends in `chunked`; by the close
//! for any other transfer coding, or when there is no `Content-Length`; otherwise by
//! the `Content-Length`. A response with both `Transfer-Encoding` and
//! `Content-Length`, or with two lengths that disagree, has no one place where it
//! ends, and is a protocol error rather than a guess.

use super::chunked::Chunked;
use super::{FetchError, FetchResult, Page};
use crate::pages::Digest;

/// Largest response head we accept before calling the peer broken.
pub(super) const MAX_HEAD_BYTES: usize = 16 * 1024;
/// Headers httparse may fill in one response.
const MAX_HEADERS: usize = 32;

/// What the reader needs next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Progress {
    /// Feed it more bytes (or tell it the peer closed).
    More,
    /// The response is complete; stop reading.
    Done(Page),
}

/// Reads one HTTP/1.x response from bytes that arrive in arbitrary pieces.
///
/// Feed it every non-empty read with [`feed`](Self::feed); when a read returns 0
/// (the peer closed), call [`eof`](Self::eof). Either may finish the response.
#[derive(Debug, Default)]
pub struct ResponseReader {
    /// The response head so far; emptied once the head is parsed.
    head: Vec<u8>,
    /// Set once the head has been parsed.
    body: Option<BodyState>,
}

/// Where the body ends.
#[derive(Debug)]
enum Framing {
    /// After this many bytes (`Content-Length`).
    Length(u64),
    /// At the last chunk and the trailer section after it.
    Chunked(Chunked),
    /// When the server closes the connection.
    Close,
}

#[derive(Debug)]
struct BodyState {
    framing: Framing,
    /// Content bytes so far (for a chunked body, without the chunk framing).
    received: u64,
    digest: Digest,
}

impl BodyState {
    fn page(&self) -> Page {
        Page {
            status: 200,
            bytes: self.received,
            digest: self.digest.value(),
        }
    }

    fn take(&mut self, data: &[u8]) -> Result<Progress, FetchError> {
        if let Framing::Chunked(chunks) = &mut self.framing {
            let (received, digest) = (&mut self.received, &mut self.digest);
            let done = chunks.feed(data, &mut |content: &[u8]| {
                *received += content.len() as u64;
                digest.update(content);
            })?;
            return Ok(if done {
                Progress::Done(self.page())
            } else {
                Progress::More
            });
        }
        self.received += data.len() as u64;
        self.digest.update(data);
        match self.framing {
            Framing::Length(len) if self.received > len => Err(FetchError::Protocol(format!(
                "body longer than its Content-Length of {len}"
            ))),
            Framing::Length(len) if self.received == len => Ok(Progress::Done(self.page())),
            _ => Ok(Progress::More),
        }
    }
}

/// How the head says the body is framed (RFC 9112 §6.3, for a response).
fn framing(headers: &[httparse::Header<'_>]) -> Result<Framing, FetchError> {
    let mut length = None;
    let mut last_coding: Option<String> = None;
    for h in headers {
        if h.name.eq_ignore_ascii_case("content-length") {
            let len = std::str::from_utf8(h.value)
                .ok()
                .and_then(|v| v.trim().parse::<u64>().ok())
                .ok_or_else(|| FetchError::Protocol("bad Content-Length".into()))?;
            // Two lengths that disagree leave no way to know where the body
            // ends (RFC 9112, 6.3): trusting either one would be a guess.
            if length.is_some_and(|first| first != len) {
                return Err(FetchError::Protocol("conflicting Content-Lengths".into()));
            }
            length = Some(len);
        } else if h.name.eq_ignore_ascii_case("transfer-encoding") {
            // Several fields are one list; what matters is the coding applied last.
            let value = String::from_utf8_lossy(h.value);
            if let Some(coding) = value.rsplit(',').map(str::trim).find(|c| !c.is_empty()) {
                last_coding = Some(coding.to_ascii_lowercase());
            }
        }
    }
    match (last_coding, length) {
        // Either could be the one the server meant; a proxy that trusted the other
        // is how responses get split (RFC 9112, 6.3 and 11.2).
        (Some(_), Some(_)) => Err(FetchError::Protocol(
            "both Transfer-Encoding and Content-Length".into(),
        )),
        (Some(coding), None) if coding == "chunked" => Ok(Framing::Chunked(Chunked::new())),
        (Some(_), None) | (None, None) => Ok(Framing::Close),
        (None, Some(len)) => Ok(Framing::Length(len)),
    }
}

impl ResponseReader {
    /// A reader waiting for the first byte.
    pub fn new() -> Self {
        Self::default()
    }

    /// Takes the bytes of one read. A non-200 status is reported as soon as the head
    /// is parsed: the caller need not read that body.
    pub fn feed(&mut self, data: &[u8]) -> Result<Progress, FetchError> {
        if let Some(body) = &mut self.body {
            return body.take(data);
        }
        self.head.extend_from_slice(data);
        let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
        let mut response = httparse::Response::new(&mut headers);
        let head_len = match response.parse(&self.head) {
            Ok(httparse::Status::Complete(len)) => len,
            Ok(httparse::Status::Partial) if self.head.len() > MAX_HEAD_BYTES => {
                return Err(FetchError::Protocol(format!(
                    "response head longer than {MAX_HEAD_BYTES} bytes"
                )));
            }
            Ok(httparse::Status::Partial) => return Ok(Progress::More),
            Err(e) => return Err(FetchError::Protocol(format!("not an HTTP response: {e}"))),
        };
        // `Complete` guarantees the status code was parsed.
        let status = response.code.unwrap_or_default();
        if status != 200 {
            return Err(FetchError::Status(status));
        }
        let framing = framing(response.headers)?;
        let rest = self.head.split_off(head_len);
        self.head = Vec::new();
        let body = self.body.insert(BodyState {
            framing,
            received: 0,
            digest: Digest::new(),
        });
        if matches!(body.framing, Framing::Length(0)) {
            return Ok(Progress::Done(body.page()));
        }
        if rest.is_empty() {
            return Ok(Progress::More);
        }
        body.take(&rest)
    }

    /// The peer closed the connection: the response is complete only if its body
    /// runs to the close, or all of it arrived.
    pub fn eof(&mut self) -> FetchResult {
        match &self.body {
            None if self.head.is_empty() => Err(FetchError::Protocol(
                "connection closed before any response byte".into(),
            )),
            None => Err(FetchError::Protocol(
                "connection closed inside the response head".into(),
            )),
            Some(body) => match &body.framing {
                Framing::Length(len) if body.received < *len => Err(FetchError::Protocol(format!(
                    "body ended after {} of {len} bytes",
                    body.received
                ))),
                Framing::Chunked(chunks) if !chunks.done() => Err(FetchError::Protocol(format!(
                    "chunked body ended after {} bytes, before its last chunk",
                    body.received
                ))),
                _ => Ok(body.page()),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::FetchErrorKind;
    use crate::pages::body;

    fn response(body: &[u8]) -> Vec<u8> {
        let mut r = format!(
            "HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\nContent-Length: {}\r\n\r\n",
            body.len()
        )
        .into_bytes();
        r.extend_from_slice(body);
        r
    }

    fn kind(bytes: &[u8]) -> FetchErrorKind {
        let mut r = ResponseReader::new();
        match r.feed(bytes) {
            Err(e) => e.kind(),
            Ok(_) => r.eof().unwrap_err().kind(),
        }
    }

    #[test]
    fn reads_a_response_split_at_every_possible_point() {
        let b = body(11, 300);
        let bytes = response(&b);
        let want = Page {
            status: 200,
            bytes: 300,
            digest: Digest::of(&b),
        };
        for cut in 0..bytes.len() {
            let mut r = ResponseReader::new();
            let first = r.feed(&bytes[..cut]).unwrap();
            assert_ne!(first, Progress::Done(want), "done too early at {cut}");
            assert_eq!(r.feed(&bytes[cut..]).unwrap(), Progress::Done(want));
        }
        // One byte at a time, like the trickle fault.
        let mut r = ResponseReader::new();
        let mut last = Progress::More;
        for byte in &bytes {
            last = r.feed(std::slice::from_ref(byte)).unwrap();
        }
        assert_eq!(last, Progress::Done(want));
    }

    #[test]
    fn body_without_length_runs_to_eof() {
        let mut r = ResponseReader::new();
        assert_eq!(
            r.feed(b"HTTP/1.0 200 OK\r\n\r\nhello").unwrap(),
            Progress::More
        );
        let page = r.eof().unwrap();
        assert_eq!(page.bytes, 5);
        assert_eq!(page.digest, Digest::of(b"hello"));
    }

    #[test]
    fn a_chunked_body_is_decoded_at_every_cut() {
        let bytes = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n\
                      5\r\nhello\r\n7;name=value\r\n, world\r\n0\r\nX-Trailer: 1\r\n\r\n";
        let want = Page {
            status: 200,
            bytes: 12,
            digest: Digest::of(b"hello, world"),
        };
        for cut in 0..bytes.len() {
            let mut r = ResponseReader::new();
            let first = r.feed(&bytes[..cut]).unwrap();
            assert_ne!(first, Progress::Done(want), "done too early at {cut}");
            assert_eq!(
                r.feed(&bytes[cut..]).unwrap(),
                Progress::Done(want),
                "{cut}"
            );
            // Cut short there, it is a protocol error, not a shorter page.
            let mut short = ResponseReader::new();
            if short.feed(&bytes[..cut]).is_ok() {
                assert_eq!(short.eof().unwrap_err().kind(), FetchErrorKind::Protocol);
            }
        }
        // `gzip, chunked` is framed by its chunks too; the content stays coded.
        let mut r = ResponseReader::new();
        let coded = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\nTransfer-Encoding: Chunked\r\n\r\n2\r\nab\r\n0\r\n\r\n";
        assert!(matches!(r.feed(coded), Ok(Progress::Done(p)) if p.bytes == 2));
        // Any other final coding runs to the close.
        let mut r = ResponseReader::new();
        let gzip = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n2\r\nab";
        assert_eq!(r.feed(gzip).unwrap(), Progress::More);
        assert_eq!(r.eof().unwrap().bytes, 5);
    }

    #[test]
    fn failures_are_typed() {
        assert_eq!(kind(b""), FetchErrorKind::Protocol);
        assert_eq!(kind(b"\x00\xffnot http\r\n\r\n"), FetchErrorKind::Protocol);
        assert_eq!(
            kind(b"HTTP/1.0 200 OK\r\nContent-"),
            FetchErrorKind::Protocol
        );
        assert_eq!(
            kind(b"HTTP/1.0 503 Busy\r\nContent-Length: 3\r\n\r\nno!"),
            FetchErrorKind::Status(503)
        );
        assert_eq!(
            kind(b"HTTP/1.0 200 OK\r\nContent-Length: 10\r\n\r\nshort"),
            FetchErrorKind::Protocol
        );
        assert_eq!(
            kind(b"HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\ntoo long"),
            FetchErrorKind::Protocol
        );
        assert_eq!(
            kind(b"HTTP/1.0 200 OK\r\nContent-Length: x\r\n\r\n"),
            FetchErrorKind::Protocol
        );
        assert_eq!(
            kind(b"HTTP/1.0 200 OK\r\nContent-Length: 1\r\nContent-Length: 0\r\n\r\n"),
            FetchErrorKind::Protocol
        );
        let mut huge = b"HTTP/1.0 200 OK\r\n".to_vec();
        huge.extend(std::iter::repeat_n(b'x', MAX_HEAD_BYTES + 1));
        assert_eq!(kind(&huge), FetchErrorKind::Protocol);
    }

    #[test]
    fn chunked_failures_are_typed() {
        let chunked = |rest: &[u8]| {
            let mut r = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n".to_vec();
            r.extend_from_slice(rest);
            kind(&r)
        };
        for bad in [
            &b"5\r\nhel"[..],            // cut inside a chunk
            b"5\r\nhello\r\n",           // no last chunk
            b"0\r\n",                    // no end of the trailer section
            b"zz\r\nhello\r\n0\r\n\r\n", // not a size
            b"+5\r\nhello\r\n0\r\n\r\n", // a sign is not a hex digit
            b"\r\nhello\r\n0\r\n\r\n",   // an empty size
            b"11111111111111111\r\n",    // past 64 bits
            b"3\r\nhello\r\n0\r\n\r\n",  // data longer than its size
            b"0\r\n\r\nextra",           // bytes after the end
        ] {
            assert_eq!(chunked(bad), FetchErrorKind::Protocol, "{bad:?}");
        }
        let mut long = b"1".repeat(5000);
        long.extend_from_slice(b"\r\n");
        assert_eq!(chunked(&long), FetchErrorKind::Protocol);
        assert_eq!(
            kind(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n"),
            FetchErrorKind::Protocol
        );
    }
}
