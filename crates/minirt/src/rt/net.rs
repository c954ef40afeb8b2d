//! An async `TcpStream`: the seeds' crawler socket, `setblocking(False)` plus a
//! registration with the selector, with `connect`, `read` and `write` that await
//! instead of blocking.
//!
//! Every operation tries the system call first; only on `WouldBlock` does the task
//! leave its waker with the reactor and return `Pending` (the seeds' `yield f`).
//! tokio's `TcpStream` also implements `AsyncRead`/`AsyncWrite`, so the whole
//! ecosystem of codecs and buffers works on it; this one has a few methods.

use std::cell::RefCell;
use std::future::poll_fn;
use std::io::{self, Read, Write};
use std::net::SocketAddr;
use std::rc::Rc;
use std::task::Poll;

use super::executor;
use super::reactor::Reactor;

/// A TCP connection registered with the running runtime's reactor.
#[derive(Debug)]
pub struct TcpStream {
    io: mio::net::TcpStream,
    token: usize,
    /// The reactor that knows this socket (to deregister it on drop).
    reactor: Rc<RefCell<Reactor>>,
}

impl TcpStream {
    /// Connects to `addr`: start a non-blocking connect, then wait until the socket
    /// is writable, which is when the kernel knows how the connect went.
    pub async fn connect(addr: SocketAddr) -> io::Result<TcpStream> {
        let reactor = Rc::clone(&executor::current().reactor);
        let mut io = mio::net::TcpStream::connect(addr)?;
        let token = reactor.borrow_mut().register(&mut io)?;
        let mut stream = TcpStream { io, token, reactor };
        // mio's recipe: connected once the peer address is known; a failed connect
        // leaves its error on the socket.
        stream
            .async_io(|io| match io.take_error()? {
                Some(err) => Err(err),
                None => io.peer_addr().map_err(|e| match e.kind() {
                    io::ErrorKind::NotConnected => io::ErrorKind::WouldBlock.into(),
                    _ => e,
                }),
            })
            .await?;
        Ok(stream)
    }

    /// Reads what has arrived into `buf`, waiting if nothing has; 0 means the peer
    /// closed its side.
    pub async fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.async_io(|io| io.read(buf)).await
    }

    /// Writes some of `buf`, waiting while the send buffer is full.
    pub async fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.async_io(|io| io.write(buf)).await
    }

    /// Writes all of `buf`.
    pub async fn write_all(&mut self, mut buf: &[u8]) -> io::Result<()> {
        while !buf.is_empty() {
            match self.write(buf).await? {
                0 => return Err(io::ErrorKind::WriteZero.into()),
                n => buf = &buf[n..],
            }
        }
        Ok(())
    }

    /// Runs `op` on the socket until it stops saying `WouldBlock`, leaving the
    /// task's waker with the reactor in between: tokio's `TcpStream::async_io`.
    /// Whatever `op` borrows is held only while it runs, never across a wait, so
    /// many waiting tasks can share one read buffer (see the crawl).
    pub async fn async_io<T>(
        &mut self,
        mut op: impl FnMut(&mut mio::net::TcpStream) -> io::Result<T>,
    ) -> io::Result<T> {
        poll_fn(|cx| {
            loop {
                match op(&mut self.io) {
                    Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                        self.reactor.borrow_mut().wait(self.token, cx.waker());
                        return Poll::Pending;
                    }
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                    done => return Poll::Ready(done),
                }
            }
        })
        .await
    }
}

impl Drop for TcpStream {
    fn drop(&mut self) {
        self.reactor
            .borrow_mut()
            .deregister(&mut self.io, self.token);
    }
}
