//! An async `TcpStream` and `TcpListener`: the seeds' crawler socket,
//! `setblocking(False)` plus a registration with the selector, with `connect`,
//! `accept`, `read` and `write` that await instead of blocking.
//!
//! Every operation tries the system call first; only on `WouldBlock` does the task
//! leave its waker with the reactor and return `Pending` (the seeds' `yield f`).
//! Both types are a [`Registered`] mio socket, which is tokio's `PollEvented`: the
//! registration, the `WouldBlock` loop and the deregistration on drop, written once.
//! tokio's `TcpStream` also implements `AsyncRead`/`AsyncWrite`, so the whole
//! ecosystem of codecs and buffers works on it; this one has a few methods.

use std::cell::RefCell;
use std::future::{Future, poll_fn};
use std::io::{self, Read, Write};
use std::net::SocketAddr;
use std::rc::Rc;
use std::task::Poll;

use mio::event::Source;

use super::executor;
use super::reactor::Reactor;

/// A mio socket registered with the running runtime's reactor.
#[derive(Debug)]
struct Registered<S: Source> {
    io: S,
    token: usize,
    /// The reactor that knows this socket (to deregister it on drop).
    reactor: Rc<RefCell<Reactor>>,
}

impl<S: Source> Registered<S> {
    /// `selector.register`, on the runtime running on this thread.
    fn new(mut io: S) -> io::Result<Self> {
        let reactor = Rc::clone(&executor::current().reactor);
        let token = reactor.borrow_mut().register(&mut io)?;
        Ok(Self { io, token, reactor })
    }

    /// Runs `op` on the socket until it stops saying `WouldBlock`, leaving the
    /// task's waker with the reactor in between: tokio's `async_io`. A plain `fn`
    /// returning the `poll_fn`, not an `async fn`, so the future is that closure
    /// alone, with no state machine around it.
    fn async_io<'a, T>(
        &'a mut self,
        mut op: impl FnMut(&mut S) -> io::Result<T> + 'a,
    ) -> impl Future<Output = io::Result<T>> + 'a {
        poll_fn(move |cx| {
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
    }
}

impl<S: Source> Drop for Registered<S> {
    fn drop(&mut self) {
        self.reactor
            .borrow_mut()
            .deregister(&mut self.io, self.token);
    }
}

/// A TCP connection registered with the running runtime's reactor.
#[derive(Debug)]
pub struct TcpStream(Registered<mio::net::TcpStream>);

impl TcpStream {
    /// Connects to `addr`: start a non-blocking connect, then wait until the socket
    /// is writable, which is when the kernel knows how the connect went.
    pub async fn connect(addr: SocketAddr) -> io::Result<TcpStream> {
        let mut stream = TcpStream(Registered::new(mio::net::TcpStream::connect(addr)?)?);
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

    /// Runs `op` on the socket until it stops saying `WouldBlock`, waiting for the
    /// reactor in between: tokio's `TcpStream::async_io`. Whatever `op` borrows is
    /// held only while it runs, never across a wait, so many waiting tasks can
    /// share one read buffer (see the crawl).
    pub fn async_io<'a, T>(
        &'a mut self,
        op: impl FnMut(&mut mio::net::TcpStream) -> io::Result<T> + 'a,
    ) -> impl Future<Output = io::Result<T>> + 'a {
        self.0.async_io(op)
    }
}

/// A listening socket registered with the running runtime's reactor: the seeds'
/// server socket, whose `accept` a selector reports as a read event.
#[derive(Debug)]
pub struct TcpListener(Registered<mio::net::TcpListener>);

impl TcpListener {
    /// Takes over a bound std listener (the harness binds one for the server):
    /// switches it to non-blocking and registers it. tokio's `from_std` leaves the
    /// switch to the caller; here forgetting it would block the whole loop.
    pub fn from_std(listener: std::net::TcpListener) -> io::Result<Self> {
        listener.set_nonblocking(true)?;
        Registered::new(mio::net::TcpListener::from_std(listener)).map(Self)
    }

    /// The next connection, waiting until one comes; it comes registered too.
    /// Edge-triggered, so one event may stand for many connections: each call
    /// accepts straight away while the backlog holds one.
    pub async fn accept(&mut self) -> io::Result<(TcpStream, SocketAddr)> {
        let (io, addr) = self.0.async_io(|l| l.accept()).await?;
        Ok((TcpStream(Registered::new(io)?), addr))
    }
}
