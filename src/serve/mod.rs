//! `newsdex serve`: the web front end. An axum server on its own tokio runtime answers a page
//! (HTML, CSS and JavaScript embedded in the binary, see [`assets`]) and a JSON API that mirrors
//! the command line ([`api`]). The engine's calls are blocking (tantivy), so each runs on
//! tokio's blocking pool under a time limit, and the rest of newsdex stays synchronous.
//!
//! Invariant: this layer talks to the index only through [`SearchEngine`] and the report and
//! output layers; it never serves a file from disk (only the embedded assets), and every piece
//! of article text it hands the page is JSON data the page inserts as text.

mod api;
mod assets;
mod params;

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use crate::error::{Error, Result};
use crate::search::SearchEngine;

/// The Content-Security-Policy of every response: scripts and styles only from this server's own
/// files (no inline script, no `eval`), no plugins, no frames, and requests only back to this
/// server, so hostile markup in an archive cannot run or call out even if it reached the page.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self'; \
     style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; \
     form-action 'self'; frame-ancestors 'none'";

/// How the server runs.
#[derive(Clone, Debug)]
pub struct ServeOptions {
    pub addr: SocketAddr,
    /// Longest a search, count or article request may take before it is answered with 503.
    pub time_limit: Duration,
    /// Most hits one page of `/api/search` (or `/api/kwic`) may ask for.
    pub max_page: usize,
    /// Deepest offset a page may start at (exports have no such limit: they stream).
    pub max_offset: usize,
}

impl ServeOptions {
    pub fn new(addr: SocketAddr) -> ServeOptions {
        ServeOptions {
            addr,
            time_limit: Duration::from_secs(10),
            max_page: 100,
            max_offset: 10_000,
        }
    }
}

/// What every handler shares.
pub(crate) struct State {
    pub(crate) engine: Arc<dyn SearchEngine>,
    pub(crate) opts: ServeOptions,
    started: Instant,
    /// Milliseconds after `started` of the last [`SearchEngine::refresh`].
    last_refresh: AtomicU64,
}

impl State {
    /// Runs `f` (a blocking engine call) on the blocking pool under the time limit. The index is
    /// refreshed first when the last refresh is more than a second old, so a page reload sees what
    /// `newsdex index` committed meanwhile.
    pub(crate) async fn blocking<T: Send + 'static>(
        self: &Arc<Self>,
        f: impl FnOnce(&dyn SearchEngine) -> Result<T> + Send + 'static,
    ) -> std::result::Result<T, ApiError> {
        let state = Arc::clone(self);
        let task = tokio::task::spawn_blocking(move || {
            state.refresh_if_stale()?;
            f(&*state.engine)
        });
        match tokio::time::timeout(self.opts.time_limit, task).await {
            Ok(Ok(result)) => result.map_err(ApiError::from),
            Ok(Err(join)) => Err(ApiError::internal(format!("the request failed: {join}"))),
            Err(_) => Err(ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                format!(
                    "the request took longer than {} s and was abandoned: narrow the query \
                     (more words, a date range, an outlet) or use export, which streams",
                    self.opts.time_limit.as_secs_f32()
                ),
            )),
        }
    }

    pub(crate) fn refresh_if_stale(&self) -> Result<()> {
        let now = self.started.elapsed().as_millis() as u64;
        let last = self.last_refresh.load(Ordering::Relaxed);
        if now.saturating_sub(last) >= 1000
            && self
                .last_refresh
                .compare_exchange(last, now, Ordering::Relaxed, Ordering::Relaxed)
                .is_ok()
        {
            self.engine.refresh()?;
        }
        Ok(())
    }
}

/// An API error: a status and the message the command line would print, sent as
/// `{"error": "..."}`.
#[derive(Debug)]
pub(crate) struct ApiError {
    status: StatusCode,
    message: String,
}

impl ApiError {
    pub(crate) fn new(status: StatusCode, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            message: message.into(),
        }
    }

    pub(crate) fn bad_request(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, message)
    }

    pub(crate) fn internal(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, message)
    }
}

impl From<Error> for ApiError {
    fn from(e: Error) -> ApiError {
        let status = match e {
            Error::Query(_) | Error::Usage(_) => StatusCode::BAD_REQUEST,
            _ => StatusCode::INTERNAL_SERVER_ERROR,
        };
        ApiError::new(status, error_message(&e))
    }
}

/// The message the command line prints for `e`: each cause once, joined by `: `.
pub(crate) fn error_message(e: &(dyn std::error::Error + 'static)) -> String {
    let mut msg = String::new();
    let mut cur = Some(e);
    while let Some(err) = cur {
        let text = err.to_string();
        if !msg.contains(&text) {
            if !msg.is_empty() {
                msg.push_str(": ");
            }
            msg.push_str(&text);
        }
        cur = err.source();
    }
    msg
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = serde_json::json!({ "error": self.message });
        (
            self.status,
            [(header::CONTENT_TYPE, "application/json")],
            body.to_string(),
        )
            .into_response()
    }
}

/// Headers every response carries.
async fn security_headers(req: Request, next: Next) -> Response {
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CONTENT_SECURITY_POLICY),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    h.insert(
        "cross-origin-opener-policy",
        HeaderValue::from_static("same-origin"),
    );
    h.insert(
        "cross-origin-resource-policy",
        HeaderValue::from_static("same-origin"),
    );
    res
}

/// On a loopback address, a request must name this machine as its host: a web page elsewhere
/// that points its own host name at 127.0.0.1 (DNS rebinding) cannot read the archive.
async fn loopback_host_only(req: Request, next: Next) -> Response {
    let host = req
        .headers()
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("");
    if is_loopback_host(host) {
        next.run(req).await
    } else {
        ApiError::new(
            StatusCode::FORBIDDEN,
            "this server answers only http://127.0.0.1 or http://localhost (start it with --bind \
             to serve other addresses)",
        )
        .into_response()
    }
}

fn is_loopback_host(host: &str) -> bool {
    let name = if let Some(rest) = host.strip_prefix('[') {
        rest.split(']').next().unwrap_or("")
    } else {
        host.rsplit_once(':').map_or(host, |(h, _)| h)
    };
    name.eq_ignore_ascii_case("localhost")
        || name
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

fn router(state: Arc<State>, loopback: bool) -> Router {
    let r = Router::new()
        .route("/api/search", get(api::search))
        .route("/api/count", get(api::count))
        .route("/api/facets", get(api::facets))
        .route("/api/kwic", get(api::kwic))
        .route("/api/article/{id}", get(api::article))
        .route("/api/matches/{id}", get(api::matches))
        .route("/api/export", get(api::export))
        .route("/api/export/meta", get(api::export_meta))
        .route("/api/stats", get(api::stats))
        .route("/api/{*rest}", get(api::not_found))
        .fallback(assets::serve)
        .with_state(state);
    let r = if loopback {
        r.layer(axum::middleware::from_fn(loopback_host_only))
    } else {
        r
    };
    r.layer(axum::middleware::from_fn(security_headers))
}

/// Serves `engine` at `opts.addr` until the process ends. `ready` is told the address actually
/// bound (port 0 picks a free port) before the first request is answered.
pub fn run(
    engine: Box<dyn SearchEngine>,
    opts: ServeOptions,
    ready: impl FnOnce(SocketAddr),
) -> Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_name("newsdex-serve")
        .build()?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(opts.addr)
            .await
            .map_err(|e| {
                Error::Usage(format!(
                    "cannot listen on {}: {e} (choose another --port, or 0 for any free port)",
                    opts.addr
                ))
            })?;
        let addr = listener.local_addr()?;
        let loopback = addr.ip().is_loopback();
        let state = Arc::new(State {
            engine: Arc::from(engine),
            opts,
            started: Instant::now(),
            last_refresh: AtomicU64::new(0),
        });
        ready(addr);
        axum::serve(listener, router(state, loopback)).await?;
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_hosts() {
        for ok in [
            "127.0.0.1:8080",
            "localhost",
            "LOCALHOST:1",
            "[::1]:80",
            "127.0.0.2",
        ] {
            assert!(is_loopback_host(ok), "{ok}");
        }
        for bad in [
            "evil.example:8080",
            "",
            "192.168.1.2:8080",
            "localhost.evil.com",
        ] {
            assert!(!is_loopback_host(bad), "{bad}");
        }
    }
}
