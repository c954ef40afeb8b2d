//! An async `TcpStream`: the seeds' crawler socket, `setblocking(False)` plus a
//! registration with the selector, with `connect`, `read` and `write` that await
//! instead of blocking.
//!
//! Every operation tries the system call first; only on `WouldBlock` does the task
//! leave its waker with the reactor and return `Pending` (the seeds' `yield f`).
//! tokio's `TcpStream` also implements `AsyncRead`/`AsyncWrite`, so the whole
//! ecosystem of codecs and buffers works on it; this one has three methods.

use std::future::poll_fn;
use std::io::{self, Read, Write};
use std::net::SocketAddr;
use std::rc::Rc;
use std::task::{Context, Poll};

use super::executor::{self, Core};
use super::reactor::Direction;

/// A TCP connection registered with the running runtime's reactor.
pub struct TcpStream {
    io: mio::net::TcpStream,
    token: usize,
    /// The runtime whose reactor knows this socket (to deregister it on drop).
    core: Rc<Core>,
}

impl std::fmt::Debug for TcpStream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TcpStream").field("io", &self.io).finish()
    }
}

impl TcpStream {
    /// Connects to `addr`: start a non-blocking connect, then wait until the socket
    /// is writable, which is when the kernel knows how the connect went.
    pub async fn connect(addr: SocketAddr) -> io::Result<TcpStream> {
        let core = executor::current();
        let mut io = mio::net::TcpStream::connect(addr)?;
        let token = core.reactor.borrow_mut().register(&mut io)?;
        let stream = TcpStream { io, token, core };
        poll_fn(|cx| stream.poll_connected(cx)).await?;
        Ok(stream)
    }

    fn poll_connected(&self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        if let Some(err) = self.io.take_error()? {
            return Poll::Ready(Err(err));
        }
        // mio's recipe: connected once the peer address is known.
        match self.io.peer_addr() {
            Ok(_) => Poll::Ready(Ok(())),
            Err(e) if e.kind() == io::ErrorKind::NotConnected => self.wait(cx, Direction::Write),
            Err(e) => Poll::Ready(Err(e)),
        }
    }

    /// Reads what has arrived into `buf`, waiting if nothing has; 0 means the peer
    /// closed its side.
    pub async fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        poll_fn(|cx| self.poll_io(cx, Direction::Read, |io| io.read(buf))).await
    }

    /// Writes some of `buf`, waiting while the send buffer is full.
    pub async fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        poll_fn(|cx| self.poll_io(cx, Direction::Write, |io| io.write(buf))).await
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

    /// One attempt at `op`, or a wait for the reactor if it would block.
    fn poll_io<T>(
        &mut self,
        cx: &mut Context<'_>,
        direction: Direction,
        mut op: impl FnMut(&mut mio::net::TcpStream) -> io::Result<T>,
    ) -> Poll<io::Result<T>> {
        loop {
            match op(&mut self.io) {
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return self.wait(cx, direction),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                done => return Poll::Ready(done),
            }
        }
    }

    fn wait<T>(&self, cx: &mut Context<'_>, direction: Direction) -> Poll<T> {
        self.core
            .reactor
            .borrow_mut()
            .wait(self.token, direction, cx.waker());
        Poll::Pending
    }
}

impl Drop for TcpStream {
    fn drop(&mut self) {
        self.core
            .reactor
            .borrow_mut()
            .deregister(&mut self.io, self.token);
    }
}
