//! Serves the knowledge-base editor (the built `kb-editor/dist`) at `/kb/`, so people open the
//! editor from the same server (and origin) as the API: the session cookie and the sync socket
//! need nothing else.

use std::path::{Path, PathBuf};

use axum::Router;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::get;
use tower_http::services::{ServeDir, ServeFile};
use tower_http::set_header::SetResponseHeaderLayer;

/// The built app must be served with no inline script; connections go only to this server (the
/// API and the `/v1/kb/sync` WebSocket). Inline styles stay allowed: CodeMirror injects its theme
/// and presence colours are style attributes. Markdown images may come from anywhere on https.
const CSP: &str = "default-src 'self'; script-src 'self'; connect-src 'self'; img-src 'self' data: https:; \
                   style-src 'self' 'unsafe-inline'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

/// Where the built editor is: `--kb-editor-dir` / `WEFT_KB_EDITOR_DIR` when given, else a
/// `kb-editor` folder beside the binary (an installed layout), else `kb-editor/dist` under the
/// working directory (how `cargo xtask run` starts the server from the repository root).
pub fn locate(configured: Option<&Path>) -> PathBuf {
    if let Some(dir) = configured {
        return dir.to_path_buf();
    }
    let beside_binary = std::env::current_exe()
        .ok()
        .and_then(|exe| exe.parent().map(|dir| dir.join("kb-editor")))
        .filter(|dir| dir.join("index.html").is_file());
    beside_binary.unwrap_or_else(|| PathBuf::from("kb-editor").join("dist"))
}

/// Files under `/kb/` come from `dir`; `/kb`, `/kb/` and any path that is not a file get
/// `index.html` (the app routes in the browser). A missing build answers 503 with the fix.
pub fn routes(dir: &Path) -> Router {
    let index = dir.join("index.html");
    let router = if index.is_file() {
        tracing::info!(dir = %dir.display(), "serving the knowledge-base editor at /kb/");
        Router::new().nest_service("/kb", ServeDir::new(dir).fallback(ServeFile::new(index)))
    } else {
        tracing::warn!(
            dir = %dir.display(),
            "the knowledge-base editor is not built; /kb/ answers 503 until it is"
        );
        let message = format!(
            "The knowledge-base editor is not built at {}. Run `cargo xtask run`, or `npm ci && npm run build` \
             in kb-editor/, or start weft serve with --kb-editor-dir pointing at a built kb-editor/dist.\n",
            dir.display()
        );
        let missing = move || {
            let message = message.clone();
            async move { (StatusCode::SERVICE_UNAVAILABLE, message).into_response() }
        };
        Router::new()
            .route("/kb", get(missing.clone()))
            .route("/kb/", get(missing.clone()))
            .route("/kb/{*rest}", get(missing))
    };
    router.layer(SetResponseHeaderLayer::if_not_present(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CSP)))
}
