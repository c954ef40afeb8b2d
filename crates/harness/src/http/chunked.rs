//! The chunked transfer coding (RFC 9112 §7.1), decoded as the bytes arrive.
//!
//! The models send HTTP/1.0, and a server must not answer an HTTP/1.0 request with
//! a transfer coding (RFC 9112 §6.1); the delay server never does. Servers that are
//! not ours, the ones a crawl of `--urls` goes to, sometimes do anyway. Read as a
//! body that runs to the close, the chunk sizes would be counted as content and a
//! response cut short would pass for a whole one. So the shared reader decodes it:
//! the length and digest are of the content, and the response is complete only once
//! the last (zero-size) chunk and the trailer section after it have arrived.
//! Chunk extensions and trailer fields are read past, not interpreted.

use super::FetchError;

/// Longest chunk-size line (or trailer field) kept while waiting for its end: a
/// size is at most 16 hex digits, so anything near this is not a chunked body.
const MAX_LINE: usize = 4096;
/// Most bytes of trailer fields after the last chunk, as for a response head.
const MAX_TRAILER: usize = super::reader::MAX_HEAD_BYTES;

/// Where the decoder is in the body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// Reading a `chunk-size [; extensions]` line.
    Size,
    /// This many bytes of chunk data are still to come.
    Data(u64),
    /// The line end that closes a chunk's data.
    DataEnd,
    /// Trailer fields after the last chunk, up to an empty line.
    Trailer,
    /// The body is complete.
    Done,
}

/// A chunked body's decoder: fed the raw bytes, it hands on the content.
#[derive(Debug)]
pub(super) struct Chunked {
    state: State,
    /// The line being read (a size, a data end, a trailer field), without its end.
    line: Vec<u8>,
    trailer_bytes: usize,
}

fn protocol(what: &str) -> FetchError {
    FetchError::Protocol(format!("chunked body: {what}"))
}

impl Chunked {
    pub(super) fn new() -> Self {
        Self {
            state: State::Size,
            line: Vec::new(),
            trailer_bytes: 0,
        }
    }

    /// The last chunk and the trailer section have arrived.
    pub(super) fn done(&self) -> bool {
        self.state == State::Done
    }

    /// Decodes `data`, handing each piece of content to `content`; true once the
    /// body is complete. Bytes after the end are a protocol error, as bytes past a
    /// `Content-Length` are.
    pub(super) fn feed(
        &mut self,
        mut data: &[u8],
        content: &mut impl FnMut(&[u8]),
    ) -> Result<bool, FetchError> {
        while !data.is_empty() {
            match self.state {
                State::Done => return Err(protocol("bytes after the last chunk")),
                State::Data(left) => {
                    let n = usize::try_from(left).map_or(data.len(), |l| l.min(data.len()));
                    content(&data[..n]);
                    data = &data[n..];
                    let left = left - n as u64;
                    self.state = if left == 0 {
                        State::DataEnd
                    } else {
                        State::Data(left)
                    };
                }
                State::Size | State::DataEnd | State::Trailer => {
                    if !self.take_line(&mut data)? {
                        break;
                    }
                    self.end_line()?;
                    self.line.clear();
                }
            }
        }
        Ok(self.done())
    }

    /// Moves bytes from `data` into the current line; true once the line is whole
    /// (its LF consumed, and a CR before it dropped: RFC 9112 §2.2 lets a recipient
    /// take a bare LF as a line end).
    fn take_line(&mut self, data: &mut &[u8]) -> Result<bool, FetchError> {
        let (piece, whole) = match data.iter().position(|&b| b == b'\n') {
            Some(at) => (&data[..at], Some(at + 1)),
            None => (*data, None),
        };
        if self.line.len() + piece.len() > MAX_LINE {
            return Err(protocol(&format!("a line longer than {MAX_LINE} bytes")));
        }
        self.line.extend_from_slice(piece);
        *data = &data[whole.unwrap_or(data.len())..];
        if whole.is_some() && self.line.last() == Some(&b'\r') {
            self.line.pop();
        }
        Ok(whole.is_some())
    }

    /// Acts on the line just read, in the current state.
    fn end_line(&mut self) -> Result<(), FetchError> {
        self.state = match self.state {
            State::Size => match parse_size(&self.line)? {
                0 => State::Trailer,
                size => State::Data(size),
            },
            State::DataEnd if self.line.is_empty() => State::Size,
            State::DataEnd => return Err(protocol("chunk data longer than its size")),
            State::Trailer if self.line.is_empty() => State::Done,
            State::Trailer => {
                self.trailer_bytes += self.line.len();
                if self.trailer_bytes > MAX_TRAILER {
                    return Err(protocol(&format!(
                        "trailer fields longer than {MAX_TRAILER} bytes"
                    )));
                }
                State::Trailer
            }
            State::Data(_) | State::Done => self.state,
        };
        Ok(())
    }
}

/// `chunk-size [BWS ; extensions]`: hex digits only (no sign, no `0x`), at most 64
/// bits' worth.
fn parse_size(line: &[u8]) -> Result<u64, FetchError> {
    let digits = line.split(|&b| b == b';').next().unwrap_or_default();
    let digits = digits.trim_ascii();
    if digits.is_empty() || digits.len() > 16 || !digits.iter().all(u8::is_ascii_hexdigit) {
        let shown: String = String::from_utf8_lossy(line).chars().take(40).collect();
        return Err(protocol(&format!("bad chunk size {shown:?}")));
    }
    // Only hex digits, at most 16 of them: this cannot fail.
    let text = std::str::from_utf8(digits).map_err(|_| protocol("bad chunk size"))?;
    u64::from_str_radix(text, 16).map_err(|_| protocol("bad chunk size"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode(pieces: &[&[u8]]) -> Result<(bool, Vec<u8>), FetchError> {
        let mut c = Chunked::new();
        let mut out = Vec::new();
        let mut done = false;
        for p in pieces {
            done = c.feed(p, &mut |d: &[u8]| out.extend_from_slice(d))?;
        }
        Ok((done, out))
    }

    #[test]
    fn sizes_are_hex_with_extensions_and_bare_line_feeds() {
        let (done, out) = decode(&[b"A ; x=\"y\"\r\n0123456789\r\n1\nz\n0\n\n"]).unwrap();
        assert!(done);
        assert_eq!(out, b"0123456789z");
        assert_eq!(parse_size(b"ffffffffffffffff").unwrap(), u64::MAX);
        assert!(parse_size(b"0x10").is_err());
        assert!(parse_size(b"-1").is_err());
    }

    #[test]
    fn a_huge_size_waits_for_its_data() {
        let (done, out) = decode(&[b"ffffffffffffffff\r\n", b"abc"]).unwrap();
        assert!(!done);
        assert_eq!(out, b"abc");
    }
}
