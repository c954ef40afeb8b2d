//! Where a crawl goes, and so what its verification can know.
//!
//! Three kinds of server, one [`CrawlTarget`] each:
//!
//! - the **delay server** at an address: the one `run` or `compare` starts, or one
//!   given with `--server ADDR` (what `compare` passes its children);
//! - **`--target URL`**: a server that speaks the page protocol (another machine's
//!   `serve`, perhaps behind a proxy under a path prefix). The page paths are
//!   fetched from it and every body is checked by digest, as against our own;
//! - **`--urls FILE`**: any HTTP/1.x server. Bodies are not known in advance, so
//!   verification checks that every URL got an answer or a typed error and that
//!   each page's framing (`Content-Length`, chunks, or the close) was whole
//!   ([`Expect::StatusAndLength`]); the report says the content was not verified
//!   against digests, and gives no ideal time, since the server's delay is unknown.
//!
//! Every model fetches from one socket address with `http::request`, so a target is
//! one host:port, resolved once.
//!
//! 1. this file: [`CrawlTarget`] and [`TargetInfo`], what rows record.
//! 2. `url.rs`: [`HttpUrl`] and the `--urls` file ([`UrlList`]).

mod url;

pub use url::{HttpUrl, UrlList};

use std::net::SocketAddr;
use std::path::PathBuf;

use crate::params::Params;
use crate::spec::{CrawlSpec, Expect};

/// The server a crawl fetches from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CrawlTarget {
    /// A delay server at this address, ours or given with `--server`.
    DelayServer(SocketAddr),
    /// `--target`: a page-protocol server, its page paths under `prefix`.
    Pages {
        /// The base URL as given, without a trailing `/`.
        url: String,
        addr: SocketAddr,
        /// Put before every page path (`/cm` for `http://host/cm`); may be empty.
        prefix: String,
    },
    /// `--urls`: the paths of a file's URLs, all on one server.
    Urls { file: PathBuf, list: UrlList },
}

/// What kind of server a crawl went to, as rows record it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TargetKind {
    /// A delay server (the one `compare` or `run` started, or `--server`).
    DelayServer,
    /// `--target`: a page-protocol server that is not this run's.
    Pages,
    /// `--urls`: any HTTP/1.x server, bodies unknown.
    Urls,
}

impl TargetKind {
    /// The name `results.json` and `results.csv` use.
    pub fn name(self) -> &'static str {
        match self {
            TargetKind::DelayServer => "delay_server",
            TargetKind::Pages => "pages",
            TargetKind::Urls => "urls",
        }
    }
}

/// Which target a crawl row was taken against, in `results.json`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct TargetInfo {
    pub kind: TargetKind,
    /// `http://host:port[/prefix]`, as the crawl named it.
    pub url: String,
    /// The address every request went to.
    pub addr: String,
    /// The `--urls` file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    /// Whether each body was checked against the page protocol's digest.
    pub digests: bool,
}

impl TargetInfo {
    /// How a report names the target, after the group's sizes.
    pub fn describe(&self) -> String {
        // A name is worth its address beside it; an address is not worth two.
        let at = if self
            .url
            .trim_start_matches("http://")
            .starts_with(&self.addr)
        {
            self.url.clone()
        } else {
            format!("{} ({})", self.url, self.addr)
        };
        match self.kind {
            TargetKind::DelayServer => format!("from the delay server at {at}"),
            TargetKind::Pages => format!("from {at}"),
            TargetKind::Urls => format!(
                "of the URLs in {} on {at}, content not verified against digests \
                 (status and length only), no ideal (the server's delay is unknown)",
                self.file.as_deref().unwrap_or("a file"),
            ),
        }
    }
}

impl CrawlTarget {
    /// `--target URL`: a base URL without a query; its path, if any, is a prefix.
    pub fn pages(text: &str) -> Result<Self, String> {
        let url = HttpUrl::parse(text).map_err(|e| format!("--target {text}: {e}"))?;
        if url.path.contains('?') {
            return Err(format!(
                "--target {text}: a base URL takes no query; the page paths bring their own"
            ));
        }
        let prefix = url.path.trim_end_matches('/').to_owned();
        let addr = url.resolve().map_err(|e| format!("--target {text}: {e}"))?;
        Ok(CrawlTarget::Pages {
            url: format!("{}{prefix}", url.origin()),
            addr,
            prefix,
        })
    }

    /// `--urls FILE`.
    pub fn urls(file: PathBuf) -> Result<Self, String> {
        let list = UrlList::load(&file)?;
        Ok(CrawlTarget::Urls { file, list })
    }

    /// The address every request goes to.
    pub fn addr(&self) -> SocketAddr {
        match self {
            CrawlTarget::DelayServer(addr) | CrawlTarget::Pages { addr, .. } => *addr,
            CrawlTarget::Urls { list, .. } => list.addr,
        }
    }

    /// The delay server's address, when the target is one (the cancel workload
    /// needs its connection count).
    pub fn delay_server(&self) -> Option<SocketAddr> {
        match self {
            CrawlTarget::DelayServer(addr) => Some(*addr),
            _ => None,
        }
    }

    /// Whether bodies can be checked by digest.
    pub fn checks_digests(&self) -> bool {
        !matches!(self, CrawlTarget::Urls { .. })
    }

    /// Fits `params` to the target: a crawl of URLs fetches each URL once and
    /// takes neither a delay nor a body size (see [`Params::for_urls`]).
    pub fn apply(&self, params: &mut Params) -> Result<(), String> {
        match self {
            CrawlTarget::Urls { file, list } => params.for_urls(
                list.paths.len(),
                &format!("the --urls file {}", file.display()),
            ),
            _ => Ok(()),
        }
    }

    /// The crawl spec for `params` (already [`apply`](Self::apply)'d) against
    /// this target.
    pub fn spec(&self, params: &Params) -> CrawlSpec {
        let mut spec = params.crawl(self.addr());
        match self {
            CrawlTarget::DelayServer(_) => {}
            CrawlTarget::Pages { prefix, .. } => {
                for path in &mut spec.paths {
                    path.insert_str(0, prefix);
                }
                spec.expect = Expect::Digests {
                    prefix: prefix.clone(),
                };
            }
            CrawlTarget::Urls { list, .. } => {
                spec.paths.clone_from(&list.paths);
                spec.concurrency = spec.concurrency.clamp(1, spec.paths.len().max(1));
                spec.expect = Expect::StatusAndLength;
            }
        }
        spec
    }

    /// The flag that names this kind of target on the command line.
    pub fn flag(&self) -> &'static str {
        match self {
            CrawlTarget::DelayServer(_) => "--server",
            CrawlTarget::Pages { .. } => "--target",
            CrawlTarget::Urls { .. } => "--urls",
        }
    }

    /// The flags that name this target to a child `run`.
    pub fn child_args(&self) -> Vec<String> {
        match self {
            CrawlTarget::DelayServer(addr) => vec!["--server".into(), addr.to_string()],
            CrawlTarget::Pages { url, .. } => vec!["--target".into(), url.clone()],
            CrawlTarget::Urls { file, .. } => {
                vec!["--urls".into(), file.display().to_string()]
            }
        }
    }

    /// What a row records about the target.
    pub fn info(&self) -> TargetInfo {
        let (kind, url, file) = match self {
            CrawlTarget::DelayServer(addr) => {
                (TargetKind::DelayServer, format!("http://{addr}"), None)
            }
            CrawlTarget::Pages { url, .. } => (TargetKind::Pages, url.clone(), None),
            CrawlTarget::Urls { file, list } => (
                TargetKind::Urls,
                list.origin.clone(),
                Some(file.display().to_string()),
            ),
        };
        TargetInfo {
            kind,
            url,
            addr: self.addr().to_string(),
            file,
            digests: self.checks_digests(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::{FetchError, Page};
    use crate::pages::{self, Expected};
    use crate::spec::CrawlOutcome;

    fn temp_file(name: &str, text: &str) -> PathBuf {
        let path = std::env::temp_dir().join(format!("cm-target-{name}-{}", std::process::id()));
        std::fs::write(&path, text).unwrap();
        path
    }

    #[test]
    fn a_prefixed_target_fetches_and_verifies_the_page_paths_under_it() {
        let target = CrawlTarget::pages("http://127.0.0.1:9/cm/").unwrap();
        let mut params = Params::new();
        target.apply(&mut params).unwrap();
        params.set(crate::params::Param::N, 2).unwrap();
        let spec = target.spec(&params);
        assert_eq!(spec.paths[1], "/cm/page/1?delay_ms=50&bytes=1024");
        let good: Vec<_> = (0..2)
            .map(|i| {
                let Some(Expected::Page { bytes, digest }) =
                    pages::expected(&pages::page_path(i, 50, 1024))
                else {
                    unreachable!("page paths expect pages")
                };
                Ok(Page {
                    status: 200,
                    bytes,
                    digest,
                })
            })
            .collect();
        assert!(spec.verify(&CrawlOutcome { results: good }).is_ok());
        assert_eq!(target.info().url, "http://127.0.0.1:9/cm");
        assert!(
            CrawlTarget::pages("http://h/?x=1")
                .unwrap_err()
                .contains("no query")
        );
    }

    #[test]
    fn a_url_file_is_one_server_and_its_paths() {
        let file = temp_file(
            "good",
            "# a comment\n\nhttp://127.0.0.1:8000/a\n  http://127.0.0.1:8000/b?x=1  \nhttp://127.0.0.1:8000/a\n",
        );
        let target = CrawlTarget::urls(file.clone()).unwrap();
        let CrawlTarget::Urls { list, .. } = &target else {
            unreachable!()
        };
        assert_eq!(list.paths, ["/a", "/b?x=1", "/a"]);
        assert_eq!(list.origin, "http://127.0.0.1:8000");
        let mut params = Params::new();
        target.apply(&mut params).unwrap();
        let spec = target.spec(&params);
        assert_eq!((spec.paths.len(), spec.concurrency), (3, 3));
        assert_eq!(spec.expect, Expect::StatusAndLength);
        // A 404 and a timeout are answers; every path needs one.
        let results = vec![
            Ok(Page {
                status: 200,
                bytes: 5,
                digest: 1,
            }),
            Err(FetchError::Status(404)),
            Err(FetchError::Timeout),
        ];
        let outcome = CrawlOutcome { results };
        assert!(spec.verify(&outcome).is_ok());
        let fetched = outcome.fetched(&spec.paths);
        assert_eq!(fetched[1].status, Some(404));
        assert_eq!(fetched[1].outcome(), "HTTP status 404");
        assert_eq!(fetched[0].outcome(), "200, 5 bytes");
        let short = CrawlOutcome {
            results: outcome.results[..2].to_vec(),
        };
        assert!(spec.verify(&short).is_err());
        assert!(!target.info().digests);
        std::fs::remove_file(file).unwrap();
    }

    #[test]
    fn bad_url_files_say_which_line() {
        let err = |name: &str, text: &str| {
            let file = temp_file(name, text);
            let e = CrawlTarget::urls(file.clone()).unwrap_err();
            std::fs::remove_file(file).unwrap();
            e
        };
        assert!(err("empty", "# only\n\n").contains("holds no URLs"));
        let two = err("two", "http://127.0.0.1:1/a\nhttp://127.0.0.1:2/b\n");
        assert!(two.ends_with(":2: 127.0.0.1:2 is another server than 127.0.0.1:1 (line 1); every model fetches from one address, so one crawl's URLs must all name one host:port"), "{two}");
        assert!(err("tls", "https://127.0.0.1/\n").contains(":1: https:// is not supported"));
        assert!(err("junk", "http://127.0.0.1/\nnot a url\n").contains(":2: not a URL"));
        let missing = CrawlTarget::urls("/nonexistent/urls.txt".into()).unwrap_err();
        assert!(missing.starts_with("cannot read the --urls file /nonexistent/urls.txt"));
    }
}
