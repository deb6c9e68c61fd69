//! 案源 pages for staff: the leads of one's jurisdiction (by status, in pages),
//! a lead with its source, summary and violation codes, a form for each action
//! the user may take now (accept, dismiss or propose the dismissal for legal
//! review; the legal reviewer's approve/reject), and 转为案源 for an overdue
//! order (a button on the home page).

use super::{domain_error_page, render, Chrome};
use crate::extract::{CurrentUser, PathId};
use crate::AppState;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use serde::Deserialize;
use weijian_domain::auth::Authenticated;
use weijian_domain::authz::{allows, Permission};
use weijian_domain::case_leads as domain;
use weijian_rules::case_leads::{CaseLeadSource, CaseLeadStatus};
use weijian_store::case_leads::{CaseLead, Query as LeadQuery};
use weijian_store::ids::{CaseLeadId, RectificationId};
use weijian_store::page::Cursor;
use weijian_store::time;

const ACTIVE: &str = "/case-leads";

/// One lead as the list shows it.
struct LeadRow {
    id: String,
    entity_id: String,
    entity_name: String,
    source: &'static str,
    summary: String,
    codes: String,
    status: &'static str,
    created_at: String,
}

impl From<&CaseLead> for LeadRow {
    fn from(l: &CaseLead) -> Self {
        LeadRow {
            id: l.id.to_string(),
            entity_id: l.entity_id.to_string(),
            entity_name: l.entity_name.clone(),
            source: l.source.label(),
            summary: l.summary.clone(),
            codes: l.violation_codes.join("、"),
            status: l.status.label(),
            created_at: time::display(l.created_at),
        }
    }
}

/// A status filter link: (key, label, active).
struct Filter {
    key: &'static str,
    label: &'static str,
    active: bool,
}

#[derive(Template)]
#[template(path = "case_leads.html")]
struct ListPage {
    chrome: Chrome,
    filters: Vec<Filter>,
    status: String,
    leads: Vec<LeadRow>,
    next: Option<String>,
}

#[derive(Deserialize)]
pub struct ListForm {
    #[serde(default)]
    status: Option<String>,
    #[serde(default)]
    cursor: Option<String>,
}

pub async fn index(
    State(state): State<AppState>,
    CurrentUser(a): CurrentUser,
    q: Result<Query<ListForm>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let Ok(Query(q)) = q else {
        return super::error_page(StatusCode::BAD_REQUEST, "查询参数无效", "查询参数无效");
    };
    // By default the leads waiting for this user: a legal reviewer's are the
    // dismissals under review, a decider's the open ones.
    let waiting = if allows(&a.actor, Permission::ReviewDismissals) && !allows(&a.actor, Permission::DecideCaseLeads) {
        CaseLeadStatus::PendingLegalReview
    } else {
        CaseLeadStatus::Open
    };
    let status_key = q.status.unwrap_or_else(|| waiting.key().into());
    let status = CaseLeadStatus::parse(&status_key);
    if status.is_none() && status_key != "all" {
        return super::error_page(StatusCode::UNPROCESSABLE_ENTITY, "参数无效", "案源状态无效");
    }
    let query = LeadQuery {
        status,
        after: q.cursor.as_deref().and_then(Cursor::decode),
        limit: Some(50),
        ..Default::default()
    };
    match domain::list(&state.store, &a.actor, &query).await {
        Ok(page) => {
            let mut filters: Vec<Filter> = CaseLeadStatus::ALL
                .iter()
                .map(|s| Filter { key: s.key(), label: s.label(), active: Some(*s) == status })
                .collect();
            filters.push(Filter { key: "all", label: "全部", active: status.is_none() });
            render(
                StatusCode::OK,
                &ListPage {
                    chrome: Chrome::new(&state.store, &a, ACTIVE).await,
                    filters,
                    status: status_key,
                    leads: page.items.iter().map(LeadRow::from).collect(),
                    next: page.next,
                },
            )
        }
        Err(e) => domain_error_page(e),
    }
}

/// The 法制审核 of the lead's dismissal as the page shows it.
struct ReviewRow {
    reviewer: String,
    reviewed_at: String,
    approved: bool,
    opinion: String,
}

#[derive(Template)]
#[template(path = "case_lead.html")]
struct DetailPage {
    chrome: Chrome,
    lead: LeadRow,
    version: i64,
    source_id: String,
    codes: Vec<String>,
    needs_review: bool,
    decision: String,
    decided_at: String,
    requested_by: String,
    requested_at: String,
    review: Option<ReviewRow>,
    /// The action keys this user may take now: one form each.
    actions: Vec<&'static str>,
    message: String,
}

impl DetailPage {
    fn may(&self, action: &str) -> bool {
        self.actions.contains(&action)
    }
}

async fn detail_page(
    state: &AppState,
    a: &Authenticated,
    id: CaseLeadId,
    status: StatusCode,
    message: String,
) -> Response {
    let lead = match domain::get(&state.store, &a.actor, id).await {
        Ok(l) => l,
        Err(e) => return domain_error_page(e),
    };
    let user_name = |name: &Option<String>, id: Option<weijian_store::ids::UserId>| {
        name.clone().or_else(|| id.map(|u| u.to_string())).unwrap_or_default()
    };
    render(
        status,
        &DetailPage {
            chrome: Chrome::new(&state.store, a, ACTIVE).await,
            version: lead.version,
            source_id: match lead.source {
                // An inspection's lead links to the entity's file, where the record is.
                CaseLeadSource::Inspection | CaseLeadSource::UnresolvedReinspection => lead.source_id.clone(),
                _ => String::new(),
            },
            codes: lead.violation_codes.clone(),
            needs_review: weijian_rules::case_leads::dismissal_needs_legal_review(&lead.violation_codes),
            decision: lead.decision_reason.clone().unwrap_or_default(),
            decided_at: lead.decided_at.map(time::display).unwrap_or_default(),
            requested_by: user_name(&lead.dismissal_requested_by_name, lead.dismissal_requested_by),
            requested_at: lead.dismissal_requested_at.map(time::display).unwrap_or_default(),
            review: lead.legal_review.as_ref().map(|r| ReviewRow {
                reviewer: user_name(&r.reviewer_name, r.reviewer),
                reviewed_at: time::display(r.reviewed_at),
                approved: r.approved,
                opinion: r.opinion.clone(),
            }),
            actions: domain::allowed_actions(&a.actor, &lead),
            lead: LeadRow::from(&lead),
            message,
        },
    )
}

pub async fn show(
    State(state): State<AppState>,
    CurrentUser(a): CurrentUser,
    PathId(id): PathId<CaseLeadId>,
) -> Response {
    detail_page(&state, &a, id, StatusCode::OK, String::new()).await
}

#[derive(Deserialize)]
pub struct DecisionForm {
    #[serde(default)]
    reason: String,
    /// The version the page showed (a hidden field): a stale one is refused.
    #[serde(default)]
    version: Option<i64>,
}

pub async fn dismiss(
    State(state): State<AppState>,
    CurrentUser(a): CurrentUser,
    PathId(id): PathId<CaseLeadId>,
    Form(f): Form<DecisionForm>,
) -> Response {
    match domain::dismiss(&state.store, &a.actor, id, f.version, &f.reason).await {
        Ok(_) => Redirect::to(&format!("/case-leads/{id}")).into_response(),
        Err(e) => detail_page(&state, &a, id, crate::error::status_of(e.kind), e.message).await,
    }
}

pub async fn accept(
    State(state): State<AppState>,
    CurrentUser(a): CurrentUser,
    PathId(id): PathId<CaseLeadId>,
    Form(f): Form<DecisionForm>,
) -> Response {
    match domain::accept(&state.store, &a.actor, id, f.version, Some(&f.reason)).await {
        Ok(_) => Redirect::to(&format!("/case-leads/{id}")).into_response(),
        Err(e) => detail_page(&state, &a, id, crate::error::status_of(e.kind), e.message).await,
    }
}

pub async fn request_dismissal(
    State(state): State<AppState>,
    CurrentUser(a): CurrentUser,
    PathId(id): PathId<CaseLeadId>,
    Form(f): Form<DecisionForm>,
) -> Response {
    match domain::request_dismissal(&state.store, &a.actor, id, f.version, &f.reason).await {
        Ok(_) => Redirect::to(&format!("/case-leads/{id}")).into_response(),
        Err(e) => detail_page(&state, &a, id, crate::error::status_of(e.kind), e.message).await,
    }
}

#[derive(Deserialize)]
pub struct ReviewForm {
    #[serde(default)]
    decision: String,
    #[serde(default)]
    opinion: String,
    #[serde(default)]
    version: Option<i64>,
}

/// The legal reviewer's 法制审核 of a proposed dismissal.
pub async fn legal_review(
    State(state): State<AppState>,
    CurrentUser(a): CurrentUser,
    PathId(id): PathId<CaseLeadId>,
    Form(f): Form<ReviewForm>,
) -> Response {
    match domain::legal_review(&state.store, &a.actor, id, &f.decision, f.version, &f.opinion).await {
        Ok(_) => Redirect::to(&format!("/case-leads/{id}")).into_response(),
        Err(e) => detail_page(&state, &a, id, crate::error::status_of(e.kind), e.message).await,
    }
}

/// 转为案源 from the home page's overdue orders: to the new lead's page.
pub async fn from_order(
    State(state): State<AppState>,
    CurrentUser(a): CurrentUser,
    PathId(id): PathId<RectificationId>,
) -> Response {
    match domain::from_overdue_order(&state.store, &a.actor, id, weijian_domain::input::today()).await {
        Ok(lead) => Redirect::to(&format!("/case-leads/{}", lead.id)).into_response(),
        Err(e) => domain_error_page(e),
    }
}
