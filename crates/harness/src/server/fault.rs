//! The fault paths: each misbehaves at the byte level in the one way its name says,
//! on the raw socket, after the router has read the request head.
//!
//! Every fault but the stall is over within [`Limits::write_timeout`]; the stall
//! holds its connection until the client gives up, or [`MAX_STALL`] at most.

use std::io;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use super::Limits;
use crate::pages::{self, FAULT_BODY_BYTES, Fault, MAX_STALL, TRICKLE_BODY_BYTES, TRICKLE_GAP};

fn head(status: &str, content_length: usize) -> String {
    format!(
        "HTTP/1.0 {status}\r\nContent-Type: text/plain\r\nContent-Length: {content_length}\r\n\r\n"
    )
}

/// Commits `fault` on behalf of request `i`. The peer vanishing mid-fault is part
/// of the game, and a fault that overruns its bound is simply dropped: nothing to
/// report either way.
pub(super) async fn misbehave(stream: TcpStream, fault: Fault, i: u64, limits: &Limits) {
    let bound = match fault {
        Fault::Stall => MAX_STALL,
        // The trickle's own pace on top of the write bound.
        Fault::Trickle => limits.write_timeout + TRICKLE_GAP * TRICKLE_BODY_BYTES as u32,
        _ => limits.write_timeout,
    };
    let _ = tokio::time::timeout(bound, commit(stream, fault, i)).await;
}

async fn commit(mut stream: TcpStream, fault: Fault, i: u64) -> io::Result<()> {
    match fault {
        Fault::Reset => {
            let body = pages::body(i, FAULT_BODY_BYTES);
            stream
                .write_all(head("200 OK", body.len()).as_bytes())
                .await?;
            stream.write_all(&body[..body.len() / 2]).await?;
            stream.flush().await?;
            // Let the partial body reach the client before the RST overtakes it.
            tokio::time::sleep(Duration::from_millis(20)).await;
            // SO_LINGER with a zero timeout makes close() send RST instead of FIN.
            socket2::SockRef::from(&stream).set_linger(Some(Duration::ZERO))?;
            drop(stream);
        }
        Fault::Close => drop(stream),
        Fault::Garbage => {
            stream
                .write_all(b"\x00\x01\x02 this is not HTTP at all \xff\xfe\r\n\r\n")
                .await?;
            stream.shutdown().await?;
        }
        Fault::Status(code) => {
            let body = pages::body(i, FAULT_BODY_BYTES);
            stream
                .write_all(head(&format!("{code} Fault"), body.len()).as_bytes())
                .await?;
            stream.write_all(&body).await?;
            stream.shutdown().await?;
        }
        Fault::Stall => {
            // Never answer; wait for the client to give up and close.
            let mut buf = [0u8; 64];
            while stream.read(&mut buf).await? > 0 {}
        }
        Fault::Trickle => {
            let body = pages::body(i, TRICKLE_BODY_BYTES);
            stream
                .write_all(head("200 OK", body.len()).as_bytes())
                .await?;
            for byte in body {
                tokio::time::sleep(TRICKLE_GAP).await;
                stream.write_all(&[byte]).await?;
            }
            stream.shutdown().await?;
        }
        Fault::Short => {
            let body = pages::body(i, FAULT_BODY_BYTES);
            stream
                .write_all(head("200 OK", body.len()).as_bytes())
                .await?;
            stream.write_all(&body[..body.len() / 2]).await?;
            stream.shutdown().await?;
        }
    }
    Ok(())
}
