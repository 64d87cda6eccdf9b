//! The page's files, compiled into the binary: nothing is read from disk at run time, so no path
//! a client sends can reach a file (the request path is looked up in this table, never joined
//! to a folder).

use axum::http::{StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};

/// `(request path, content type, bytes)`.
const ASSETS: &[(&str, &str, &[u8])] = &[
    (
        "/",
        "text/html; charset=utf-8",
        include_bytes!("assets/index.html"),
    ),
    (
        "/app.js",
        "text/javascript; charset=utf-8",
        include_bytes!("assets/app.js"),
    ),
    (
        "/app.css",
        "text/css; charset=utf-8",
        include_bytes!("assets/app.css"),
    ),
    (
        "/favicon.svg",
        "image/svg+xml",
        include_bytes!("assets/favicon.svg"),
    ),
];

/// The embedded file at `path`, if there is one.
pub(crate) fn find(path: &str) -> Option<(&'static str, &'static [u8])> {
    ASSETS
        .iter()
        .find(|(p, _, _)| *p == path)
        .map(|(_, t, b)| (*t, *b))
}

/// Answers `GET` of a page file, or 404.
pub(crate) async fn serve(uri: Uri) -> Response {
    let path = match uri.path() {
        "/index.html" | "/favicon.ico" => {
            if uri.path() == "/favicon.ico" {
                "/favicon.svg"
            } else {
                "/"
            }
        }
        p => p,
    };
    match find(path) {
        Some((content_type, bytes)) => (
            [
                (header::CONTENT_TYPE, content_type),
                (header::CACHE_CONTROL, "no-cache"),
            ],
            bytes,
        )
            .into_response(),
        None => (
            StatusCode::NOT_FOUND,
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            "not found: this server has only its search page at /",
        )
            .into_response(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn assets_are_small() {
        let total: usize = super::ASSETS.iter().map(|(_, _, b)| b.len()).sum();
        assert!(total < 300 * 1024, "page assets are {total} bytes");
    }
}
