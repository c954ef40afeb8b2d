//! Crawls of servers that are not this run's own, end to end through the binary:
//! `--urls FILE` against a plain HTTP server written here with std (not ours: it
//! knows nothing of the page protocol), and `--target URL` against a `serve`
//! started apart, as another machine's would be. Sizes are tiny and nothing here
//! depends on how fast the machine is.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};

use serde_json::Value;

mod common;

use common::{assert_usage_error, bin, results_folder, rows, run, stderr, stdout, temp_path};

/// A response with a `Content-Length`, as HTTP/1.0 answers it.
fn with_length(status: &str, body: &[u8]) -> Vec<u8> {
    let mut r = format!(
        "HTTP/1.0 {status}\r\nContent-Type: text/plain\r\nContent-Length: {}\r\n\r\n",
        body.len()
    )
    .into_bytes();
    r.extend_from_slice(body);
    r
}

/// The paths the plain server answers, with what a client must report for each.
const PATHS: [(&str, &str); 5] = [
    ("/hello", "200, 13 bytes"),
    ("/data?size=3000", "200, 3000 bytes"),
    ("/missing", "HTTP status 404"),
    ("/until-close", "200, 22 bytes"),
    // Chunked, though the request was HTTP/1.0: a server that breaks RFC 9112
    // §6.1 still gets its content read right.
    ("/chunked", "200, 12 bytes"),
];

/// A plain HTTP server on std: a thread that accepts, reads the request head,
/// answers by path, and closes. Nothing of ours is in it.
fn plain_server() -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            std::thread::spawn(move || answer(stream));
        }
    });
    addr
}

fn answer(mut stream: TcpStream) {
    let mut head = Vec::new();
    let mut buf = [0u8; 1024];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") {
        match stream.read(&mut buf) {
            Ok(0) | Err(_) => return,
            Ok(n) => head.extend_from_slice(&buf[..n]),
        }
    }
    let text = String::from_utf8_lossy(&head);
    let path = text.split_whitespace().nth(1).unwrap_or("/");
    let response = match path {
        "/hello" => with_length("200 OK", b"hello, world\n"),
        "/data?size=3000" => with_length("200 OK", &[b'x'; 3000]),
        "/missing" => with_length("404 Not Found", b"no such page\n"),
        // No Content-Length: the body ends when the server closes.
        "/until-close" => b"HTTP/1.0 200 OK\r\n\r\nthe body ends at close".to_vec(),
        "/chunked" => b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n\
                        6\r\nhello,\r\n6\r\n world\r\n0\r\n\r\n"
            .to_vec(),
        _ => with_length("500 Internal Server Error", b"unexpected path\n"),
    };
    let _ = stream.write_all(&response);
}

/// A `--urls` file naming every path of the plain server at `addr`, with a
/// comment and a blank line, which are skipped.
fn url_file(name: &str, addr: SocketAddr) -> PathBuf {
    let path = temp_path(name);
    let mut text = String::from("# the plain server's paths\n\n");
    for (p, _) in PATHS {
        text.push_str(&format!("http://{addr}{p}\n"));
    }
    std::fs::write(&path, text).unwrap();
    path
}

/// Every URL is listed, in the file's order, with what it got.
fn assert_every_url(fetches: &Value) {
    let fetches = fetches.as_array().expect("fetches listed");
    assert_eq!(fetches.len(), PATHS.len(), "{fetches:?}");
    for (f, (path, _)) in fetches.iter().zip(PATHS) {
        assert_eq!(f["path"], path, "{f}");
    }
    assert_eq!(fetches[2]["status"], 404);
    assert_eq!(fetches[2]["error"], "HTTP status 404");
    for i in [0, 1, 3, 4] {
        assert_eq!(fetches[i]["status"], 200, "{}", fetches[i]);
    }
    assert_eq!(fetches[1]["bytes"], 3000);
    assert_eq!(fetches[3]["bytes"], 22);
    assert_eq!(fetches[4]["bytes"], 12);
}

#[test]
fn run_crawls_urls_on_a_server_that_is_not_ours() {
    let addr = plain_server();
    let file = url_file("run", addr);
    let file_arg = file.to_str().unwrap();
    let out = run(&[
        "run",
        "--model",
        "threads",
        "--workload",
        "crawl",
        "--urls",
        file_arg,
        "--json",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["verified"], true, "{v}");
    assert_every_url(&v["fetches"]);
    let summary = v["summary"].as_str().unwrap();
    assert!(
        summary.starts_with("4 of 5 URLs answered 200, 1 with a typed error"),
        "{summary}"
    );
    assert!(summary.contains("content not verified against digests"));
    assert_eq!(v["target"]["kind"], "urls");
    assert_eq!(v["target"]["digests"], false);
    assert_eq!(v["target"]["url"], format!("http://{addr}"));
    // n is the URL count; the delay and body size are the server's, not ours.
    assert_eq!(v["params"]["n"], 5);
    assert!(v["params"].get("delay_ms").is_none(), "{v}");
    // For people: one sentence, then a line per URL.
    let out = run(&[
        "run",
        "--model",
        "minirt",
        "--workload",
        "crawl",
        "--urls",
        file_arg,
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.starts_with("minirt crawl: verified (4 of 5 URLs"),
        "{text}"
    );
    for (path, want) in PATHS {
        assert!(
            text.contains(&format!("  http://{addr}{path}: {want}\n")),
            "{path} missing: {text}"
        );
    }
    std::fs::remove_file(file).unwrap();
}

#[test]
fn compare_crawls_urls_and_reports_every_url() {
    let addr = plain_server();
    let file = url_file("compare", addr);
    let dir = temp_path("compare-out");
    let out = run(&[
        "compare",
        "--workload",
        "crawl",
        "--models",
        "threads,tokio",
        "--urls",
        file.to_str().unwrap(),
        "--runs",
        "1",
        "--min-runs",
        "1",
        "--warmup",
        "0",
        "--out",
        dir.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let table = stdout(&out);
    assert!(
        table.contains("content not verified against digests"),
        "{table}"
    );
    assert!(
        !table.contains(", ideal "),
        "no delay known, no ideal: {table}"
    );
    for (path, want) in PATHS {
        assert!(
            table.contains(&format!("{path}: {want}")),
            "{path}: {table}"
        );
    }
    let stamp = results_folder(&dir);
    let rows = rows(&stamp.join("results.json"));
    assert_eq!(rows.len(), 2);
    for row in rows {
        assert_eq!(row["verified"], true, "{row}");
        assert_eq!(row["target"]["kind"], "urls", "{row}");
        assert_eq!(row["target"]["file"], file.to_str().unwrap());
        assert_every_url(&row["fetches"]);
        // No delay server of ours was started.
        assert!(row["machine"]["context"]["delay server threads"].is_null());
    }
    let md = std::fs::read_to_string(stamp.join("report.md")).unwrap();
    assert!(md.contains("content not verified against digests"), "{md}");
    assert!(md.contains("/missing: HTTP status 404"), "{md}");
    let csv = std::fs::read_to_string(stamp.join("results.csv")).unwrap();
    assert!(
        csv.lines()
            .nth(1)
            .unwrap()
            .ends_with(&format!(",urls,http://{addr}"))
    );
    std::fs::remove_dir_all(&dir).unwrap();
    std::fs::remove_file(file).unwrap();
}

/// A `serve` started apart, as on another machine; dropping it stops it.
struct Serve(Child, SocketAddr);

impl Serve {
    fn start() -> Self {
        let mut child = bin()
            .args(["serve", "--port", "0", "--threads", "1"])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let addr = line
            .trim()
            .strip_prefix("listening on ")
            .unwrap()
            .parse()
            .unwrap();
        Serve(child, addr)
    }
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn target_crawls_a_serve_started_apart() {
    let serve = Serve::start();
    let url = format!("http://{}", serve.1);
    let out = run(&[
        "run",
        "--model",
        "threads",
        "--workload",
        "crawl",
        "--target",
        &url,
        "--n",
        "4",
        "--delay-ms",
        "10",
        "--json",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["verified"], true, "{v}");
    assert_eq!(v["summary"], "4 of 4 pages");
    assert_eq!(v["target"]["kind"], "pages");
    assert_eq!(v["target"]["digests"], true);
    assert!(
        v.get("fetches").is_none(),
        "digests checked, nothing to list: {v}"
    );
    let dir = temp_path("target-out");
    let out = run(&[
        "compare",
        "--workload",
        "crawl",
        "--models",
        "threads,tokio",
        "--target",
        &url,
        "--n",
        "4",
        "--delay-ms",
        "10",
        "--runs",
        "1",
        "--warmup",
        "0",
        "--out",
        dir.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let table = stdout(&out);
    assert!(
        table.contains(&format!("from {url}, ideal 10 ms")),
        "{table}"
    );
    let stamp = results_folder(&dir);
    for row in rows(&stamp.join("results.json")) {
        assert_eq!(row["verified"], true, "{row}");
        assert_eq!(row["target"]["url"], url.as_str());
        assert_eq!(
            row["machine"]["context"]["crawl target"],
            format!("from {url}")
        );
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

fn write(path: &Path, text: &str) -> String {
    std::fs::write(path, text).unwrap();
    path.to_str().unwrap().to_owned()
}

#[test]
fn bad_targets_get_one_line_and_exit_2() {
    fn with<'a>(extra: &[&'a str]) -> Vec<&'a str> {
        let crawl = ["run", "--model", "threads", "--workload", "crawl"];
        crawl.iter().copied().chain(extra.iter().copied()).collect()
    }
    let dir = temp_path("bad");
    std::fs::create_dir_all(&dir).unwrap();
    let two = write(
        &dir.join("two"),
        "http://127.0.0.1:1/a\nhttp://127.0.0.1:2/b\n",
    );
    assert_usage_error(
        &with(&["--urls", &two]),
        "is another server than 127.0.0.1:1",
    );
    let empty = write(&dir.join("empty"), "# none\n\n");
    assert_usage_error(&with(&["--urls", &empty]), "holds no URLs");
    let tls = write(&dir.join("tls"), "https://127.0.0.1/\n");
    assert_usage_error(&with(&["--urls", &tls]), ":1: https:// is not supported");
    let junk = write(&dir.join("junk"), "http://127.0.0.1/\nnot a url\n");
    assert_usage_error(&with(&["--urls", &junk]), ":2: not a URL");
    assert_usage_error(
        &with(&["--urls", "/nonexistent/urls"]),
        "cannot read the --urls file",
    );
    let one = write(&dir.join("one"), "http://127.0.0.1:1/a\n");
    assert_usage_error(
        &with(&["--urls", &one, "--n", "2"]),
        "--n 2 does not match the 1 URLs",
    );
    assert_usage_error(
        &with(&["--urls", &one, "--body-bytes", "9"]),
        "--body-bytes does not apply",
    );
    assert_usage_error(
        &with(&["--target", "https://h/"]),
        "https:// is not supported",
    );
    assert_usage_error(
        &with(&["--target", "http://127.0.0.1:1", "--urls", &one]),
        "cannot be used with",
    );
    assert_usage_error(
        &[
            "run",
            "--model",
            "threads",
            "--workload",
            "ring",
            "--urls",
            &one,
        ],
        "--urls applies to the crawl workload only, not ring",
    );
    assert_usage_error(
        &[
            "compare",
            "--workload",
            "spawn",
            "--target",
            "http://127.0.0.1:1",
        ],
        "--target applies to the crawl workload only",
    );
    std::fs::remove_dir_all(&dir).unwrap();
}
