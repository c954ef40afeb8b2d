//! Step 9 of the tour (`docs/tour.md`): green threads, the seeds' greenlet and gevent
//! answer. The code is written as if it blocked; the thread does not.
//!
//! gevent monkey-patches Python's `socket` so that a call that would wait switches
//! to another greenlet instead of blocking the thread. may does the same without the
//! patching: `may::net::TcpStream` has std's API (`Read`, `Write`), and a read that
//! would wait parks the coroutine, saves its registers and switches the worker
//! thread to another coroutine's stack. Each coroutine has a stack of its own, so
//! `fetch` below needs no `async`, no `.await` and no state machine: its locals stay
//! on its stack while it waits, as a greenlet keeps its frames. Swap the import for
//! `std::net::TcpStream` and it still compiles, but then each read holds a whole
//! worker thread, and the ten fetches run only as many at a time as may has workers.
//!
//! Ten coroutines fetch ten pages from the delay server, each answered after 300
//! ms, and all are done in about 300 ms.
//!
//! Run: `cargo run -p cm-stackful --example 9_green_fetch`

use std::io::{Read, Write};
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use harness::pages;
use harness::server::{self, ServerConfig};
use may::coroutine;
use may::net::TcpStream;

/// Each coroutine's stack, in bytes: ample for one fetch in a debug build.
const STACK_BYTES: usize = 64 * 1024;

/// GET `/page/<i>` and return the whole response, in plain blocking style.
fn fetch(addr: SocketAddr, i: u64) -> std::io::Result<Vec<u8>> {
    let mut stream = TcpStream::connect(addr)?; // parks until connected
    write!(stream, "GET /page/{i} HTTP/1.0\r\nHost: {addr}\r\n\r\n")?;
    let mut response = Vec::new();
    stream.read_to_end(&mut response)?; // parks at every read that would wait
    Ok(response)
}

/// A 200 whose body is page `i` as the server must send it.
fn is_page(response: &[u8], i: u64) -> bool {
    let Some(head_end) = response.windows(4).position(|w| w == b"\r\n\r\n") else {
        return false;
    };
    response.get(9..12) == Some(b"200".as_slice())
        && response[head_end + 4..] == pages::body(i, pages::DEFAULT_BODY_BYTES)
}

fn main() -> std::io::Result<()> {
    let server = server::spawn(ServerConfig {
        delay: Duration::from_millis(300),
        ..ServerConfig::default()
    })?;
    let addr = server.addr();
    let start = Instant::now();
    let coroutines: Vec<_> = (0..10)
        .map(|i| {
            // may counts stack sizes in machine words.
            let builder = coroutine::Builder::new().stack_size(STACK_BYTES / size_of::<usize>());
            // SAFETY: may's spawn is unsafe for two reasons. A coroutine may resume
            // on another worker thread, so one that kept a reference into thread-local
            // storage across a switch would read another thread's; `fetch` keeps none
            // (its waits are may's socket calls, which park the coroutine, not the
            // thread). And a coroutine that outgrows its stack hits a guard page and
            // is not unwound; a fetch uses a few KiB of its 64.
            unsafe { builder.spawn(move || (i, fetch(addr, i))) }
        })
        .collect::<Result<_, _>>()?;
    let mut good = 0;
    for coroutine in coroutines {
        let (i, response) = coroutine.join().expect("a fetch does not panic");
        match response {
            Ok(response) => {
                let right = is_page(&response, i);
                good += usize::from(right);
                println!(
                    "/page/{i}: {} bytes{} (at {:.2?})",
                    response.len(),
                    if right { "" } else { ", NOT the page" },
                    start.elapsed()
                );
            }
            Err(e) => println!("/page/{i}: {e}"),
        }
    }
    let took = start.elapsed();
    println!("10 pages of 300 ms each in {took:.2?}; one at a time it would be 3 s");
    // The last line is what `tests/examples.rs` checks: the same on every run.
    let overlapped = if took < Duration::from_millis(1500) {
        "overlapped"
    } else {
        "did NOT overlap"
    };
    println!("{good} of 10 pages right from 10 coroutines; their 300 ms waits {overlapped}");
    Ok(())
}
