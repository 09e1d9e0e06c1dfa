//! Faults to inject between a function and AWS.
//!
//! - [`HungEndpoint`]: a loopback port that accepts TCP connections and never answers — the
//!   worst kind of broken endpoint (a stopped process behaves so: the kernel still accepts into
//!   the listen backlog), which only timeouts on the client's side can cut.
//! - [`FreezingProxy`]: an HTTP proxy in front of the AWS emulator that forwards everything until
//!   a given number of requests of one operation (say DynamoDB `PutItem`) went through, then
//!   answers nothing at all — as if the emulator had been stopped at that exact point, which a
//!   signal cannot do deterministically — until [`FreezingProxy::thaw`] lets requests through
//!   again, on the same emulator, so its state is kept for a rerun.
//!
//! Both run on their own threads and stop when dropped.

use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};

use crate::ses_proxy::Server;

/// A port that accepts connections and never answers; counts the connections.
#[derive(Debug)]
pub struct HungEndpoint {
    addr: SocketAddr,
    accepted: Arc<AtomicUsize>,
    stop: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl HungEndpoint {
    /// Starts listening on a free loopback port.
    ///
    /// # Panics
    /// When no port can be bound.
    pub fn start() -> Self {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).expect("bind a loopback port");
        listener.set_nonblocking(true).expect("non-blocking listener");
        let addr = listener.local_addr().expect("local address");
        let accepted = Arc::new(AtomicUsize::new(0));
        let stop = Arc::new(AtomicBool::new(false));
        let (count, stopping) = (accepted.clone(), stop.clone());
        let thread = std::thread::Builder::new()
            .name("hung-endpoint".into())
            .spawn(move || {
                // Held open (never read, never written) until the endpoint is dropped.
                let mut held: Vec<TcpStream> = Vec::new();
                while !stopping.load(Ordering::Relaxed) {
                    match listener.accept() {
                        Ok((s, _)) => {
                            count.fetch_add(1, Ordering::Relaxed);
                            held.push(s);
                        }
                        Err(_) => std::thread::sleep(Duration::from_millis(20)),
                    }
                }
            })
            .expect("hung-endpoint thread");
        Self { addr, accepted, stop, thread: Some(thread) }
    }

    /// `http://127.0.0.1:<port>`.
    pub fn endpoint_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Connections accepted so far (each SDK attempt opens one: the hung ones are not reused).
    pub fn accepted(&self) -> usize {
        self.accepted.load(Ordering::Relaxed)
    }
}

impl Drop for HungEndpoint {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

struct FreezeState {
    upstream: String,
    client: reqwest::Client,
    /// The operation counted (`x-amz-target`, e.g. `DynamoDB_20120810.PutItem`).
    operation: String,
    /// How many of those go through before the freeze.
    allowed: usize,
    seen: AtomicUsize,
    frozen: AtomicBool,
    thawed: tokio::sync::watch::Sender<bool>,
    held: AtomicUsize,
    log: Mutex<Vec<String>>,
}

/// A proxy that freezes after `allowed` requests of one operation (see the module doc).
pub struct FreezingProxy {
    addr: SocketAddr,
    state: Arc<FreezeState>,
    server: Option<Server>,
}

impl std::fmt::Debug for FreezingProxy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FreezingProxy")
            .field("addr", &self.addr)
            .field("operation", &self.state.operation)
            .field("allowed", &self.state.allowed)
            .finish()
    }
}

impl FreezingProxy {
    /// Starts the proxy on a free loopback port in front of `upstream` (`http://host:port`): the
    /// first `allowed` requests whose `x-amz-target` is `operation` are forwarded, and so is
    /// everything before the next one; from that one on, no request gets an answer until
    /// [`FreezingProxy::thaw`].
    ///
    /// # Panics
    /// When no port can be bound or the runtime cannot be built.
    pub fn start(upstream: &str, operation: &str, allowed: usize) -> Self {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).expect("bind a loopback port");
        listener.set_nonblocking(true).expect("non-blocking listener");
        let addr = listener.local_addr().expect("local address");
        let state = Arc::new(FreezeState {
            upstream: upstream.trim_end_matches('/').to_string(),
            client: reqwest::Client::builder().no_proxy().build().expect("HTTP client"),
            operation: operation.to_string(),
            allowed,
            seen: AtomicUsize::new(0),
            frozen: AtomicBool::new(false),
            thawed: tokio::sync::watch::channel(false).0,
            held: AtomicUsize::new(0),
            log: Mutex::new(Vec::new()),
        });
        let server = Server::start(
            "freezing-proxy",
            listener,
            Router::new().fallback(handle).with_state(state.clone()),
        );
        Self { addr, state, server: Some(server) }
    }

    /// `http://127.0.0.1:<port>`: the value for `AWS_ENDPOINT_URL`.
    pub fn endpoint_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Whether it froze (and stays so after a thaw).
    pub fn is_frozen(&self) -> bool {
        self.state.frozen.load(Ordering::SeqCst)
    }

    /// Requests left without an answer so far.
    pub fn held(&self) -> usize {
        self.state.held.load(Ordering::SeqCst)
    }

    /// Every request so far, `<x-amz-target or method path> <forwarded|held>`, in arrival order.
    pub fn log(&self) -> Vec<String> {
        self.state.log.lock().expect("not poisoned").clone()
    }

    /// Lets requests through again. The held ones are answered `503` without being forwarded
    /// (their clients gave up long ago), so exactly `allowed` of the operation reached the
    /// emulator.
    pub fn thaw(&self) {
        self.state.thawed.send_replace(true);
    }
}

impl Drop for FreezingProxy {
    fn drop(&mut self) {
        // Held requests first, then the server (which waits for its thread).
        self.state.thawed.send_replace(true);
        drop(self.server.take());
    }
}

async fn handle(
    State(st): State<Arc<FreezeState>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let path = uri.path_and_query().map_or("/", |p| p.as_str()).to_string();
    let target = headers.get("x-amz-target").and_then(|v| v.to_str().ok()).map(str::to_string);
    let what = target.clone().unwrap_or_else(|| format!("{method} {path}"));
    let thawed = *st.thawed.borrow();
    if !thawed {
        if target.as_deref() == Some(st.operation.as_str())
            && st.seen.fetch_add(1, Ordering::SeqCst) >= st.allowed
        {
            st.frozen.store(true, Ordering::SeqCst);
        }
        if st.frozen.load(Ordering::SeqCst) {
            st.held.fetch_add(1, Ordering::SeqCst);
            st.log.lock().expect("not poisoned").push(format!("{what} held"));
            let mut rx = st.thawed.subscribe();
            let _ = rx.wait_for(|t| *t).await;
            return (StatusCode::SERVICE_UNAVAILABLE, "freezing proxy: held while frozen").into_response();
        }
    }
    st.log.lock().expect("not poisoned").push(format!("{what} forwarded"));
    match crate::ses_proxy::forward(&st.client, &st.upstream, method, &path, &headers, body).await {
        Ok(resp) => resp,
        Err(e) => (StatusCode::BAD_GATEWAY, format!("freezing proxy: upstream {}: {e}", st.upstream))
            .into_response(),
    }
}
