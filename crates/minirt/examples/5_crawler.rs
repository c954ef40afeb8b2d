//! Step 5 of the tour: the seeds' crawler. Ten URLs from a server that waits one
//! second before each answer: one at a time that is ten seconds; with one task per
//! URL on the event loop it is about one.
//!
//! Each `fetch` is the seeds' `Crawler.fetch` coroutine: connect (wait until the
//! socket is writable), send the request, read until the peer closes; every wait
//! is an `.await` that gives the thread back to the loop, which parks in
//! `epoll_wait` (the seeds' `selector.select()`) until some socket is ready. The
//! server is the project's delay server, started in this process.
//!
//! Run: `cargo run -p cm-minirt --example 5_crawler`

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use cm_minirt::rt::{Runtime, TcpStream, spawn};
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

fn main() -> std::io::Result<()> {
    let server = server::spawn(ServerConfig {
        delay: Duration::from_millis(1000),
        ..ServerConfig::default()
    })?;
    let addr = server.addr();
    let rt = Runtime::new()?;
    let start = Instant::now();
    rt.block_on(async move {
        let tasks: Vec<_> = (0..10)
            .map(|i| spawn(fetch(addr, format!("/page/{i}"))))
            .collect();
        for (i, task) in tasks.into_iter().enumerate() {
            match task.await.expect("fetch does not panic") {
                Ok(response) => {
                    let status = response.split(|&b| b == b'\r').next().unwrap_or_default();
                    println!(
                        "/page/{i}: {} bytes, {} (at {:.2?})",
                        response.len(),
                        String::from_utf8_lossy(status),
                        start.elapsed()
                    );
                }
                Err(e) => println!("/page/{i}: {e}"),
            }
        }
    });
    println!(
        "10 pages of 1 s each in {:.2?}, one thread; one at a time it would be 10 s",
        start.elapsed()
    );
    Ok(())
}
