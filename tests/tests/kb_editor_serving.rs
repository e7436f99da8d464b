//! `weft serve` hands out the built knowledge-base editor at /kb/ with a strict
//! Content-Security-Policy, routes unknown paths under /kb/ to the app, never serves files outside
//! the build, and says how to build the editor when it is missing.

use weft_e2e::server::Server;

// A small stand-in build folder: what matters here is what the server does with a folder of files,
// not the app (the browser test serves the real `kb-editor/dist`).
fn fake_build(dir: &std::path::Path) {
    std::fs::create_dir_all(dir.join("assets")).unwrap();
    std::fs::write(dir.join("index.html"), "<!doctype html><title>kb</title><div id=app></div>").unwrap();
    std::fs::write(dir.join("assets").join("app.js"), "console.log('kb')").unwrap();
}

// The build is served under /kb/, with the CSP on every answer; any other path under /kb/ gets the
// app's index.html (the app routes in the browser); nothing outside the folder is reachable.
#[tokio::test]
async fn serves_the_build_with_spa_fallback_and_csp() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let build = dir.path().join("dist");
    std::fs::create_dir_all(&data).unwrap();
    fake_build(&build);
    std::fs::write(dir.path().join("secret.txt"), "not for browsers").unwrap();
    let build_arg = build.to_string_lossy().into_owned();
    let server = Server::start(&data, &["--kb-editor-dir", &build_arg]);
    let http = reqwest::Client::new();

    for path in ["/kb", "/kb/", "/kb/a/some-article/history"] {
        let res = http.get(server.url(path)).send().await.unwrap();
        assert_eq!(res.status().as_u16(), 200, "{path}");
        let csp = res.headers().get("content-security-policy").and_then(|v| v.to_str().ok()).unwrap_or_default();
        assert!(csp.contains("script-src 'self'") && csp.contains("connect-src 'self'"), "{path}: {csp}");
        assert!(res.text().await.unwrap().contains("<div id=app>"), "{path} is the app");
    }
    let res = http.get(server.url("/kb/assets/app.js")).send().await.unwrap();
    assert_eq!(res.status().as_u16(), 200);
    assert!(res.headers()["content-type"].to_str().unwrap().contains("javascript"));
    assert_eq!(res.text().await.unwrap(), "console.log('kb')");

    for path in ["/kb/../secret.txt", "/kb/%2e%2e/secret.txt", "/kb/assets/..%2f..%2fsecret.txt"] {
        let res = http.get(server.url(path)).send().await.unwrap();
        let body = res.text().await.unwrap();
        assert!(!body.contains("not for browsers"), "{path} must not leave the build folder");
    }
    // The API is untouched by the editor's routes.
    let res = http.get(server.url("/healthz")).send().await.unwrap();
    assert_eq!(res.status().as_u16(), 200);
}

// No build: /kb/ says what is missing and how to build it, and the API keeps serving.
#[tokio::test]
async fn missing_build_says_how_to_build_it() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    std::fs::create_dir_all(&data).unwrap();
    let empty = dir.path().join("no-build-here");
    let empty_arg = empty.to_string_lossy().into_owned();
    let server = Server::start(&data, &["--kb-editor-dir", &empty_arg]);
    let http = reqwest::Client::new();

    for path in ["/kb", "/kb/", "/kb/a/x"] {
        let res = http.get(server.url(path)).send().await.unwrap();
        assert_eq!(res.status().as_u16(), 503, "{path}");
        let body = res.text().await.unwrap();
        assert!(body.contains("not built") && body.contains("npm ci && npm run build"), "{body}");
        assert!(body.contains("no-build-here"), "names the folder it looked in: {body}");
    }
    let res = http.get(server.url("/healthz")).send().await.unwrap();
    assert_eq!(res.status().as_u16(), 200);
}
