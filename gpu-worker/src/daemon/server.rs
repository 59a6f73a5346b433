//! The provider's HTTP server: outputs by result root (with range requests), health and metrics.
//!
//! - `GET /outputs/<root hex>`: the output whose blake3 hash is `root`; `Range: bytes=a-b` (one range) gets
//!   `206 Partial Content`, an unsatisfiable range `416`. `HEAD` gives the length.
//! - `GET /health`: `200 ok` while the daemon runs.
//! - `GET /metrics`: Prometheus text format.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;

use bytes::Bytes;
use futures::TryStreamExt;
use http_body_util::{combinators::BoxBody, BodyExt, Full, StreamBody};
use hyper::body::Frame;
use hyper::header::{HeaderValue, ACCEPT_RANGES, CONTENT_LENGTH, CONTENT_RANGE, CONTENT_TYPE, RANGE};
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use tokio::io::{AsyncReadExt, AsyncSeekExt};
use tokio::net::TcpListener;

use super::metrics::Metrics;
use super::store::{parse_root, OutputStore};
use compute_primitives::ResultRoot;

type Body = BoxBody<Bytes, std::io::Error>;

/// What the server serves.
#[derive(Clone, Debug)]
pub struct ServerState {
    /// The outputs.
    pub store: Arc<OutputStore>,
    /// The metrics.
    pub metrics: Metrics,
}

/// Binds `addr` and serves until the task is dropped; returns the bound address (port 0 picks one).
pub async fn serve(
    addr: SocketAddr,
    state: ServerState,
) -> std::io::Result<(SocketAddr, tokio::task::JoinHandle<()>)> {
    let listener = TcpListener::bind(addr).await?;
    let bound = listener.local_addr()?;
    let task = tokio::spawn(async move {
        loop {
            let (stream, _) = match listener.accept().await {
                Ok(conn) => conn,
                Err(e) => {
                    log::warn!("output server: accept failed: {e}");
                    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
                    continue;
                }
            };
            let state = state.clone();
            tokio::spawn(async move {
                let service = hyper::service::service_fn(move |req| {
                    let state = state.clone();
                    async move { Ok::<_, Infallible>(handle(&state, req).await) }
                });
                if let Err(e) = hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service)
                    .await
                {
                    log::debug!("output server: connection ended: {e}");
                }
            });
        }
    });
    Ok((bound, task))
}

fn full(status: StatusCode, content_type: &'static str, body: impl Into<Bytes>) -> Response<Body> {
    let mut response = Response::new(Full::new(body.into()).map_err(|never| match never {}).boxed());
    *response.status_mut() = status;
    response.headers_mut().insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
    response
}

async fn handle(state: &ServerState, req: Request<hyper::body::Incoming>) -> Response<Body> {
    let head = req.method() == Method::HEAD;
    if req.method() != Method::GET && !head {
        return full(StatusCode::METHOD_NOT_ALLOWED, "text/plain", "only GET and HEAD\n");
    }
    let path = req.uri().path();
    match path {
        "/health" => full(StatusCode::OK, "text/plain", "ok\n"),
        "/metrics" => full(StatusCode::OK, "text/plain; version=0.0.4", state.metrics.render()),
        _ => match path.strip_prefix("/outputs/") {
            Some(hex_root) => {
                let range = req.headers().get(RANGE).and_then(|v| v.to_str().ok()).map(str::to_owned);
                output(state, hex_root, range.as_deref(), head).await
            }
            None => full(StatusCode::NOT_FOUND, "text/plain", "not found\n"),
        },
    }
}

/// A `Range` header that cannot be served: malformed, several ranges, or outside the body.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BadRange;

/// A single byte range `[start, end]` (inclusive) of a `len`-byte body, from a `Range` header; `Ok(None)`
/// without a header.
pub fn parse_range(header: Option<&str>, len: u64) -> Result<Option<(u64, u64)>, BadRange> {
    let Some(header) = header else { return Ok(None) };
    let spec = header.trim().strip_prefix("bytes=").ok_or(BadRange)?;
    if spec.contains(',') {
        return Err(BadRange); // one range only
    }
    let (start, end) = spec.split_once('-').ok_or(BadRange)?;
    let number = |s: &str| s.parse::<u64>().map_err(|_| BadRange);
    let (start, end) = match (start.trim(), end.trim()) {
        ("", suffix) => {
            let n = number(suffix)?;
            if n == 0 || len == 0 {
                return Err(BadRange);
            }
            (len.saturating_sub(n), len - 1)
        }
        (start, "") => (number(start)?, len.saturating_sub(1)),
        (start, end) => (number(start)?, number(end)?.min(len.saturating_sub(1))),
    };
    if start >= len || start > end {
        return Err(BadRange);
    }
    Ok(Some((start, end)))
}

async fn output(state: &ServerState, hex_root: &str, range: Option<&str>, head: bool) -> Response<Body> {
    let Some(root) = parse_root(hex_root) else {
        return full(StatusCode::BAD_REQUEST, "text/plain", "a result root is 64 hex digits\n");
    };
    let Some(stored) = state.store.get(&ResultRoot(root)) else {
        return full(StatusCode::NOT_FOUND, "text/plain", "no such output here\n");
    };
    let (status, start, end) = match parse_range(range, stored.len) {
        Ok(None) => (StatusCode::OK, 0, stored.len.saturating_sub(1)),
        Ok(Some((s, e))) => (StatusCode::PARTIAL_CONTENT, s, e),
        Err(BadRange) => {
            let mut response = full(StatusCode::RANGE_NOT_SATISFIABLE, "text/plain", "bad range\n");
            if let Ok(v) = HeaderValue::from_str(&format!("bytes */{}", stored.len)) {
                response.headers_mut().insert(CONTENT_RANGE, v);
            }
            return response;
        }
    };
    let count = if stored.len == 0 { 0 } else { end - start + 1 };
    let body: Body = if head || count == 0 {
        Full::new(Bytes::new()).map_err(|never| match never {}).boxed()
    } else {
        let mut file = match tokio::fs::File::open(&stored.path).await {
            Ok(f) => f,
            // Evicted between the lookup and the open.
            Err(_) => return full(StatusCode::NOT_FOUND, "text/plain", "no such output here\n"),
        };
        if let Err(e) = file.seek(std::io::SeekFrom::Start(start)).await {
            return full(StatusCode::INTERNAL_SERVER_ERROR, "text/plain", format!("{e}\n"));
        }
        let stream = tokio_util::io::ReaderStream::new(file.take(count)).map_ok(Frame::data);
        BodyExt::boxed(StreamBody::new(stream))
    };
    state.metrics.outputs_served.inc();
    let mut response = Response::new(body);
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/octet-stream"));
    headers.insert(ACCEPT_RANGES, HeaderValue::from_static("bytes"));
    headers.insert(CONTENT_LENGTH, HeaderValue::from(count));
    if status == StatusCode::PARTIAL_CONTENT {
        if let Ok(v) = HeaderValue::from_str(&format!("bytes {start}-{end}/{}", stored.len)) {
            headers.insert(CONTENT_RANGE, v);
        }
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges() {
        assert_eq!(parse_range(None, 10), Ok(None));
        assert_eq!(parse_range(Some("bytes=0-3"), 10), Ok(Some((0, 3))));
        assert_eq!(parse_range(Some("bytes=4-"), 10), Ok(Some((4, 9))));
        assert_eq!(parse_range(Some("bytes=-3"), 10), Ok(Some((7, 9))));
        assert_eq!(parse_range(Some("bytes=5-100"), 10), Ok(Some((5, 9))));
        for bad in ["bytes=10-", "bytes=5-4", "bytes=-0", "items=0-1", "bytes=0-1,3-4", "bytes=x-1"] {
            assert_eq!(parse_range(Some(bad), 10), Err(BadRange), "{bad}");
        }
    }

    #[tokio::test]
    async fn serves_outputs_with_ranges() {
        let dir = tempfile::tempdir().unwrap();
        let store = Arc::new(OutputStore::open(dir.path(), 1 << 20).unwrap());
        let output: Vec<u8> = (0..=255u8).cycle().take(5000).collect();
        let root = compute_primitives::result_root(&output);
        store.put(&root, &output).unwrap();
        let state = ServerState { store, metrics: Metrics::new().unwrap() };
        let (addr, _task) = serve("127.0.0.1:0".parse().unwrap(), state).await.unwrap();
        let url = format!("http://{addr}/outputs/{}", hex::encode(root.0));
        let got = tokio::task::spawn_blocking(move || {
            let whole = ureq::get(&url).call().unwrap();
            assert_eq!(whole.status(), 200);
            let mut body = Vec::new();
            std::io::Read::read_to_end(&mut whole.into_reader(), &mut body).unwrap();
            let part = ureq::get(&url).set("Range", "bytes=100-199").call().unwrap();
            assert_eq!(part.status(), 206);
            assert_eq!(part.header("Content-Range"), Some("bytes 100-199/5000"));
            let mut part_body = Vec::new();
            std::io::Read::read_to_end(&mut part.into_reader(), &mut part_body).unwrap();
            let missing = ureq::get(&format!("http://{addr}/outputs/{}", "00".repeat(32))).call();
            let bad_range = ureq::get(&url).set("Range", "bytes=9000-").call();
            let metrics = ureq::get(&format!("http://{addr}/metrics")).call().unwrap().into_string().unwrap();
            (
                body,
                part_body,
                missing.err().map(|e| e.into_response().map(|r| r.status())),
                bad_range.is_err(),
                metrics,
            )
        })
        .await
        .unwrap();
        assert_eq!(got.0, output);
        assert_eq!(got.1, output[100..200]);
        assert_eq!(got.2, Some(Some(404)));
        assert!(got.3, "an unsatisfiable range is refused");
        assert!(got.4.contains("gpu_worker_outputs_served_total 2"), "{}", got.4);
    }
}
