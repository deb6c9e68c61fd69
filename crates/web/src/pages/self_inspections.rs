//! 自查 pages: staff see their campaigns and open new ones, and on a
//! campaign's page its counts, the reports and who has not reported; an
//! institution reaches the report form from its home page (text, the
//! checklist point by point, attachments uploaded one by one beforehand).

use super::{domain_error_page, render, Chrome};
use crate::extract::{CurrentUser, PathId};
use crate::AppState;
use askama::Template;
use axum::extract::multipart::{Multipart, MultipartRejection};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use weijian_domain::auth::Authenticated;
use weijian_domain::inspections::PointInput;
use weijian_domain::self_inspections::{self as domain, CampaignInput, ReportInput, ReviewInput};
use weijian_domain::DomainError;
use weijian_rules::registry::Registry;
use weijian_rules::self_inspection::{CampaignStatus, ReportStatus};
use weijian_store::ids::{SelfInspectionCampaignId, SelfInspectionReportId};
use weijian_store::inspection_items::ItemLists;
use weijian_store::self_inspections::{Campaign, Counts, Missing, Query, Report};
use weijian_store::{time, versioned};

const ACTIVE: &str = "/self-inspections";

/// A campaign's line in the list.
struct Row {
    campaign: Campaign,
    counts: Counts,
    overdue: bool,
}

/// A published item the new-campaign form offers: `list_id|code` and its name.
struct ItemChoice {
    value: String,
    label: String,
}

#[derive(Template)]
#[template(path = "self_inspections.html")]
struct ListPage {
    chrome: Chrome,
    rows: Vec<Row>,
    can_manage: bool,
    specialties: Choices,
    categories: Choices,
    items: Vec<ItemChoice>,
    message: String,
    form: CampaignForm,
}

#[derive(Clone, Debug, Default, serde::Deserialize)]
pub struct CampaignForm {
    #[serde(default)]
    title: String,
    #[serde(default)]
    specialty: String,
    #[serde(default)]
    requirements: String,
    #[serde(default)]
    deadline: String,
    #[serde(default)]
    working_days: String,
}

/// (key, label) pairs of a vocabulary.
type Choices = Vec<(String, String)>;

/// The registry's specialties and entity categories, for the form.
fn vocabulary() -> (Choices, Choices) {
    let r = Registry::official();
    (
        r.specialties.iter().map(|s| (s.key.clone(), s.label.clone())).collect(),
        r.categories.iter().map(|c| (c.key.clone(), c.label.clone())).collect(),
    )
}

async fn list_page(
    state: &AppState,
    a: &Authenticated,
    status: StatusCode,
    message: String,
    form: CampaignForm,
) -> Response {
    if a.user.role == weijian_store::Role::Institution {
        return domain_error_page(DomainError::new(
            weijian_domain::ErrorKind::Forbidden,
            "self_inspection.staff_only",
            "此页面仅供监管人员使用；待提交的自查在首页",
        ));
    }
    let q = Query { limit: Some(200), ..Default::default() };
    let page = match domain::list(&state.store, &a.actor, &q).await {
        Ok(p) => p,
        Err(e) => return domain_error_page(e),
    };
    let today = weijian_domain::input::today();
    let mut rows = Vec::new();
    for c in page.items {
        let counts = domain::counts(&state.store, &a.actor, c.id).await.unwrap_or_default();
        let overdue = c.status == CampaignStatus::Open && domain::is_overdue(&c, today);
        rows.push(Row { campaign: c, counts, overdue });
    }
    let can_manage = domain::may_manage(&a.actor);
    let items = if can_manage {
        versioned::list::<ItemLists>(&state.store, &a.actor, &Default::default())
            .await
            .unwrap_or_default()
            .into_iter()
            .filter(|l| l.is_published())
            .flat_map(|l| {
                let title = l.title.clone();
                l.content.items.into_iter().map(move |i| ItemChoice {
                    value: format!("{}|{}", l.id, i.code),
                    label: format!("{}（{}，{}）", i.name, i.code, title),
                })
            })
            .collect()
    } else {
        vec![]
    };
    let (specialties, categories) = vocabulary();
    render(
        status,
        &ListPage {
            chrome: Chrome::new(&state.store, a, ACTIVE).await,
            rows,
            can_manage,
            specialties,
            categories,
            items,
            message,
            form,
        },
    )
}

pub async fn index(State(state): State<AppState>, CurrentUser(a): CurrentUser) -> Response {
    list_page(&state, &a, StatusCode::OK, String::new(), CampaignForm::default()).await
}

/// The new-campaign form: repeated keys (categories, items) arrive as pairs.
pub async fn create(
    State(state): State<AppState>,
    CurrentUser(a): CurrentUser,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Response {
    let field = |name: &str| pairs.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()).unwrap_or_default();
    let all = |name: &str| pairs.iter().filter(|(k, _)| k == name).map(|(_, v)| v.clone()).collect::<Vec<_>>();
    let picked: Vec<(String, String)> = all("item")
        .into_iter()
        .filter_map(|v| v.split_once('|').map(|(l, c)| (l.to_string(), c.to_string())))
        .collect();
    let working_days = field("working_days");
    let form = CampaignForm {
        title: field("title"),
        specialty: field("specialty"),
        requirements: field("requirements"),
        deadline: field("deadline"),
        working_days: working_days.clone(),
    };
    let input = CampaignInput {
        title: form.title.clone(),
        region_code: None,
        specialty: form.specialty.clone(),
        categories: all("category"),
        requirements: form.requirements.clone(),
        item_list_id: picked.first().map(|(l, _)| l.clone()),
        items: picked.iter().map(|(_, c)| c.clone()).collect(),
        deadline: Some(form.deadline.clone()).filter(|s| !s.trim().is_empty()),
        // A number that does not parse is sent as 0, which the domain refuses by name.
        working_days: Some(working_days.trim()).filter(|s| !s.is_empty()).map(|s| s.parse().unwrap_or(0)),
    };
    match domain::open(&state.store, &a.actor, &input).await {
        Ok((c, _)) => Redirect::to(&format!("/self-inspections/{}", c.id)).into_response(),
        Err(e) => list_page(&state, &a, crate::error::status_of(e.kind), e.message, form).await,
    }
}

/// A report's line on the campaign page.
struct ReportRow {
    report: Report,
    late: bool,
    submitted: String,
}

#[derive(Template)]
#[template(path = "self_inspection.html")]
struct DetailPage {
    chrome: Chrome,
    campaign: Campaign,
    specialty: String,
    categories: String,
    /// Staff: counts, reports, missing; an institution: its own report only.
    staff: bool,
    /// The table's actions this user may take now (domain::lifecycle): close.
    can_close: bool,
    counts: Counts,
    reports: Vec<ReportRow>,
    missing: Vec<Missing>,
    more_missing: bool,
    overdue: bool,
    /// The institution's own report, if sent.
    own: Option<ReportRow>,
    message: String,
    closed_at: String,
}

fn labels(categories: &[String]) -> String {
    categories.iter().map(|c| crate::api::entities::category_label(c)).collect::<Vec<_>>().join("、")
}

async fn detail_page(
    state: &AppState,
    a: &Authenticated,
    id: SelfInspectionCampaignId,
    status: StatusCode,
    message: String,
) -> Response {
    let campaign = match domain::get(&state.store, &a.actor, id).await {
        Ok(c) => c,
        Err(e) => return domain_error_page(e),
    };
    let staff = a.user.role != weijian_store::Role::Institution;
    let reports: Vec<ReportRow> = domain::reports(&state.store, &a.actor, id, None, Some(200))
        .await
        .map(|p| p.items)
        .unwrap_or_default()
        .into_iter()
        .map(|r| ReportRow {
            late: domain::is_late(&campaign, &r),
            submitted: time::display(r.submitted_at),
            report: r,
        })
        .collect();
    let (counts, missing, more_missing) = if staff {
        let counts = domain::counts(&state.store, &a.actor, id).await.unwrap_or_default();
        let page = domain::missing(&state.store, &a.actor, id, None, Some(200)).await;
        let (missing, more) = page.map(|p| (p.items, p.next.is_some())).unwrap_or_default();
        (counts, missing, more)
    } else {
        (Counts::default(), vec![], false)
    };
    let (reports, own) = if staff { (reports, None) } else { (vec![], reports.into_iter().next()) };
    let registry = Registry::official();
    render(
        status,
        &DetailPage {
            chrome: Chrome::new(&state.store, a, if staff { ACTIVE } else { "/" }).await,
            specialty: registry
                .specialty(&campaign.data.specialty)
                .map(|s| s.label.clone())
                .unwrap_or_else(|| campaign.data.specialty.clone()),
            categories: labels(&campaign.data.categories),
            overdue: campaign.status == CampaignStatus::Open
                && domain::is_overdue(&campaign, weijian_domain::input::today()),
            closed_at: campaign.closed_at.map(time::display).unwrap_or_default(),
            can_close: weijian_domain::lifecycle::of_campaign(&a.actor, campaign.status, &campaign.data.region_code)
                .contains(&"close"),
            campaign,
            staff,
            counts,
            reports,
            missing,
            more_missing,
            own,
            message,
        },
    )
}

pub async fn show(
    State(state): State<AppState>,
    CurrentUser(a): CurrentUser,
    PathId(id): PathId<SelfInspectionCampaignId>,
) -> Response {
    detail_page(&state, &a, id, StatusCode::OK, String::new()).await
}

/// A lifecycle form's hidden field: the version the page showed (a stale page is a 409).
#[derive(serde::Deserialize)]
pub struct VersionForm {
    #[serde(default)]
    version: Option<i64>,
}

pub async fn close(
    State(state): State<AppState>,
    CurrentUser(a): CurrentUser,
    PathId(id): PathId<SelfInspectionCampaignId>,
    Form(f): Form<VersionForm>,
) -> Response {
    match domain::close(&state.store, &a.actor, id, f.version).await {
        Ok(_) => Redirect::to(&format!("/self-inspections/{id}")).into_response(),
        Err(e) => detail_page(&state, &a, id, crate::error::status_of(e.kind), e.message).await,
    }
}

/// One checklist point as the report form shows it.
struct PointRow {
    item: String,
    index: usize,
    text: String,
    basis: String,
}

struct ItemBlock {
    code: String,
    name: String,
    points: Vec<PointRow>,
}

#[derive(Template)]
#[template(path = "self_inspection_report_form.html")]
struct ReportFormPage {
    chrome: Chrome,
    campaign: Campaign,
    items: Vec<ItemBlock>,
    uploads: Vec<(String, String, String)>,
    /// The report returned for correction, shown with the bureau's comment.
    returned: Option<Report>,
    problems: String,
    measures: String,
    message: String,
    overdue: bool,
}

async fn report_form(
    state: &AppState,
    a: &Authenticated,
    id: SelfInspectionCampaignId,
    status: StatusCode,
    message: String,
    typed: (String, String),
) -> Response {
    let Some(entity) = domain::own_entity(&a.actor) else {
        return domain_error_page(DomainError::new(
            weijian_domain::ErrorKind::Forbidden,
            "self_inspection.institution_only",
            "自查报告由被监管单位的机构用户报送",
        ));
    };
    let campaign = match domain::get(&state.store, &a.actor, id).await {
        Ok(c) => c,
        Err(e) => return domain_error_page(e),
    };
    let own = weijian_store::self_inspections::report_of(&state.store, &a.actor, id, entity).await.ok().flatten();
    if campaign.status == CampaignStatus::Closed || own.as_ref().is_some_and(|r| r.status != ReportStatus::Returned) {
        return Redirect::to(&format!("/self-inspections/{id}")).into_response();
    }
    let list = domain::checklist(&state.store, &campaign).await.ok().flatten();
    let items = campaign
        .data
        .items
        .iter()
        .filter_map(|code| {
            let item = list.as_ref()?.item(code)?;
            Some(ItemBlock {
                code: code.clone(),
                name: item.name.clone(),
                points: item
                    .checklist
                    .iter()
                    .enumerate()
                    .map(|(n, p)| PointRow {
                        item: code.clone(),
                        index: n,
                        text: p.text.clone(),
                        basis: p.legal_basis.clone(),
                    })
                    .collect(),
            })
        })
        .collect();
    let uploads = weijian_domain::evidence::pending(&state.store, &a.actor, entity)
        .await
        .unwrap_or_default()
        .iter()
        .map(crate::api::attachments::page_line)
        .collect();
    let (problems, measures) = match (&own, typed) {
        (Some(r), (p, m)) if p.is_empty() && m.is_empty() => (r.data.problems.clone(), r.data.measures.clone()),
        (_, typed) => typed,
    };
    render(
        status,
        &ReportFormPage {
            chrome: Chrome::new(&state.store, a, "/").await,
            overdue: domain::is_overdue(&campaign, weijian_domain::input::today()),
            campaign,
            items,
            uploads,
            returned: own,
            problems,
            measures,
            message,
        },
    )
}

pub async fn report_page(
    State(state): State<AppState>,
    CurrentUser(a): CurrentUser,
    PathId(id): PathId<SelfInspectionCampaignId>,
) -> Response {
    report_form(&state, &a, id, StatusCode::OK, String::new(), Default::default()).await
}

/// One attachment for the report, stored at once (content-sniffed, size-limited);
/// the report form then lists it.
pub async fn upload(
    State(state): State<AppState>,
    CurrentUser(a): CurrentUser,
    PathId(id): PathId<SelfInspectionCampaignId>,
    form: Result<Multipart, MultipartRejection>,
) -> Response {
    let Some(entity) = domain::own_entity(&a.actor) else {
        return domain_error_page(DomainError::new(
            weijian_domain::ErrorKind::Forbidden,
            "self_inspection.institution_only",
            "自查报告由被监管单位的机构用户报送",
        ));
    };
    if let Err(e) = domain::get(&state.store, &a.actor, id).await {
        return domain_error_page(e);
    }
    let entity = entity.to_string();
    match crate::api::attachments::accept(&state, &a.actor, None, Some(&entity), form).await {
        Ok(_) => Redirect::to(&format!("/self-inspections/{id}/report")).into_response(),
        Err(e) => report_form(&state, &a, id, e.status, e.body.message.clone(), Default::default()).await,
    }
}

/// The report form: `r:{item}:{point}` results, `n:{item}:{point}` notes, `attachment` ids.
pub async fn submit(
    State(state): State<AppState>,
    CurrentUser(a): CurrentUser,
    PathId(id): PathId<SelfInspectionCampaignId>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Response {
    let field = |name: &str| pairs.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()).unwrap_or_default();
    let mut results = Vec::new();
    for (k, v) in &pairs {
        if let Some((item, point)) = k.strip_prefix("r:").and_then(|rest| rest.rsplit_once(':')) {
            if let Ok(point) = point.parse() {
                let note = field(&format!("n:{item}:{point}"));
                results.push(PointInput { item: item.into(), point, result: v.clone(), note });
            }
        }
    }
    let input = ReportInput {
        problems: field("problems"),
        measures: field("measures"),
        results,
        attachments: pairs.iter().filter(|(k, _)| k == "attachment").map(|(_, v)| v.clone()).collect(),
    };
    match domain::submit(&state.store, &a.actor, id, &input).await {
        Ok(_) => Redirect::to(&format!("/self-inspections/{id}")).into_response(),
        Err(e) => {
            report_form(&state, &a, id, crate::error::status_of(e.kind), e.message, (input.problems, input.measures))
                .await
        }
    }
}

#[derive(Template)]
#[template(path = "self_inspection_report.html")]
struct ReportPage {
    chrome: Chrome,
    campaign: Campaign,
    report: Report,
    late: bool,
    /// (item name, point text, result label, note)
    results: Vec<(String, String, String, String)>,
    attachments: Vec<(String, String, String)>,
    /// The table allows accept and return now and this user may take them.
    can_review: bool,
    message: String,
    submitted_at: String,
}

fn ids(raw: (String, String)) -> Option<(SelfInspectionCampaignId, SelfInspectionReportId)> {
    Some((raw.0.parse().ok()?, raw.1.parse().ok()?))
}

async fn report_detail(
    state: &AppState,
    a: &Authenticated,
    id: SelfInspectionCampaignId,
    report_id: SelfInspectionReportId,
    status: StatusCode,
    message: String,
) -> Response {
    let (campaign, report) = match (
        domain::get(&state.store, &a.actor, id).await,
        domain::report(&state.store, &a.actor, id, report_id).await,
    ) {
        (Ok(c), Ok(r)) => (c, r),
        (Err(e), _) | (_, Err(e)) => return domain_error_page(e),
    };
    let list = domain::checklist(&state.store, &campaign).await.ok().flatten();
    let results = report
        .data
        .results
        .iter()
        .map(|r| {
            let item = list.as_ref().and_then(|l| l.item(&r.item));
            (
                item.map(|i| i.name.clone()).unwrap_or_else(|| r.item.clone()),
                item.and_then(|i| i.checklist.get(r.point)).map(|p| p.text.clone()).unwrap_or_default(),
                r.result.label().to_string(),
                r.note.clone(),
            )
        })
        .collect();
    let attachments =
        weijian_domain::evidence::of_owner(&state.store, &a.actor, "self_inspection_report", &report.id.to_string())
            .await
            .unwrap_or_default()
            .iter()
            .map(crate::api::attachments::page_line)
            .collect();
    let staff = a.user.role != weijian_store::Role::Institution;
    render(
        status,
        &ReportPage {
            chrome: Chrome::new(&state.store, a, if staff { ACTIVE } else { "/" }).await,
            late: domain::is_late(&campaign, &report),
            submitted_at: time::display(report.submitted_at),
            can_review: {
                let actions = weijian_domain::lifecycle::of_report(
                    &a.actor,
                    report.status,
                    &campaign.data.region_code,
                    report.entity_id,
                );
                actions.contains(&"accept") && actions.contains(&"return")
            },
            campaign,
            report,
            results,
            attachments,
            message,
        },
    )
}

pub async fn report(
    State(state): State<AppState>,
    CurrentUser(a): CurrentUser,
    Path(raw): Path<(String, String)>,
) -> Response {
    match ids(raw) {
        Some((id, rid)) => report_detail(&state, &a, id, rid, StatusCode::OK, String::new()).await,
        None => domain_error_page(DomainError::not_found()),
    }
}

#[derive(serde::Deserialize)]
pub struct ReviewForm {
    #[serde(default)]
    outcome: String,
    #[serde(default)]
    comment: String,
    /// The version the page showed (a hidden field): a stale one is refused.
    #[serde(default)]
    version: Option<i64>,
}

pub async fn review(
    State(state): State<AppState>,
    CurrentUser(a): CurrentUser,
    Path(raw): Path<(String, String)>,
    Form(f): Form<ReviewForm>,
) -> Response {
    let Some((id, rid)) = ids(raw) else { return domain_error_page(DomainError::not_found()) };
    let input = ReviewInput { outcome: f.outcome, comment: Some(f.comment), version: f.version };
    match domain::review(&state.store, &a.actor, id, rid, &input).await {
        Ok(_) => Redirect::to(&format!("/self-inspections/{id}/reports/{rid}")).into_response(),
        Err(e) => report_detail(&state, &a, id, rid, crate::error::status_of(e.kind), e.message).await,
    }
}
