//! HTTP: server-rendered pages and the `/api/v1` JSON API side by side, both
//! calling the same domain functions.

pub mod api;
mod cookies;
mod error;
mod extract;
mod metrics;
mod middleware;
mod pages;

pub use error::{ApiError, ErrorBody};
pub use metrics::Metrics;

use axum::extract::DefaultBodyLimit;
use axum::Router;
use std::sync::{Arc, RwLock};
use weijian_domain::auth::AuthPolicy;
use weijian_domain::documents::{Documents, FontConfig};
use weijian_rules::Calendar;
use weijian_store::Store;

/// Largest request body accepted anywhere (uploads will get their own limit).
pub const BODY_LIMIT: usize = 1024 * 1024;

#[derive(Clone, Debug, Default)]
pub struct WebConfig {
    /// Mark the session cookie Secure: set when served over TLS (directly or behind a proxy).
    pub secure_cookies: bool,
    /// Take the client IP from the last X-Forwarded-For hop (only behind a trusted proxy).
    pub trust_proxy: bool,
    /// Where attachment blobs are stored; uploads are refused while unset.
    pub attachments_dir: Option<std::path::PathBuf>,
    /// Largest upload of each attachment kind.
    pub attachment_limits: weijian_rules::attachments::Limits,
}

#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub policy: AuthPolicy,
    pub config: Arc<WebConfig>,
    pub metrics: Arc<Metrics>,
    /// The working-day calendar in use: built-in years plus imported ones.
    calendar: Arc<RwLock<Arc<Calendar>>>,
    /// Renders enforcement documents (PDF) with the configured CJK fonts.
    pub documents: Arc<Documents>,
}

impl AppState {
    /// Starts with the built-in calendar; `reload_calendar` adds the imported years.
    pub fn new(store: Store, policy: AuthPolicy, config: WebConfig) -> Self {
        AppState {
            store,
            policy,
            config: Arc::new(config),
            metrics: Arc::new(Metrics::default()),
            calendar: Arc::new(RwLock::new(Arc::new(Calendar::official().clone()))),
            documents: Arc::new(Documents::new(FontConfig::new(None, None))),
        }
    }

    /// Documents use these fonts (settings `cjk_font`, `fonts_dir`) before Debian's standard places.
    pub fn with_fonts(mut self, fonts: FontConfig) -> Self {
        self.documents = Arc::new(Documents::new(fonts));
        self
    }

    pub fn calendar(&self) -> Arc<Calendar> {
        self.calendar.read().map(|c| c.clone()).unwrap_or_else(|p| p.into_inner().clone())
    }

    /// Reads the imported years again (at start, after an import, and
    /// periodically so that every instance of a cluster converges).
    pub async fn reload_calendar(&self) -> Result<(), weijian_domain::DomainError> {
        let fresh = Arc::new(weijian_domain::calendar::load(&self.store).await?);
        match self.calendar.write() {
            Ok(mut c) => *c = fresh,
            Err(p) => *p.into_inner() = fresh,
        }
        Ok(())
    }
}

/// The whole application: pages, API, static files, health and metrics.
pub fn app(state: AppState) -> Router {
    let (api_router, openapi) = api::router().split_for_parts();
    api::set_document(&openapi);
    Router::new()
        .merge(pages::router())
        .merge(api_router)
        .merge(middleware::operational_routes())
        .fallback(error::not_found)
        .layer(axum::middleware::from_fn_with_state(state.clone(), middleware::authenticate))
        .layer(axum::middleware::from_fn_with_state(state.clone(), metrics::track))
        .layer(axum::middleware::from_fn_with_state(state.clone(), middleware::request_context))
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(axum::middleware::from_fn(middleware::deadline))
        .with_state(state)
}

/// The OpenAPI document, as served at `/api/v1/openapi.json`.
pub fn openapi_json() -> String {
    api::router().into_openapi().to_pretty_json().expect("openapi serialises")
}
