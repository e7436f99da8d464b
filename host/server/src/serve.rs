//! `weft serve`: open the store, start the plugin runtime, serve the API.

use std::sync::Arc;

use anyhow::Context;
use weft_runtime::{Runtime, RuntimeConfig};

use crate::api::{AppState, router};
use crate::cli::ServeArgs;
use crate::events::Dispatcher;
use crate::webhooks::rate_limit::RateLimiter;

pub async fn run(args: ServeArgs) -> anyhow::Result<()> {
    let store = crate::cli::admin_open(&args.data).await?;
    let config =
        RuntimeConfig { cache_dir: Some(args.data.data.join("cache").join("compiled")), ..RuntimeConfig::default() };
    let runtime = Arc::new(Runtime::new(config)?);
    let store = store.with_event_window(args.outbound.outbound_give_up_after);
    let events = Dispatcher::new(store.clone(), args.outbound.clone())?;
    tokio::spawn(events.clone().run());
    let kb = weft_kb::Kb::open(store.clone(), weft_kb::KbConfig::new(args.data.data.join("kb-index"))).await?;
    let limits = RateLimiter::new(args.inbound.hook_rate_per_second, args.inbound.hook_burst);
    let state = AppState::new(store, runtime, events, limits, kb.clone());
    // Runs a previous process left unfinished carry on where their last committed step left them.
    state.engine.resume().await.context("resuming unfinished workflow runs")?;
    let app = router(state, kb);
    let app = app.merge(crate::api::kb_editor::routes(&crate::api::kb_editor::locate(args.kb_editor_dir.as_deref())));
    let app = app.layer(axum::middleware::from_fn(crate::api::connection::close_after_refused_upload));
    let listener = tokio::net::TcpListener::bind(&args.listen).await.with_context(|| {
        format!("could not listen on {}; is another server using it? pass --listen ADDR", args.listen)
    })?;
    tracing::info!(listen = %args.listen, data = %args.data.data.display(), "weft serving");
    axum::serve(listener, app)
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
        .context("the HTTP server stopped")
}
