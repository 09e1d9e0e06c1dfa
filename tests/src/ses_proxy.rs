//! A small recording HTTP proxy for SESv2, standing in for the parts of SES the AWS emulator
//! lacks.
//!
//! ministack has SESv2 configuration sets, their sending options and tags, and SendEmail, but no
//! account suppression list (`PutSuppressedDestination` answers 404). A binary pointed at this
//! proxy with the SDK's service-specific endpoint variable (`AWS_ENDPOINT_URL_SESV2`, which
//! `aws_config::load_defaults` honours, while `AWS_ENDPOINT_URL` keeps every other service on the
//! emulator) gets:
//! - `PUT /v2/email/suppression/addresses` answered here, `200 {}` as SES answers it, with the
//!   request body recorded;
//! - every other request forwarded unchanged to the emulator, and its answer passed back.
//!
//! Every request is recorded (method, path, body, status, and whether it was answered here), so
//! a test can also assert that the binary really sent its SESv2 calls here.
//!
//! The proxy runs on its own thread and Tokio runtime, so it serves whatever runtime flavour the
//! test uses; it stops when dropped.

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use serde_json::Value;

/// The path of SESv2 `PutSuppressedDestination`.
pub const SUPPRESSION_PATH: &str = "/v2/email/suppression/addresses";

/// One request the proxy received.
#[derive(Debug, Clone, PartialEq)]
pub struct ProxiedRequest {
    /// HTTP method.
    pub method: String,
    /// Path and query.
    pub path: String,
    /// The body as JSON (`Value::Null` when empty; a string when it is not JSON).
    pub body: Value,
    /// The status answered.
    pub status: u16,
    /// Answered by the proxy itself (not forwarded).
    pub answered_here: bool,
}

/// Called with the running count (from 1) before each suppression call is answered.
type Hook = Box<dyn Fn(usize) + Send + Sync>;

struct ProxyState {
    upstream: String,
    client: reqwest::Client,
    log: Mutex<Vec<ProxiedRequest>>,
    suppressions: Mutex<usize>,
    hook: Option<Hook>,
}

/// The running proxy; stops when dropped.
pub struct SesProxy {
    addr: SocketAddr,
    state: Arc<ProxyState>,
    /// Stops the server when the proxy is dropped.
    _server: Server,
}

/// An axum app served on its own thread and current-thread Tokio runtime (so it serves whatever
/// runtime flavour the test uses); stops when dropped.
pub(crate) struct Server {
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Server {
    /// Serves `app` on `listener` (bound, non-blocking) on a thread named `name`.
    pub(crate) fn start(name: &str, listener: std::net::TcpListener, app: Router) -> Self {
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let thread = std::thread::Builder::new()
            .name(name.into())
            .spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .expect("proxy runtime");
                rt.block_on(async move {
                    let listener = tokio::net::TcpListener::from_std(listener).expect("tokio listener");
                    tokio::select! {
                        r = axum::serve(listener, app) => r.expect("proxy server"),
                        _ = stopped => {}
                    }
                });
            })
            .expect("proxy thread");
        Self { stop: Some(stop), thread: Some(thread) }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl std::fmt::Debug for SesProxy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SesProxy").field("addr", &self.addr).field("upstream", &self.state.upstream).finish()
    }
}

impl SesProxy {
    /// Starts the proxy on a free loopback port, forwarding to `upstream` (`http://host:port`).
    ///
    /// # Panics
    /// When no port can be bound or the runtime cannot be built.
    pub fn start(upstream: &str) -> Self {
        Self::start_inner(upstream, None)
    }

    /// [`SesProxy::start`], calling `hook(n)` before answering the n-th suppression call (from 1):
    /// a fault-injection test stops the AWS emulator there, in the middle of a function's run.
    /// The hook blocks that answer (and the proxy) while it runs.
    pub fn start_with_hook(upstream: &str, hook: impl Fn(usize) + Send + Sync + 'static) -> Self {
        Self::start_inner(upstream, Some(Box::new(hook)))
    }

    fn start_inner(upstream: &str, hook: Option<Hook>) -> Self {
        let listener = std::net::TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).expect("bind a loopback port");
        listener.set_nonblocking(true).expect("non-blocking listener");
        let addr = listener.local_addr().expect("local address");
        let state = Arc::new(ProxyState {
            upstream: upstream.trim_end_matches('/').to_string(),
            client: reqwest::Client::builder().no_proxy().build().expect("HTTP client"),
            log: Mutex::new(Vec::new()),
            suppressions: Mutex::new(0),
            hook,
        });
        let server =
            Server::start("ses-proxy", listener, Router::new().fallback(handle).with_state(state.clone()));
        Self { addr, state, _server: server }
    }

    /// `http://127.0.0.1:<port>`: the value for `AWS_ENDPOINT_URL_SESV2`.
    pub fn endpoint_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Every request so far, in arrival order.
    pub fn requests(&self) -> Vec<ProxiedRequest> {
        self.state.log.lock().expect("not poisoned").clone()
    }

    /// The bodies of the `PutSuppressedDestination` requests (`{"EmailAddress", "Reason"}`).
    pub fn suppressions(&self) -> Vec<Value> {
        self.requests()
            .into_iter()
            .filter(|r| r.method == "PUT" && r.path == SUPPRESSION_PATH)
            .map(|r| r.body)
            .collect()
    }
}

fn json_body(body: &[u8]) -> Value {
    if body.is_empty() {
        return Value::Null;
    }
    serde_json::from_slice(body).unwrap_or_else(|_| Value::String(String::from_utf8_lossy(body).into()))
}

/// Hop-by-hop headers and the ones the HTTP stacks set themselves.
fn passes(name: &header::HeaderName) -> bool {
    ![header::HOST, header::CONTENT_LENGTH, header::CONNECTION, header::TRANSFER_ENCODING].contains(name)
}

async fn handle(
    State(st): State<Arc<ProxyState>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let path = uri.path_and_query().map_or("/", |p| p.as_str()).to_string();
    let record = |status: u16, answered_here: bool| {
        st.log.lock().expect("not poisoned").push(ProxiedRequest {
            method: method.to_string(),
            path: path.clone(),
            body: json_body(&body),
            status,
            answered_here,
        });
    };
    if method == Method::PUT && uri.path() == SUPPRESSION_PATH {
        let n = {
            let mut n = st.suppressions.lock().expect("not poisoned");
            *n += 1;
            *n
        };
        if let Some(hook) = &st.hook {
            hook(n);
        }
        record(200, true);
        let mut h = HeaderMap::new();
        h.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
        h.insert("x-amzn-requestid", HeaderValue::from_static("5e5c0f2a-0000-4000-8000-5e5c0f2a0000"));
        return (StatusCode::OK, h, "{}").into_response();
    }
    match forward(&st.client, &st.upstream, method.clone(), &path, &headers, body.clone()).await {
        Ok(resp) => {
            record(resp.status().as_u16(), false);
            resp
        }
        Err(e) => {
            record(502, true);
            (StatusCode::BAD_GATEWAY, format!("ses proxy: upstream {}: {e}", st.upstream)).into_response()
        }
    }
}

/// Sends a request on to `upstream` (`http://host:port`) as it came, and turns the answer into
/// the proxy's response (hop-by-hop headers left to the HTTP stacks).
pub(crate) async fn forward(
    client: &reqwest::Client,
    upstream: &str,
    method: Method,
    path: &str,
    headers: &HeaderMap,
    body: Bytes,
) -> Result<Response, reqwest::Error> {
    let mut req = client.request(method, format!("{upstream}{path}")).body(body);
    for (k, v) in headers {
        if passes(k) {
            req = req.header(k, v);
        }
    }
    let resp = req.send().await?;
    let status = resp.status();
    let mut h = HeaderMap::new();
    for (k, v) in resp.headers() {
        if passes(k) {
            h.append(k, v.clone());
        }
    }
    let bytes = resp.bytes().await.unwrap_or_default();
    Ok((status, h, bytes).into_response())
}
