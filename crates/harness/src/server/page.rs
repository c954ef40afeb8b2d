//! The hyper service: pages, the seeds' plain paths, and the refusals.
//!
//! A page waits out its delay (not at all for a zero delay: even a zero sleep
//! waits for the timer's next millisecond tick), then streams its body in pieces
//! of [`PIECE_BYTES`] as hyper asks for them, so a 64 MiB page costs the server
//! one piece of memory, not 64 MiB.

use std::convert::Infallible;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use hyper::body::{Body, Frame, Incoming, SizeHint};
use hyper::header::{ALLOW, CONTENT_TYPE, HeaderValue};
use hyper::{Method, Request, Response, StatusCode};

use super::conn::State;
use crate::pages::{BodyGen, Route, Target};

/// Largest piece of a body generated at once.
pub(super) const PIECE_BYTES: usize = 16 * 1024;

/// A response body: a page generated as it is sent, or one line of text.
#[derive(Debug)]
pub(super) enum PageBody {
    Page(BodyGen),
    Text(Option<Bytes>),
}

impl Body for PageBody {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        let piece = match self.get_mut() {
            PageBody::Page(body) => body.next_piece(PIECE_BYTES).map(Bytes::from),
            PageBody::Text(text) => text.take(),
        };
        Poll::Ready(piece.map(|p| Ok(Frame::data(p))))
    }

    fn is_end_stream(&self) -> bool {
        match self {
            PageBody::Page(body) => body.remaining() == 0,
            PageBody::Text(text) => text.is_none(),
        }
    }

    fn size_hint(&self) -> SizeHint {
        // Exact, so hyper sends a Content-Length rather than chunking.
        SizeHint::with_exact(match self {
            PageBody::Page(body) => body.remaining() as u64,
            PageBody::Text(text) => text.as_ref().map_or(0, |t| t.len() as u64),
        })
    }
}

/// Answers one request that hyper parsed.
pub(super) async fn respond(
    req: Request<Incoming>,
    state: Arc<State>,
) -> Result<Response<PageBody>, Infallible> {
    let target = req.uri().path_and_query().map_or("/", |p| p.as_str());
    if state.config.verbose {
        eprintln!("{} {target}", req.method());
    }
    if req.method() != Method::GET && req.method() != Method::HEAD {
        let mut response = text(
            StatusCode::METHOD_NOT_ALLOWED,
            format!(
                "method {} is not served: ask with GET or HEAD",
                req.method()
            ),
        );
        response
            .headers_mut()
            .insert(ALLOW, HeaderValue::from_static("GET, HEAD"));
        return Ok(response);
    }
    let (i, delay, len) = match Target::parse(target) {
        Target::Route(Route::Page { i, delay_ms, bytes }) => (
            i,
            delay_ms.map_or(state.config.delay, Duration::from_millis),
            bytes.unwrap_or(state.config.body_bytes),
        ),
        Target::Plain { i } => (i, state.config.delay, state.config.body_bytes),
        Target::Route(Route::Fault { .. }) => {
            return Ok(text(
                StatusCode::BAD_REQUEST,
                "a fault path must be the first GET on its connection".into(),
            ));
        }
        Target::Bad(reason) => return Ok(text(StatusCode::BAD_REQUEST, reason.to_string())),
    };
    let in_flight = state.stats.enter();
    if !delay.is_zero() {
        tokio::time::sleep(delay).await;
    }
    in_flight.answered();
    let mut response = Response::new(PageBody::Page(BodyGen::new(i, len)));
    response
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("text/plain"));
    Ok(response)
}

/// A response whose body is `line` and a newline.
fn text(status: StatusCode, mut line: String) -> Response<PageBody> {
    line.push('\n');
    let mut response = Response::new(PageBody::Text(Some(Bytes::from(line))));
    *response.status_mut() = status;
    response
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("text/plain"));
    response
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pages::body;
    use http_body_util::BodyExt;

    #[tokio::test]
    async fn a_large_page_streams_in_bounded_pieces() {
        let len = 1_000_003;
        let mut page = PageBody::Page(BodyGen::new(9, len));
        assert_eq!(page.size_hint().exact(), Some(len as u64));
        let mut joined = Vec::new();
        while let Some(frame) = page.frame().await {
            let data = frame.unwrap().into_data().unwrap();
            assert!(data.len() <= PIECE_BYTES);
            joined.extend_from_slice(&data);
        }
        assert!(page.is_end_stream());
        assert_eq!(joined, body(9, len));
    }

    #[tokio::test]
    async fn a_text_body_is_one_line() {
        let response = text(StatusCode::BAD_REQUEST, "why".into());
        assert_eq!(response.status(), StatusCode::BAD_REQUEST);
        let all = response.into_body().collect().await.unwrap().to_bytes();
        assert_eq!(&all[..], b"why\n");
    }
}
