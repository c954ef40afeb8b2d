//! Request targets: which page, fault or plain path a request asks for, and why a
//! malformed one is refused.
//!
//! Every number a path carries has an upper bound ([`MAX_INDEX`], [`MAX_DELAY_MS`],
//! [`MAX_BODY_BYTES`]); a page or fault path that breaks one, or does not parse,
//! is a [`BadRequest`] whose text the server sends back as the one line of a `400`.
//! Anything that is not a page or fault path at all is [`Target::Plain`].

use std::fmt;

use super::{Digest, MAX_BODY_BYTES, MAX_DELAY_MS, MAX_INDEX};

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
    /// A correct response whose body comes one byte every [`super::TRICKLE_GAP`].
    Trickle,
    /// A Content-Length larger than the body actually sent, then close.
    Short,
}

/// The fault kinds as their paths name them, for the reason a bad one gets.
const FAULT_KINDS: &str = "reset, close, garbage, status/<code>, stall, trickle, short";

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

/// What a page or fault path asks the server for.
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
    /// The page or fault a request target names; `None` for anything else (a plain
    /// path, or a bad one: see [`Target::parse`] for which and why).
    pub fn parse(target: &str) -> Option<Route> {
        match Target::parse(target) {
            Target::Route(route) => Some(route),
            Target::Plain { .. } | Target::Bad(_) => None,
        }
    }
}

/// Why a request target is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BadRequest {
    /// The target does not start with `/`.
    NotAPath,
    /// A page or fault path that is malformed or breaks a bound: the reason, one line.
    Invalid(String),
}

impl fmt::Display for BadRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NotAPath => f.write_str("the request target must be a path starting with /"),
            Self::Invalid(reason) => f.write_str(reason),
        }
    }
}

/// What the server does with a request target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// A page or a fault path.
    Route(Route),
    /// Any other path (`/`, `/7`, `/hello`), as the seeds' crawlers and tutorial
    /// clients ask: served like a page after the server's default delay, at its
    /// default length, with the body of index `i`, the digest of the path (the query
    /// is ignored, so a cache-busting `?t=...` changes nothing).
    Plain { i: u64 },
    /// Refused with `400` and this reason.
    Bad(BadRequest),
}

impl Target {
    /// Classifies a request target (`/page/3?delay_ms=10`). Never panics: every
    /// input is a route, a plain path or a reason.
    pub fn parse(target: &str) -> Target {
        if !target.starts_with('/') {
            return Target::Bad(BadRequest::NotAPath);
        }
        let (path, query) = target.split_once('?').unwrap_or((target, ""));
        let mut parts = path[1..].split('/');
        let parsed = match parts.next() {
            Some("page") => page(parts, query),
            Some("fault") => fault(parts),
            _ => {
                return Target::Plain {
                    i: Digest::of(path.as_bytes()),
                };
            }
        };
        match parsed {
            Ok(route) => Target::Route(route),
            Err(reason) => Target::Bad(BadRequest::Invalid(reason)),
        }
    }
}

/// `/page/<i>` with an optional `delay_ms` and `bytes`, each at most once.
fn page<'a>(mut parts: impl Iterator<Item = &'a str>, query: &str) -> Result<Route, String> {
    let i = number("page index", parts.next(), MAX_INDEX, "/page/<i>")?;
    nothing_after(parts, "/page/<i>")?;
    let mut delay_ms = None;
    let mut bytes = None;
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let Some((name, value)) = pair.split_once('=') else {
            return Err(format!("query part {} is not name=value", shown(pair)));
        };
        let (slot, max) = match name {
            "delay_ms" => (&mut delay_ms, MAX_DELAY_MS),
            "bytes" => (&mut bytes, MAX_BODY_BYTES as u64),
            _ => {
                return Err(format!(
                    "unknown query parameter {}; a page takes delay_ms and bytes",
                    shown(name)
                ));
            }
        };
        if slot.is_some() {
            return Err(format!("{name} is given twice"));
        }
        *slot = Some(number(name, Some(value), max, "a decimal number")?);
    }
    Ok(Route::Page {
        i,
        delay_ms,
        // MAX_BODY_BYTES fits a usize, so anything at most that does too.
        bytes: bytes.map(|b| usize::try_from(b).unwrap_or(MAX_BODY_BYTES)),
    })
}

/// `/fault/<kind>/<i>`, or `/fault/status/<code>/<i>`. A query is ignored.
fn fault<'a>(mut parts: impl Iterator<Item = &'a str>) -> Result<Route, String> {
    let fault = match parts.next() {
        Some("reset") => Fault::Reset,
        Some("close") => Fault::Close,
        Some("garbage") => Fault::Garbage,
        Some("stall") => Fault::Stall,
        Some("trickle") => Fault::Trickle,
        Some("short") => Fault::Short,
        Some("status") => {
            let code = number("status code", parts.next(), 999, "/fault/status/<code>/<i>")?;
            // 200 is not a fault: it would be indistinguishable from a page.
            match u16::try_from(code) {
                Ok(code) if code >= 100 && code != 200 => Fault::Status(code),
                _ => {
                    return Err(format!(
                        "status code {code} is not a fault: use 100 to 999, except 200"
                    ));
                }
            }
        }
        None | Some("") => return Err(format!("missing fault kind: one of {FAULT_KINDS}")),
        Some(other) => {
            return Err(format!(
                "unknown fault {}: one of {FAULT_KINDS}",
                shown(other)
            ));
        }
    };
    let i = number(
        "request index",
        parts.next(),
        MAX_INDEX,
        "/fault/<kind>/<i>",
    )?;
    nothing_after(parts, "/fault/<kind>/<i>")?;
    Ok(Route::Fault { fault, i })
}

/// A decimal number of at most `max`: digits only (no sign, no spaces), so one
/// number has one spelling and one path names one page.
fn number(name: &str, value: Option<&str>, max: u64, form: &str) -> Result<u64, String> {
    let value = match value {
        None | Some("") => return Err(format!("missing {name}: {form}")),
        Some(v) => v,
    };
    if !value.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!("{name} {} is not a decimal number", shown(value)));
    }
    match value.parse::<u64>() {
        Ok(n) if n <= max => Ok(n),
        // Digits only, so a parse error is an overflow: over the bound as well.
        _ => Err(format!(
            "{name} {} is over the limit of {max}",
            shown(value)
        )),
    }
}

fn nothing_after<'a>(mut parts: impl Iterator<Item = &'a str>, form: &str) -> Result<(), String> {
    match parts.next() {
        None => Ok(()),
        Some(_) => Err(format!("the path has more parts than {form}")),
    }
}

/// A piece of the request for a reason line: quoted, escaped, and cut at 40
/// characters, so a hostile 8 KiB value is not echoed back whole.
fn shown(s: &str) -> String {
    const MAX_CHARS: usize = 40;
    match s.char_indices().nth(MAX_CHARS) {
        None => format!("{s:?}"),
        Some((cut, _)) => format!("{:?}...", &s[..cut]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pages::page_path;

    fn reason(target: &str) -> String {
        match Target::parse(target) {
            Target::Bad(bad) => bad.to_string(),
            other => panic!("{target} should be refused, got {other:?}"),
        }
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
        for not_a_route in [
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
            assert_eq!(Route::parse(not_a_route), None, "{not_a_route}");
        }
    }

    #[test]
    fn bounds_are_inclusive() {
        let at_limit = format!("/page/{MAX_INDEX}?delay_ms={MAX_DELAY_MS}&bytes={MAX_BODY_BYTES}");
        assert_eq!(
            Route::parse(&at_limit),
            Some(Route::Page {
                i: MAX_INDEX,
                delay_ms: Some(MAX_DELAY_MS),
                bytes: Some(MAX_BODY_BYTES)
            })
        );
        assert!(reason(&format!("/page/{}", MAX_INDEX + 1)).contains("over the limit"));
        assert!(reason(&format!("/page/1?bytes={}", MAX_BODY_BYTES + 1)).contains("bytes"));
        assert!(reason(&format!("/page/1?delay_ms={}", MAX_DELAY_MS + 1)).contains("delay_ms"));
    }

    #[test]
    fn every_refusal_names_its_reason_in_one_short_line() {
        let cases = [
            (
                "/page/1?bytes=99999999999",
                "bytes \"99999999999\" is over the limit of 67108864",
            ),
            (
                "/page/1?delay_ms=99999999999",
                "delay_ms \"99999999999\" is over the limit",
            ),
            (
                "/page/99999999999999999999999",
                "page index \"99999999999999999999999\" is over",
            ),
            ("/page/+5", "not a decimal number"),
            ("/page/-1", "not a decimal number"),
            ("/page/1?bytes=1e6", "not a decimal number"),
            ("/page/1?bytes=", "missing bytes"),
            ("/page/1?bytes=1&bytes=2", "bytes is given twice"),
            ("/page/1?bytes", "is not name=value"),
            ("/page/1?color=red", "unknown query parameter \"color\""),
            ("/page", "missing page index: /page/<i>"),
            ("/page/", "missing page index"),
            ("/page/1/", "more parts"),
            ("/fault", "missing fault kind"),
            ("/fault/boom/1", "unknown fault \"boom\""),
            ("/fault/reset", "missing request index"),
            ("/fault/status/200/1", "not a fault"),
            ("/fault/status/99/1", "not a fault"),
            ("/fault/status/1000/1", "over the limit of 999"),
            ("*", "must be a path"),
        ];
        for (target, want) in cases {
            let got = reason(target);
            assert!(got.contains(want), "{target}: {got:?} lacks {want:?}");
            assert!(!got.contains('\n') && got.len() < 200, "{target}: {got:?}");
        }
        let hostile = format!("/page/1?{}=1", "x".repeat(8000));
        assert!(reason(&hostile).len() < 200);
        let multibyte = format!("/fault/{}/1", "é".repeat(100));
        assert!(
            reason(&multibyte).ends_with(
                "...: one of reset, close, garbage, status/<code>, stall, trickle, short"
            )
        );
    }

    #[test]
    fn other_paths_are_plain_pages_named_by_their_path() {
        let plain = |t| match Target::parse(t) {
            Target::Plain { i } => i,
            other => panic!("{t}: {other:?}"),
        };
        assert_eq!(plain("/"), Digest::of(b"/"));
        assert_ne!(plain("/1"), plain("/2"));
        assert_eq!(plain("/hello?x=1"), plain("/hello"));
        for t in ["/pages/1", "/page1", "/faults", "/index.html", "//page/1"] {
            plain(t);
        }
    }
}
