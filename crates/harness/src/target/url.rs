//! `http://` URLs as `--target` and `--urls` take them, and the `--urls` file.
//!
//! Only what a crawl can fetch is accepted: plain `http://` (the models speak
//! HTTP/1.0 over TCP, with no TLS), a host and port, and a path with a query. Every
//! model fetches from one socket address, so one crawl's URLs all name one
//! host:port; a name is resolved once, to the first address the resolver gives.
//! Every rejection is one line that says what is wrong and where.

use std::net::{Ipv6Addr, SocketAddr, ToSocketAddrs};
use std::path::Path;

/// Longest line of a `--urls` file: far past any URL a server will take.
const MAX_LINE_BYTES: usize = 8192;

/// One `http://` URL, split into what a crawl needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpUrl {
    /// The host as written, lowercased; an IPv6 address keeps its brackets.
    pub host: String,
    pub port: u16,
    /// The request target: the path and query, at least `/`. A fragment is dropped,
    /// as a browser drops it: it is never sent.
    pub path: String,
}

impl HttpUrl {
    /// Parses `text`, or says in one line why it is not a URL a crawl can fetch.
    pub fn parse(text: &str) -> Result<Self, String> {
        let text = text.trim();
        let Some((scheme, rest)) = text.split_once("://") else {
            return Err("not a URL: it lacks http://".into());
        };
        if scheme.eq_ignore_ascii_case("https") {
            return Err(
                "https:// is not supported: the models speak plain HTTP/1.0 over \
                        TCP, without TLS; give an http:// URL"
                    .into(),
            );
        }
        if !scheme.eq_ignore_ascii_case("http") {
            return Err(format!(
                "the scheme {scheme}:// is not supported: only http:// URLs can be crawled"
            ));
        }
        let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
        let (authority, tail) = rest.split_at(end);
        let (host, port) = host_and_port(authority)?;
        let tail = tail.split('#').next().unwrap_or_default();
        let path = match tail.chars().next() {
            None => "/".to_owned(),
            Some('?') => format!("/{tail}"),
            Some(_) => tail.to_owned(),
        };
        // The path goes into the request line as it is: a space would end it early
        // and a line break would start a header of the user's making.
        if !path.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(
                "the path holds a space, a control or a non-ASCII character: \
                 percent-encode it (%20 for a space)"
                    .into(),
            );
        }
        Ok(Self { host, port, path })
    }

    /// `host:port`: what one crawl's URLs must share.
    pub fn authority(&self) -> String {
        format!("{}:{}", self.host, self.port)
    }

    /// `http://host:port`, without the path.
    pub fn origin(&self) -> String {
        format!("http://{}", self.authority())
    }

    /// The host's address: the first the resolver gives (std `ToSocketAddrs`).
    pub fn resolve(&self) -> Result<SocketAddr, String> {
        let host = self.host.trim_start_matches('[').trim_end_matches(']');
        let mut addrs = (host, self.port)
            .to_socket_addrs()
            .map_err(|e| format!("cannot resolve {}: {e}", self.host))?;
        addrs
            .next()
            .ok_or_else(|| format!("{} resolves to no address", self.host))
    }
}

/// Splits `host[:port]`, checking each; the port defaults to 80.
fn host_and_port(authority: &str) -> Result<(String, u16), String> {
    if authority.contains('@') {
        return Err("user names and passwords in URLs are not supported".into());
    }
    let (host, port) = if let Some(v6) = authority.strip_prefix('[') {
        let (addr, after) = v6
            .split_once(']')
            .ok_or("an IPv6 host lacks its closing ]")?;
        addr.parse::<Ipv6Addr>()
            .map_err(|_| format!("[{addr}] is not an IPv6 address"))?;
        (format!("[{addr}]"), after.strip_prefix(':').or(Some(after)))
    } else {
        match authority.rsplit_once(':') {
            Some((h, p)) => (h.to_owned(), Some(p)),
            None => (authority.to_owned(), None),
        }
    };
    if host.is_empty() {
        return Err("the URL names no host".into());
    }
    let name_ok = |c: char| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_');
    if !host.starts_with('[') && !host.chars().all(name_ok) {
        return Err(format!("'{host}' is not a host name or address"));
    }
    let port = match port {
        None | Some("") => 80,
        Some(p) => p
            .parse::<u16>()
            .ok()
            .filter(|p| *p > 0)
            .ok_or_else(|| format!("'{p}' is not a port (1 to 65535)"))?,
    };
    Ok((host.to_ascii_lowercase(), port))
}

/// The URLs of a `--urls` file: one server, and the paths to fetch from it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UrlList {
    /// What every URL shares: `http://host:port`.
    pub origin: String,
    /// Where every request goes.
    pub addr: SocketAddr,
    /// The request targets, in the file's order (repeats are fetched again).
    pub paths: Vec<String>,
}

impl UrlList {
    /// Reads `file`: one `http://` URL a line; blank lines and lines starting with
    /// `#` are skipped. Every problem is one line naming the file and line.
    pub fn load(file: &Path) -> Result<Self, String> {
        let shown = file.display();
        let text = std::fs::read_to_string(file)
            .map_err(|e| format!("cannot read the --urls file {shown}: {e}"))?;
        let mut first: Option<(HttpUrl, usize)> = None;
        let mut paths = Vec::new();
        for (i, line) in text.lines().enumerate() {
            let (no, line) = (i + 1, line.trim());
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            if line.len() > MAX_LINE_BYTES {
                return Err(format!(
                    "{shown}:{no}: a line longer than {MAX_LINE_BYTES} bytes"
                ));
            }
            let url = HttpUrl::parse(line).map_err(|e| {
                let cut: String = line.chars().take(60).collect();
                format!("{shown}:{no}: {e} ('{cut}')")
            })?;
            match &first {
                None => first = Some((url.clone(), no)),
                Some((one, at)) if one.authority() != url.authority() => {
                    return Err(format!(
                        "{shown}:{no}: {} is another server than {} (line {at}); every \
                         model fetches from one address, so one crawl's URLs must all \
                         name one host:port",
                        url.authority(),
                        one.authority()
                    ));
                }
                Some(_) => {}
            }
            paths.push(url.path);
        }
        let Some((url, no)) = first else {
            return Err(format!(
                "{shown} holds no URLs (blank lines and # comments are skipped)"
            ));
        };
        let addr = url.resolve().map_err(|e| format!("{shown}:{no}: {e}"))?;
        Ok(Self {
            origin: url.origin(),
            addr,
            paths,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_split_into_host_port_and_request_target() {
        let u = HttpUrl::parse("HTTP://Example.COM:8080/a/b?x=1#frag").unwrap();
        assert_eq!(
            (u.host.as_str(), u.port, u.path.as_str()),
            ("example.com", 8080, "/a/b?x=1")
        );
        let u = HttpUrl::parse("http://127.0.0.1").unwrap();
        assert_eq!((u.port, u.path.as_str()), (80, "/"));
        assert_eq!(HttpUrl::parse("http://h?q=1").unwrap().path, "/?q=1");
        let u = HttpUrl::parse("http://[::1]:9000/x").unwrap();
        assert_eq!(u.authority(), "[::1]:9000");
        assert_eq!(u.resolve().unwrap(), "[::1]:9000".parse().unwrap());
    }

    #[test]
    fn what_cannot_be_crawled_says_why() {
        let err = |s: &str| HttpUrl::parse(s).unwrap_err();
        assert!(err("https://example.com/").starts_with("https:// is not supported"));
        assert!(err("ftp://example.com/").contains("ftp:// is not supported"));
        assert!(err("example.com/a").contains("lacks http://"));
        assert!(err("http:///a").contains("no host"));
        assert!(err("http://h:0/").contains("not a port"));
        assert!(err("http://h:99999/").contains("not a port"));
        assert!(err("http://u:p@h/").contains("passwords"));
        assert!(err("http://[::1/").contains("closing ]"));
        assert!(err("http://h/a b").contains("percent-encode"));
        assert!(err("http://h/é").contains("percent-encode"));
        assert!(err("http://h h/").contains("not a host name"));
    }
}
