//! Prometheus metrics: request counts and latency histograms per route, and
//! the database pools. Written by hand: a few counters need no framework.

use crate::AppState;
use axum::extract::{MatchedPath, Request, State};
use axum::http::header;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::Mutex;
use std::time::Instant;

const BUCKETS: [f64; 11] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0];

#[derive(Default)]
struct Histogram {
    counts: [u64; BUCKETS.len()],
    sum: f64,
    count: u64,
}

#[derive(Default)]
pub struct Metrics {
    requests: Mutex<BTreeMap<(String, String, u16), u64>>,
    latency: Mutex<BTreeMap<(String, String), Histogram>>,
}

impl Metrics {
    fn observe(&self, method: &str, route: &str, status: u16, seconds: f64) {
        *self.requests.lock().unwrap().entry((method.into(), route.into(), status)).or_default() += 1;
        let mut lat = self.latency.lock().unwrap();
        let h = lat.entry((method.into(), route.into())).or_default();
        for (i, b) in BUCKETS.iter().enumerate() {
            if seconds <= *b {
                h.counts[i] += 1;
            }
        }
        h.sum += seconds;
        h.count += 1;
    }
}

pub async fn track(State(state): State<AppState>, req: Request, next: Next) -> Response {
    // The route template, not the raw path: ids must not explode the label set.
    let route =
        req.extensions().get::<MatchedPath>().map(|m| m.as_str().to_string()).unwrap_or_else(|| "unmatched".into());
    let method = req.method().to_string();
    let start = Instant::now();
    let res = next.run(req).await;
    state.metrics.observe(&method, &route, res.status().as_u16(), start.elapsed().as_secs_f64());
    res
}

fn esc(s: &str) -> String {
    s.replace('\\', "\\\\").replace('"', "\\\"")
}

pub async fn render(State(state): State<AppState>) -> Response {
    let mut out = String::new();
    out.push_str("# HELP weijian_http_requests_total HTTP requests by method, route and status.\n");
    out.push_str("# TYPE weijian_http_requests_total counter\n");
    for ((m, r, s), n) in state.metrics.requests.lock().unwrap().iter() {
        let _ = writeln!(out, "weijian_http_requests_total{{method=\"{m}\",route=\"{}\",status=\"{s}\"}} {n}", esc(r));
    }
    out.push_str("# HELP weijian_http_request_duration_seconds HTTP request latency by method and route.\n");
    out.push_str("# TYPE weijian_http_request_duration_seconds histogram\n");
    for ((m, r), h) in state.metrics.latency.lock().unwrap().iter() {
        let r = esc(r);
        for (i, b) in BUCKETS.iter().enumerate() {
            let _ = writeln!(
                out,
                "weijian_http_request_duration_seconds_bucket{{method=\"{m}\",route=\"{r}\",le=\"{b}\"}} {}",
                h.counts[i]
            );
        }
        let _ = writeln!(
            out,
            "weijian_http_request_duration_seconds_bucket{{method=\"{m}\",route=\"{r}\",le=\"+Inf\"}} {}",
            h.count
        );
        let _ = writeln!(out, "weijian_http_request_duration_seconds_sum{{method=\"{m}\",route=\"{r}\"}} {}", h.sum);
        let _ =
            writeln!(out, "weijian_http_request_duration_seconds_count{{method=\"{m}\",route=\"{r}\"}} {}", h.count);
    }
    out.push_str("# HELP weijian_db_pool_connections Open database connections by pool.\n");
    out.push_str("# TYPE weijian_db_pool_connections gauge\n");
    out.push_str("# HELP weijian_db_pool_idle Idle database connections by pool.\n");
    out.push_str("# TYPE weijian_db_pool_idle gauge\n");
    for (pool, size, idle) in state.store.pool_stats() {
        let _ = writeln!(out, "weijian_db_pool_connections{{pool=\"{pool}\"}} {size}");
        let _ = writeln!(out, "weijian_db_pool_idle{{pool=\"{pool}\"}} {idle}");
    }
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")], out).into_response()
}
