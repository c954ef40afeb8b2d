//! The socket as hyper sees it: the bytes the router already read, then the
//! stream, with a bound on how long a write may wait for a client that does not
//! read.

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio::time::{Instant, Sleep};

/// A connection handed to hyper after its first request head was read.
///
/// Reads give back `prefix` first, so hyper parses the request from its first
/// byte. Writes that make no progress for `write_timeout` fail with `TimedOut`,
/// which ends the connection: hyper itself never gives up on a client that stops
/// reading its response. Reads have no such bound on purpose: the connection is
/// silent while a page waits out its delay, and hyper bounds the reading of each
/// request head itself.
#[derive(Debug)]
pub(super) struct ServerIo {
    prefix: Vec<u8>,
    consumed: usize,
    stream: TcpStream,
    write_timeout: Duration,
    /// Fires `write_timeout` after the first write that had to wait; disarmed by
    /// any progress.
    stall: Pin<Box<Sleep>>,
    stalled: bool,
}

impl ServerIo {
    pub(super) fn new(prefix: Vec<u8>, stream: TcpStream, write_timeout: Duration) -> Self {
        Self {
            prefix,
            consumed: 0,
            stream,
            write_timeout,
            stall: Box::pin(tokio::time::sleep(write_timeout)),
            stalled: false,
        }
    }

    /// After a write-side call returned `poll`: disarm on progress; on a wait,
    /// arm the stall timer (once) and fail when it fires.
    fn watch<T>(&mut self, cx: &mut Context<'_>, poll: Poll<io::Result<T>>) -> Poll<io::Result<T>> {
        if poll.is_ready() {
            self.stalled = false;
            return poll;
        }
        if !self.stalled {
            self.stalled = true;
            let deadline = Instant::now() + self.write_timeout;
            self.stall.as_mut().reset(deadline);
        }
        match self.stall.as_mut().poll(cx) {
            Poll::Ready(()) => Poll::Ready(Err(io::Error::new(
                io::ErrorKind::TimedOut,
                "the client stopped reading its response",
            ))),
            Poll::Pending => Poll::Pending,
        }
    }
}

impl AsyncRead for ServerIo {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let left = &this.prefix[this.consumed..];
        if left.is_empty() {
            return Pin::new(&mut this.stream).poll_read(cx, buf);
        }
        let n = left.len().min(buf.remaining());
        buf.put_slice(&left[..n]);
        this.consumed += n;
        if this.consumed == this.prefix.len() {
            // Read once; give its memory back for the life of the connection.
            this.prefix = Vec::new();
            this.consumed = 0;
        }
        Poll::Ready(Ok(()))
    }
}

impl AsyncWrite for ServerIo {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let poll = Pin::new(&mut this.stream).poll_write(cx, buf);
        this.watch(cx, poll)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let poll = Pin::new(&mut this.stream).poll_write_vectored(cx, bufs);
        this.watch(cx, poll)
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let poll = Pin::new(&mut this.stream).poll_flush(cx);
        this.watch(cx, poll)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let poll = Pin::new(&mut this.stream).poll_shutdown(cx);
        this.watch(cx, poll)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    async fn pair() -> (TcpStream, TcpStream) {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let client = TcpStream::connect(listener.local_addr().unwrap());
        let (client, accepted) = tokio::join!(client, listener.accept());
        (client.unwrap(), accepted.unwrap().0)
    }

    #[tokio::test]
    async fn reads_the_prefix_then_the_stream() {
        let (mut client, server) = pair().await;
        let mut io = ServerIo::new(
            b"GET / HTTP/1.0\r\n".to_vec(),
            server,
            Duration::from_secs(5),
        );
        client.write_all(b"\r\n").await.unwrap();
        drop(client);
        let mut all = Vec::new();
        io.read_to_end(&mut all).await.unwrap();
        assert_eq!(all, b"GET / HTTP/1.0\r\n\r\n");
    }

    #[tokio::test]
    async fn a_write_to_a_client_that_does_not_read_times_out() {
        let (_client, server) = pair().await;
        let mut io = ServerIo::new(Vec::new(), server, Duration::from_millis(100));
        let chunk = vec![b'x'; 1 << 20];
        // The socket buffers fill, then the write waits, then it gives up.
        let err = loop {
            if let Err(e) = io.write_all(&chunk).await {
                break e;
            }
        };
        assert_eq!(err.kind(), io::ErrorKind::TimedOut);
    }
}
