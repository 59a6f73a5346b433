//! The provider's HTTP servers: the public one (outputs by result root, with range requests, and health) and
//! the operator's (health and metrics), on its own address.
//!
//! - `GET /outputs/<root hex>` (public): the output whose blake3 hash is `root`; `Range: bytes=a-b` (one range)
//!   gets `206 Partial Content`, an unsatisfiable range `416`. `HEAD` gives the length.
//! - `GET /health` (both): `200 ok` while the daemon runs with a live executor thread, `503` otherwise.
//! - `GET /metrics` (operator's): Prometheus text format.
//!
//! Anyone can connect to the public server, so it holds no socket for free: a client gets
//! [`ServerLimits::header_timeout`] to send each request's headers (which also closes idle keep-alive
//! connections), a connection lives at most [`ServerLimits::max_connection_time`], and connections past
//! [`ServerLimits::max_connections`] in all or [`ServerLimits::max_per_ip`] from one address are closed at
//! once (counted in `gpu_worker_http_connections_refused_total`), so a flood cannot exhaust the process's file
//! descriptors.

use std::collections::HashMap;
use std::convert::Infallible;
use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use futures::TryStreamExt;
use http_body_util::{combinators::BoxBody, BodyExt, Full, StreamBody};
use hyper::body::Frame;
use hyper::header::{HeaderValue, ACCEPT_RANGES, CONTENT_LENGTH, CONTENT_RANGE, CONTENT_TYPE, RANGE};
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::{TokioIo, TokioTimer};
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
    /// Whether the executor thread runs: `/health` fails when it does not.
    pub executor_alive: Arc<AtomicBool>,
}

/// Which routes a server answers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Routes {
    /// Outputs and health: for everyone.
    Public,
    /// Health and metrics: for the operator.
    Operator,
}

/// What one server lets its clients hold.
#[derive(Clone, Copy, Debug)]
pub struct ServerLimits {
    /// Connections open at once.
    pub max_connections: usize,
    /// Connections open at once from one IP address.
    pub max_per_ip: usize,
    /// Time to send a request's headers, and the most a keep-alive connection stays idle.
    pub header_timeout: Duration,
    /// The longest a connection lives (a slow reader of a large output included).
    pub max_connection_time: Duration,
}

impl Default for ServerLimits {
    fn default() -> Self {
        ServerLimits {
            max_connections: 256,
            max_per_ip: 16,
            header_timeout: Duration::from_secs(10),
            max_connection_time: Duration::from_secs(15 * 60),
        }
    }
}

/// The connections a server holds, in all and per address; a [`Slot`] gives its place back when dropped.
#[derive(Debug, Default)]
struct Connections {
    per_ip: Mutex<HashMap<IpAddr, usize>>,
}

/// One admitted connection.
struct Slot {
    connections: Arc<Connections>,
    ip: IpAddr,
    metrics: Metrics,
}

impl Connections {
    /// A slot for a connection from `ip`, unless a cap is reached.
    fn admit(self: &Arc<Self>, ip: IpAddr, limits: &ServerLimits, metrics: &Metrics) -> Option<Slot> {
        let mut per_ip = self.per_ip.lock().unwrap_or_else(|p| p.into_inner());
        let total: usize = per_ip.values().sum();
        let from_ip = per_ip.get(&ip).copied().unwrap_or(0);
        if total >= limits.max_connections || from_ip >= limits.max_per_ip {
            return None;
        }
        *per_ip.entry(ip).or_default() += 1;
        metrics.http_connections.inc();
        Some(Slot { connections: self.clone(), ip, metrics: metrics.clone() })
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        let mut per_ip = self.connections.per_ip.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(count) = per_ip.get_mut(&self.ip) {
            *count -= 1;
            if *count == 0 {
                per_ip.remove(&self.ip);
            }
        }
        self.metrics.http_connections.dec();
    }
}

/// Binds `addr` and serves `routes` under `limits` until the task is dropped; returns the bound address
/// (port 0 picks one).
pub async fn serve(
    addr: SocketAddr,
    state: ServerState,
    routes: Routes,
    limits: ServerLimits,
) -> std::io::Result<(SocketAddr, tokio::task::JoinHandle<()>)> {
    let listener = TcpListener::bind(addr).await?;
    let bound = listener.local_addr()?;
    let connections = Arc::new(Connections::default());
    let task = tokio::spawn(async move {
        loop {
            let (stream, peer) = match listener.accept().await {
                Ok(conn) => conn,
                Err(e) => {
                    // Out of descriptors, most likely: wait for connections to end rather than spin.
                    log::warn!("HTTP server on {bound}: accept failed: {e}");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            };
            let Some(slot) = connections.admit(peer.ip(), &limits, &state.metrics) else {
                state.metrics.http_refused.inc();
                drop(stream);
                continue;
            };
            let state = state.clone();
            tokio::spawn(async move {
                let _slot = slot;
                let service = hyper::service::service_fn(move |req| {
                    let state = state.clone();
                    async move { Ok::<_, Infallible>(handle(&state, routes, req).await) }
                });
                let connection = hyper::server::conn::http1::Builder::new()
                    .timer(TokioTimer::new())
                    .header_read_timeout(limits.header_timeout)
                    .serve_connection(TokioIo::new(stream), service);
                match tokio::time::timeout(limits.max_connection_time, connection).await {
                    Ok(Ok(())) => {}
                    Ok(Err(e)) => log::debug!("HTTP server: connection from {peer} ended: {e}"),
                    Err(_) => log::debug!("HTTP server: connection from {peer} closed after its time limit"),
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

async fn handle(state: &ServerState, routes: Routes, req: Request<hyper::body::Incoming>) -> Response<Body> {
    let head = req.method() == Method::HEAD;
    if req.method() != Method::GET && !head {
        return full(StatusCode::METHOD_NOT_ALLOWED, "text/plain", "only GET and HEAD\n");
    }
    let path = req.uri().path();
    match (routes, path) {
        (_, "/health") if state.executor_alive.load(Ordering::SeqCst) => {
            full(StatusCode::OK, "text/plain", "ok\n")
        }
        (_, "/health") => {
            full(StatusCode::SERVICE_UNAVAILABLE, "text/plain", "the GPU executor is not running\n")
        }
        (Routes::Operator, "/metrics") => {
            full(StatusCode::OK, "text/plain; version=0.0.4", state.metrics.render())
        }
        (Routes::Operator, _) => full(StatusCode::NOT_FOUND, "text/plain", "not found\n"),
        (Routes::Public, _) => match path.strip_prefix("/outputs/") {
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
    let Some(stored) = state.store.get_public(&ResultRoot(root)) else {
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
        store.publish(&root);
        let executor_alive = Arc::new(AtomicBool::new(true));
        let state =
            ServerState { store, metrics: Metrics::new().unwrap(), executor_alive: executor_alive.clone() };
        let any = "127.0.0.1:0".parse().unwrap();
        let (addr, _task) = serve(any, state.clone(), Routes::Public, ServerLimits::default()).await.unwrap();
        let (ops, _ops) = serve(any, state, Routes::Operator, ServerLimits::default()).await.unwrap();
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
            let metrics = ureq::get(&format!("http://{ops}/metrics")).call().unwrap().into_string().unwrap();
            let public_metrics = ureq::get(&format!("http://{addr}/metrics")).call();
            let ops_output = ureq::get(&format!("http://{ops}/outputs/{}", hex::encode(root.0))).call();
            assert!(
                public_metrics.is_err() && ops_output.is_err(),
                "each server answers its own routes only"
            );
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

    /// Opens `n` connections to `addr` that send `prefix` and then nothing.
    fn stalled(addr: SocketAddr, n: usize, prefix: &[u8]) -> Vec<std::net::TcpStream> {
        (0..n)
            .map(|_| {
                let mut stream = std::net::TcpStream::connect(addr).unwrap();
                std::io::Write::write_all(&mut stream, prefix).unwrap();
                stream
            })
            .collect()
    }

    /// Whether the server closed `stream` (a read returns end of file or an error) within `wait`.
    fn closed_within(stream: &mut std::net::TcpStream, wait: Duration) -> bool {
        stream.set_read_timeout(Some(wait)).unwrap();
        let mut byte = [0u8; 1];
        match std::io::Read::read(stream, &mut byte) {
            Ok(0) => true,
            Ok(_) => false,
            Err(e) => !matches!(e.kind(), std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut),
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn slow_headers_and_floods_hold_no_sockets_and_health_answers_throughout() {
        let dir = tempfile::tempdir().unwrap();
        let store = Arc::new(OutputStore::open(dir.path(), 1 << 20).unwrap());
        let output = vec![7u8; 100];
        let root = compute_primitives::result_root(&output);
        store.put(&root, &output).unwrap();
        store.publish(&root);
        let metrics = Metrics::new().unwrap();
        let state =
            ServerState { store, metrics: metrics.clone(), executor_alive: Arc::new(AtomicBool::new(true)) };
        let limits = ServerLimits {
            max_connections: 40,
            max_per_ip: 20,
            header_timeout: Duration::from_millis(1500),
            max_connection_time: Duration::from_secs(30),
        };
        let any = "127.0.0.1:0".parse().unwrap();
        let (public, _public) = serve(any, state.clone(), Routes::Public, limits).await.unwrap();
        let (ops, _ops) = serve(any, state, Routes::Operator, ServerLimits::default()).await.unwrap();
        let url = format!("http://{public}/outputs/{}", hex::encode(root.0));
        let report = tokio::task::spawn_blocking(move || {
            let health = || ureq::get(&format!("http://{ops}/health")).call().map(|r| r.status()).ok();
            // A flood of idle sockets and of half-sent headers, well past the per-address cap.
            let mut idle = stalled(public, 30, b"");
            let mut slow = stalled(public, 30, b"GET /outputs/");
            assert_eq!(health(), Some(200), "the operator's server answers during the flood");
            std::thread::sleep(Duration::from_millis(100));
            let held = metrics.http_connections.get();
            let refused = metrics.http_refused.get();
            // Past the cap, a connection is closed at once; the admitted ones when their headers are late.
            let closed_at_once = idle
                .iter_mut()
                .chain(slow.iter_mut())
                .map(|s| closed_within(s, Duration::from_millis(1)))
                .filter(|closed| *closed)
                .count();
            let start = std::time::Instant::now();
            let all_closed =
                idle.iter_mut().chain(slow.iter_mut()).all(|s| closed_within(s, Duration::from_secs(5)));
            let reaped_after = start.elapsed();
            assert_eq!(health(), Some(200));
            let served = ureq::get(&url).call().map(|r| r.status()).ok();
            (held, refused, closed_at_once, all_closed, reaped_after, served, metrics.http_connections.get())
        })
        .await
        .unwrap();
        let (held, refused, closed_at_once, all_closed, reaped_after, served, held_after) = report;
        assert_eq!(held, 20, "one address holds at most max_per_ip sockets");
        assert_eq!(refused, 40);
        assert_eq!(closed_at_once, 40, "the refused ones are closed at once");
        assert!(all_closed, "late headers close the admitted ones");
        assert!(reaped_after < Duration::from_secs(4), "{reaped_after:?}");
        assert_eq!(served, Some(200), "the server serves again once the flood is reaped");
        assert!(held_after <= 1, "{held_after}");
    }
}
