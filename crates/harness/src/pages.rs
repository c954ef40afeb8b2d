//! What the delay server serves, and what a client must therefore receive.
//!
//! The server and the verifier share this module, so "the body of page 7 at 1 KiB"
//! is defined once: a deterministic byte string derived from the page index, and its
//! 64-bit FNV-1a digest. A path names everything the verifier needs:
//! `/page/<i>?delay_ms=<d>&bytes=<b>` is page `i`, `b` bytes long, after `d` ms.
//! The fault paths (`/fault/<kind>/...`) each misbehave in one named way; the
//! conformance suite mixes them with good pages and checks every model's answer.

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

/// The path of page `i`, `bytes` long, answered after `delay_ms`.
pub fn page_path(i: u64, delay_ms: u64, bytes: usize) -> String {
    format!("/page/{i}?delay_ms={delay_ms}&bytes={bytes}")
}

/// The deterministic body of page `i`: `len` lowercase letters from a splitmix64
/// stream seeded with `i`. Readable in a terminal, distinct per page.
pub fn body(i: u64, len: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(len);
    let mut state = i;
    while out.len() < len {
        let word = splitmix64(&mut state);
        for b in word.to_le_bytes() {
            if out.len() == len {
                break;
            }
            out.push(b'a' + b % 26);
        }
    }
    out
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

/// A fault the server can be asked to commit, named by its path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// Headers and part of the body, then a TCP reset (RST).
    Reset,
    /// Accept, read the request, close without sending a byte.
    Close,
    /// Answer with bytes that are not HTTP.
    Garbage,
    /// Answer with this status code and a short body.
    Status(u16),
    /// Read the request and never answer.
    Stall,
    /// A correct response whose body comes one byte every [`TRICKLE_GAP`].
    Trickle,
    /// A Content-Length larger than the body actually sent, then close.
    Short,
}

impl Fault {
    /// Every fault, with a representative status code, for the conformance matrix.
    pub const ALL: [Fault; 7] = [
        Fault::Reset,
        Fault::Close,
        Fault::Garbage,
        Fault::Status(503),
        Fault::Stall,
        Fault::Trickle,
        Fault::Short,
    ];

    /// The path that asks the server for this fault on behalf of request `i`.
    pub fn path(self, i: u64) -> String {
        match self {
            Fault::Reset => format!("/fault/reset/{i}"),
            Fault::Close => format!("/fault/close/{i}"),
            Fault::Garbage => format!("/fault/garbage/{i}"),
            Fault::Status(code) => format!("/fault/status/{code}/{i}"),
            Fault::Stall => format!("/fault/stall/{i}"),
            Fault::Trickle => format!("/fault/trickle/{i}"),
            Fault::Short => format!("/fault/short/{i}"),
        }
    }
}

/// What a path asks the server for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Route {
    /// A good page: index, delay (None = the server's default), length (None = default).
    Page {
        i: u64,
        delay_ms: Option<u64>,
        bytes: Option<usize>,
    },
    /// A fault on behalf of request `i`.
    Fault { fault: Fault, i: u64 },
}

impl Route {
    /// Parses a request target; `None` for anything the server does not serve (404).
    pub fn parse(target: &str) -> Option<Route> {
        let (path, query) = target.split_once('?').unwrap_or((target, ""));
        let mut parts = path.strip_prefix('/')?.split('/');
        let route = match (parts.next()?, parts.next()?) {
            ("page", i) => {
                let mut delay_ms = None;
                let mut bytes = None;
                for pair in query.split('&').filter(|p| !p.is_empty()) {
                    match pair.split_once('=')? {
                        ("delay_ms", v) => delay_ms = Some(v.parse().ok()?),
                        ("bytes", v) => bytes = Some(v.parse().ok()?),
                        _ => return None,
                    }
                }
                Route::Page {
                    i: i.parse().ok()?,
                    delay_ms,
                    bytes,
                }
            }
            ("fault", "status") => {
                let code: u16 = parts.next()?.parse().ok()?;
                // 200 is not a fault: it would be indistinguishable from a page.
                if !(100..=999).contains(&code) || code == 200 {
                    return None;
                }
                let fault = Fault::Status(code);
                Route::Fault {
                    fault,
                    i: parts.next()?.parse().ok()?,
                }
            }
            ("fault", kind) => {
                let fault = match kind {
                    "reset" => Fault::Reset,
                    "close" => Fault::Close,
                    "garbage" => Fault::Garbage,
                    "stall" => Fault::Stall,
                    "trickle" => Fault::Trickle,
                    "short" => Fault::Short,
                    _ => return None,
                };
                Route::Fault {
                    fault,
                    i: parts.next()?.parse().ok()?,
                }
            }
            _ => return None,
        };
        parts.next().is_none().then_some(route)
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

/// The outcome a correct client reports for `path`, or `None` for a path this module
/// does not know (which the verifier reports as an error in the spec, not the model).
pub fn expected(path: &str) -> Option<Expected> {
    Some(match Route::parse(path)? {
        Route::Page { i, bytes, .. } => {
            let len = bytes.unwrap_or(DEFAULT_BODY_BYTES);
            Expected::Page {
                bytes: len as u64,
                digest: Digest::of(&body(i, len)),
            }
        }
        Route::Fault { fault, i } => match fault {
            Fault::Reset => Expected::Error(FetchErrorKind::Reset),
            Fault::Close | Fault::Garbage | Fault::Short => {
                Expected::Error(FetchErrorKind::Protocol)
            }
            Fault::Status(code) => Expected::Error(FetchErrorKind::Status(code)),
            Fault::Stall => Expected::Error(FetchErrorKind::Timeout),
            Fault::Trickle => Expected::Page {
                bytes: TRICKLE_BODY_BYTES as u64,
                digest: Digest::of(&body(i, TRICKLE_BODY_BYTES)),
            },
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bodies_are_deterministic_distinct_and_sized() {
        assert_eq!(body(7, 100), body(7, 100));
        assert_ne!(body(7, 100), body(8, 100));
        assert_eq!(body(3, 13).len(), 13);
        assert!(body(3, 1000).iter().all(u8::is_ascii_lowercase));
        // A prefix of a longer body is the shorter body: lengths only truncate.
        assert_eq!(&body(5, 1000)[..10], &body(5, 10)[..]);
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
    fn routes_round_trip() {
        assert_eq!(
            Route::parse(&page_path(4, 100, 512)),
            Some(Route::Page {
                i: 4,
                delay_ms: Some(100),
                bytes: Some(512)
            })
        );
        assert_eq!(
            Route::parse("/page/9"),
            Some(Route::Page {
                i: 9,
                delay_ms: None,
                bytes: None
            })
        );
        for fault in Fault::ALL {
            assert_eq!(
                Route::parse(&fault.path(3)),
                Some(Route::Fault { fault, i: 3 })
            );
        }
        for bad in [
            "/",
            "/page",
            "/page/x",
            "/page/1/2",
            "/page/1?color=red",
            "/fault/boom/1",
            "/fault/status/42/1",
            "/fault/status/200/1",
            "page/1",
        ] {
            assert_eq!(Route::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn expectations_follow_the_fault() {
        assert_eq!(
            expected(&Fault::Stall.path(0)),
            Some(Expected::Error(FetchErrorKind::Timeout))
        );
        assert_eq!(
            expected(&Fault::Status(404).path(0)),
            Some(Expected::Error(FetchErrorKind::Status(404)))
        );
        let Some(Expected::Page { bytes, .. }) = expected(&page_path(1, 0, 77)) else {
            panic!("a page path expects a page");
        };
        assert_eq!(bytes, 77);
        assert_eq!(expected("/nowhere"), None);
    }
}
