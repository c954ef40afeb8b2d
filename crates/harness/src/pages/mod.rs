//! What the delay server serves, and what a client must therefore receive.
//!
//! The server and the verifier share this module, so "the body of page 7 at 1 KiB"
//! is defined once: a deterministic byte string derived from the page index, and its
//! 64-bit FNV-1a digest. A path names everything the verifier needs:
//! `/page/<i>?delay_ms=<d>&bytes=<b>` is page `i`, `b` bytes long, after `d` ms.
//! The fault paths (`/fault/<kind>/...`) each misbehave in one named way; the
//! conformance suite mixes them with good pages and checks every model's answer.
//! Any other path (`/`, `/7`, `/hello`: what the seeds' crawlers and tutorials ask
//! for) is a plain page: the server's default delay and length, and a body derived
//! from the path. A page or fault path that is malformed, or asks for more than the
//! bounds below, is answered `400` with a one-line reason ([`Target::parse`]).

mod route;

pub use route::{BadRequest, Fault, Route, Target};

use std::time::Duration;

use crate::http::FetchErrorKind;

/// Body length when a path does not say (`?bytes=`).
pub const DEFAULT_BODY_BYTES: usize = 1024;
/// Body length of fault responses that send a body (reset, short, status).
pub const FAULT_BODY_BYTES: usize = 256;
/// Body length of `/fault/trickle/<i>`: small, because it arrives one byte at a time.
pub const TRICKLE_BODY_BYTES: usize = 24;
/// Gap between two trickled bytes.
pub const TRICKLE_GAP: Duration = Duration::from_millis(3);

/// Largest `bytes=` a page may ask for: 64 MiB, the most `--body-bytes` accepts.
/// The server generates a body in pieces as the client reads it, so this bounds the
/// bytes one request may cost the network, not memory.
pub const MAX_BODY_BYTES: usize = 64 << 20;
/// Longest `delay_ms=` a page may ask for: ten minutes, the most `--delay-ms`
/// accepts. Without a bound one request could hold a connection for years.
pub const MAX_DELAY_MS: u64 = 600_000;
/// Largest page or fault index: a billion, a hundred times the most pages one crawl
/// may ask for (`--n`), so a larger index is a typo or an attack, not a crawl.
pub const MAX_INDEX: u64 = 1_000_000_000;
/// Longest a `/fault/stall/<i>` connection is held: one hour, the longest timeout a
/// crawl may set (`--timeout-ms`), so every client has given up before the server
/// does, and a client that never gives up holds its connection for an hour, not for
/// ever.
pub const MAX_STALL: Duration = Duration::from_secs(3600);

/// The path of page `i`, `bytes` long, answered after `delay_ms`.
pub fn page_path(i: u64, delay_ms: u64, bytes: usize) -> String {
    format!("/page/{i}?delay_ms={delay_ms}&bytes={bytes}")
}

/// The deterministic body of page `i`: `len` lowercase letters from a splitmix64
/// stream seeded with `i`. Readable in a terminal, distinct per page.
pub fn body(i: u64, len: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(len);
    let mut pieces = BodyGen::new(i, len);
    while let Some(piece) = pieces.next_piece(len) {
        out.extend_from_slice(&piece);
    }
    out
}

/// The body of page `i`, generated a piece at a time: the server streams a large
/// page without holding it, and the verifier digests one without allocating it.
/// The pieces, joined, are exactly [`body`]`(i, len)`.
#[derive(Debug, Clone)]
pub struct BodyGen {
    state: u64,
    left: usize,
}

/// Bytes of body one splitmix64 step yields.
const WORD: usize = 8;

impl BodyGen {
    /// The generator for `len` bytes of page `i`.
    pub fn new(i: u64, len: usize) -> Self {
        Self {
            state: i,
            left: len,
        }
    }

    /// Bytes not yet generated.
    pub fn remaining(&self) -> usize {
        self.left
    }

    /// The next piece, at most `max` bytes (at least one), or `None` once the whole
    /// body has been generated. Every piece but the last is a whole number of 8-byte
    /// words, so the stream continues exactly where the previous piece stopped.
    pub fn next_piece(&mut self, max: usize) -> Option<Vec<u8>> {
        if self.left == 0 {
            return None;
        }
        let words = (max / WORD).max(1);
        let n = self.left.min(words * WORD);
        let mut out = Vec::with_capacity(n);
        while out.len() < n {
            let word = splitmix64(&mut self.state);
            let take = (n - out.len()).min(WORD);
            out.extend(word.to_le_bytes()[..take].iter().map(|b| b'a' + b % 26));
        }
        self.left -= n;
        Some(out)
    }

    /// The digest of the rest of the body, generated in pieces and never held.
    pub fn digest(mut self) -> u64 {
        let mut d = Digest::new();
        while let Some(piece) = self.next_piece(64 * 1024) {
            d.update(&piece);
        }
        d.value()
    }
}

/// One step of splitmix64 (Steele, Lea, Flood 2014): a tiny, well-mixed generator.
pub fn splitmix64(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Incremental 64-bit FNV-1a: fed the body piece by piece as it arrives, so no model
/// has to keep a whole body in memory to prove it got the right one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Digest(u64);

impl Digest {
    const OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
    const PRIME: u64 = 0x0000_0100_0000_01b3;

    /// The digest of nothing.
    pub fn new() -> Self {
        Self(Self::OFFSET)
    }

    /// Folds `bytes` in.
    pub fn update(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 ^ u64::from(b)).wrapping_mul(Self::PRIME);
        }
    }

    /// The digest so far.
    pub fn value(self) -> u64 {
        self.0
    }

    /// The digest of `bytes` in one go.
    pub fn of(bytes: &[u8]) -> u64 {
        let mut d = Self::new();
        d.update(bytes);
        d.value()
    }
}

impl Default for Digest {
    fn default() -> Self {
        Self::new()
    }
}

/// What a correct client must report for one path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expected {
    /// 200 with exactly this many body bytes and this digest.
    Page { bytes: u64, digest: u64 },
    /// A failure of this kind.
    Error(FetchErrorKind),
}

impl Expected {
    fn page(i: u64, len: usize) -> Self {
        Expected::Page {
            bytes: len as u64,
            digest: BodyGen::new(i, len).digest(),
        }
    }
}

/// The outcome a correct client reports for `path` from a server started with the
/// default body length, or `None` for something that is not a path at all (no
/// leading `/`), which the verifier reports as an error in the spec, not the model.
pub fn expected(path: &str) -> Option<Expected> {
    Some(match Target::parse(path) {
        Target::Route(Route::Page { i, bytes, .. }) => {
            Expected::page(i, bytes.unwrap_or(DEFAULT_BODY_BYTES))
        }
        Target::Route(Route::Fault { fault, i }) => match fault {
            Fault::Reset => Expected::Error(FetchErrorKind::Reset),
            Fault::Close | Fault::Garbage | Fault::Short => {
                Expected::Error(FetchErrorKind::Protocol)
            }
            Fault::Status(code) => Expected::Error(FetchErrorKind::Status(code)),
            Fault::Stall => Expected::Error(FetchErrorKind::Timeout),
            Fault::Trickle => Expected::page(i, TRICKLE_BODY_BYTES),
        },
        Target::Plain { i } => Expected::page(i, DEFAULT_BODY_BYTES),
        Target::Bad(BadRequest::NotAPath) => return None,
        Target::Bad(_) => Expected::Error(FetchErrorKind::Status(400)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::params::Param;

    #[test]
    fn bodies_are_deterministic_distinct_and_sized() {
        assert_eq!(body(7, 100), body(7, 100));
        assert_ne!(body(7, 100), body(8, 100));
        assert_eq!(body(3, 13).len(), 13);
        assert!(body(3, 1000).iter().all(u8::is_ascii_lowercase));
        // A prefix of a longer body is the shorter body: lengths only truncate.
        assert_eq!(&body(5, 1000)[..10], &body(5, 10)[..]);
        assert!(body(5, 0).is_empty());
    }

    #[test]
    fn pieces_join_into_the_body_whatever_their_size() {
        let whole = body(42, 1000);
        for max in [0, 1, 7, 8, 9, 64, 999, 1000, 5000] {
            let mut pieces = BodyGen::new(42, 1000);
            let mut joined = Vec::new();
            while let Some(piece) = pieces.next_piece(max) {
                assert!(!piece.is_empty() && piece.len() <= max.max(WORD), "{max}");
                joined.extend_from_slice(&piece);
            }
            assert_eq!(joined, whole, "pieces of at most {max}");
            assert_eq!(pieces.remaining(), 0);
        }
        assert_eq!(BodyGen::new(42, 1000).digest(), Digest::of(&whole));
    }

    #[test]
    fn digest_is_incremental() {
        let b = body(1, 4096);
        let mut d = Digest::new();
        for chunk in b.chunks(7) {
            d.update(chunk);
        }
        assert_eq!(d.value(), Digest::of(&b));
        assert_ne!(Digest::of(b"a"), Digest::of(b"b"));
        // The FNV-1a reference value for the empty input.
        assert_eq!(Digest::of(b""), 0xcbf2_9ce4_8422_2325);
    }

    #[test]
    fn the_server_serves_whatever_a_run_may_ask_for() {
        assert!(MAX_BODY_BYTES as u64 >= Param::BodyBytes.range().1);
        assert!(MAX_DELAY_MS >= Param::DelayMs.range().1);
        assert!(MAX_INDEX >= Param::N.range().1);
        assert!(MAX_STALL.as_millis() >= u128::from(Param::TimeoutMs.range().1));
    }

    #[test]
    fn expectations_follow_the_path() {
        assert_eq!(
            expected(&Fault::Stall.path(0)),
            Some(Expected::Error(FetchErrorKind::Timeout))
        );
        assert_eq!(
            expected(&Fault::Status(404).path(0)),
            Some(Expected::Error(FetchErrorKind::Status(404)))
        );
        let Some(Expected::Page { bytes, digest }) = expected(&page_path(1, 0, 77)) else {
            panic!("a page path expects a page");
        };
        assert_eq!((bytes, digest), (77, Digest::of(&body(1, 77))));
        // The seeds' paths are plain pages of the default length, distinct per path.
        let plain = |p| match expected(p) {
            Some(Expected::Page { bytes, digest }) => (bytes, digest),
            other => panic!("{p}: {other:?}"),
        };
        assert_eq!(plain("/").0, DEFAULT_BODY_BYTES as u64);
        assert_ne!(plain("/1"), plain("/2"));
        assert_eq!(plain("/7"), plain("/7?cache=no"));
        assert_eq!(
            expected("/page/1?bytes=99999999999"),
            Some(Expected::Error(FetchErrorKind::Status(400)))
        );
        assert_eq!(expected("page/1"), None);
    }
}
