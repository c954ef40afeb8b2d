//! Step 7 of the tour (`docs/tour.md`): the seeds' crawler. Ten URLs from a server that waits one
//! second before each answer: one at a time that is ten seconds; with one task per
//! URL on the event loop it is about one.
//!
//! Each `fetch` is the seeds' `Crawler.fetch` coroutine: connect (wait until the
//! socket is writable), send the request, read until the peer closes; every wait
//! is an `.await` that gives the thread back to the loop, which parks in
//! `epoll_wait` (the seeds' `selector.select()`) until some socket is ready. The
//! server is the project's delay server, started in this process; every body is
//! checked against the page the server must send (`harness::pages::body`).
//!
//! Run: `cargo run -p cm-minirt --example 7_crawler`

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use cm_minirt::rt::{Runtime, TcpStream, spawn};
use harness::pages;
use harness::server::{self, ServerConfig};

/// GET `path` and return the whole response, as the seeds' `fetch` does.
async fn fetch(addr: SocketAddr, path: String) -> std::io::Result<Vec<u8>> {
    let mut stream = TcpStream::connect(addr).await?;
    let request = format!("GET {path} HTTP/1.0\r\nHost: {addr}\r\n\r\n");
    stream.write_all(request.as_bytes()).await?;
    let mut response = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        match stream.read(&mut buf).await? {
            0 => return Ok(response), // HTTP/1.0: the server closes when done
            n => response.extend_from_slice(&buf[..n]),
        }
    }
}

/// A 200 whose body is page `i` as the server must send it.
fn is_page(response: &[u8], i: u64) -> bool {
    let Some(head_end) = response.windows(4).position(|w| w == b"\r\n\r\n") else {
        return false;
    };
    // "HTTP/1.x 200 OK": the status code is bytes 9 to 11.
    response.get(9..12) == Some(b"200".as_slice())
        && response[head_end + 4..] == pages::body(i, pages::DEFAULT_BODY_BYTES)
}

fn main() -> std::io::Result<()> {
    let server = server::spawn(ServerConfig {
        delay: Duration::from_millis(1000),
        ..ServerConfig::default()
    })?;
    let addr = server.addr();
    let rt = Runtime::new()?;
    let start = Instant::now();
    let good = rt.block_on(async move {
        let tasks: Vec<_> = (0..10)
            .map(|i| spawn(fetch(addr, format!("/page/{i}"))))
            .collect();
        let mut good = 0;
        for (i, task) in (0..).zip(tasks) {
            match task.await.expect("fetch does not panic") {
                Ok(response) => {
                    let status = response.split(|&b| b == b'\r').next().unwrap_or_default();
                    println!(
                        "/page/{i}: {} bytes, {} (at {:.2?})",
                        response.len(),
                        String::from_utf8_lossy(status),
                        start.elapsed()
                    );
                    if is_page(&response, i) {
                        good += 1;
                    }
                }
                Err(e) => println!("/page/{i}: {e}"),
            }
        }
        good
    });
    let took = start.elapsed();
    println!("10 pages of 1 s each in {took:.2?}, one thread; one at a time it would be 10 s");
    // The last line is what `tests/examples.rs` checks: the same on every run.
    let overlapped = if took < Duration::from_secs(5) {
        "overlapped"
    } else {
        "did NOT overlap"
    };
    println!("{good} of 10 pages 200 OK with the right body; their 1 s waits {overlapped}");
    Ok(())
}
