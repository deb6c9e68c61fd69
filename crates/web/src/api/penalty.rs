//! Public, read-only penalty rules: the violation catalog, the discretion
//! engine and the check of a decided penalty. Pure computations on the rules
//! crate; no sign-in needed. Money is decimal yuan, exact to the fen.

use crate::error::{ApiError, ErrorBody};
use crate::extract::ApiJson;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::Json;
use serde::{Deserialize, Serialize, Serializer};
use serde_json::Value;
use utoipa::{IntoParams, ToSchema};
use weijian_rules::penalty::{self, Catalog, Decision, Facts, Party, PenaltyError, PenaltyKind, Violation};
use weijian_rules::{Fen, MoneyError};

/// Money out: a JSON number with two decimals, written from integer fen so
/// no float ever touches it.
#[derive(Clone, Copy, Debug, ToSchema)]
#[schema(value_type = f64, example = 50000.00)]
pub struct Yuan(pub Fen);

impl Serialize for Yuan {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let raw = serde_json::value::RawValue::from_string(self.0.to_string()).map_err(serde::ser::Error::custom)?;
        raw.serialize(s)
    }
}

#[derive(Serialize, ToSchema)]
pub struct MoneyRange {
    pub min: Yuan,
    pub max: Yuan,
}

impl From<penalty::Range> for MoneyRange {
    fn from(r: penalty::Range) -> Self {
        MoneyRange { min: Yuan(r.min), max: Yuan(r.max) }
    }
}

fn invalid(code: &str, field: &str, message: impl Into<String>) -> ApiError {
    ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, code, message).with_field(field)
}

pub(crate) fn penalty_error(e: PenaltyError) -> ApiError {
    let field = match &e {
        PenaltyError::UnknownViolation(_) => "violation",
        PenaltyError::UnknownCircumstance(_) => "circumstances",
        PenaltyError::PartyNotApplicable(_) => "party",
        _ => "facts",
    };
    invalid(e.code(), field, e.to_string())
}

/// Decimal yuan from text: at most two decimals, not negative.
pub(crate) fn money_text(text: &str, field: &str) -> Result<Fen, ApiError> {
    Fen::parse_amount(text).map_err(|e| {
        let code = if e == MoneyError::Negative { "penalty.negative_amount" } else { "request.invalid_amount" };
        invalid(code, field, format!("{field}：{e}"))
    })
}

/// The snake_case key a unit enum serialises to (tier, severity, status ...).
fn key<T: Serialize>(v: T) -> String {
    serde_json::to_value(v).ok().and_then(|v| v.as_str().map(String::from)).unwrap_or_default()
}

/// A JSON number (or numeric string) in yuan; null or absent is none.
fn money(v: Option<&Value>, field: &str) -> Result<Option<Fen>, ApiError> {
    match v {
        None | Some(Value::Null) => Ok(None),
        // serde_json prints a float by its shortest round-trip form, so 1234.56 reads back as "1234.56".
        Some(Value::Number(n)) => money_text(&n.to_string(), field).map(Some),
        Some(Value::String(s)) => money_text(s, field).map(Some),
        Some(_) => Err(invalid("request.invalid_amount", field, format!("{field} 应为以元为单位的数字"))),
    }
}

pub(crate) fn party(v: Option<&str>) -> Result<Party, ApiError> {
    match v {
        None | Some("") => Ok(Party::Legal),
        Some(s) => Party::parse(s).ok_or_else(|| {
            invalid(
                "penalty.invalid_party",
                "party",
                format!("当事人类型“{s}”无效，应为 legal（法人或者其他组织）或 citizen（公民）"),
            )
        }),
    }
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct FactsIn {
    /// 违法所得, yuan (number or null).
    #[schema(value_type = Option<f64>)]
    pub illegal_income: Option<Value>,
    /// 涉案金额, yuan (number or null).
    #[schema(value_type = Option<f64>)]
    pub amount_involved: Option<Value>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PenaltyRequest {
    /// Violation code from the catalog, e.g. MED-001.
    pub violation: Option<String>,
    /// `legal` (法人或者其他组织, the default) or `citizen` (公民).
    pub party: Option<String>,
    #[serde(default)]
    pub facts: FactsIn,
    /// Circumstance codes (general ones, or the violation's own).
    #[serde(default)]
    pub circumstances: Vec<String>,
}

/// The parsed request, kept to run the engine with borrowed parts.
pub(crate) struct Parsed {
    pub violation: String,
    pub party: Party,
    pub facts: Facts,
    pub circumstances: Vec<String>,
}

impl Parsed {
    pub fn query(&self) -> penalty::Query<'_> {
        penalty::Query {
            violation: &self.violation,
            party: self.party,
            facts: self.facts,
            circumstances: &self.circumstances,
        }
    }
}

fn parse(r: PenaltyRequest) -> Result<Parsed, ApiError> {
    let violation = r
        .violation
        .filter(|v| !v.trim().is_empty())
        .ok_or_else(|| invalid("request.missing_field", "violation", "缺少违法行为代码 violation"))?;
    Ok(Parsed {
        violation: violation.trim().to_string(),
        party: party(r.party.as_deref())?,
        facts: Facts {
            illegal_income: money(r.facts.illegal_income.as_ref(), "illegal_income")?,
            amount_involved: money(r.facts.amount_involved.as_ref(), "amount_involved")?,
        },
        circumstances: r.circumstances,
    })
}

#[derive(Serialize, ToSchema)]
pub struct KindOut {
    pub kind: String,
    pub label: String,
    pub optional: bool,
    /// Member of a "X或者Y" group: exactly one of the group is imposed.
    pub either: bool,
}

#[derive(Serialize, ToSchema)]
pub struct PenaltyResponse {
    pub violation: String,
    pub name: String,
    /// The legal scale applied.
    pub scale: String,
    /// Null when the statute provides no fine.
    pub legal: Option<MoneyRange>,
    /// Null when no fine applies or no penalty is due.
    pub suggested: Option<MoneyRange>,
    /// exempt | waivable | lighter | general | heavier
    pub tier: String,
    pub tier_label: String,
    /// Penalty kind keys (warning, fine, confiscate_income ...).
    pub kinds: Vec<String>,
    pub kind_details: Vec<KindOut>,
    /// The kinds for people, e.g. "警告、罚款（可选）".
    pub kinds_text: String,
    pub suspension_months: Option<(u32, u32)>,
    pub measures: Vec<String>,
    pub basis: Vec<String>,
    pub hearing_right: bool,
    pub simple_procedure: bool,
    pub major_case: bool,
    pub below_minimum_allowed: bool,
    pub explanation: Vec<String>,
    /// verified | secondary | uncertain
    pub status: String,
    pub status_label: String,
}

fn status_key(s: weijian_rules::deadlines::Status) -> String {
    key(s)
}

impl From<penalty::Evaluation> for PenaltyResponse {
    fn from(e: penalty::Evaluation) -> Self {
        PenaltyResponse {
            violation: e.violation,
            name: e.name,
            scale: e.scale,
            legal: e.legal.map(Into::into),
            suggested: e.suggested.map(Into::into),
            tier: key(e.tier),
            tier_label: e.tier.label().into(),
            kinds: e.kinds.iter().map(|k| k.kind.key().to_string()).collect(),
            kind_details: e
                .kinds
                .iter()
                .map(|k| KindOut {
                    kind: k.kind.key().into(),
                    label: k.label.into(),
                    optional: k.optional,
                    either: k.either,
                })
                .collect(),
            kinds_text: e.kinds_text,
            suspension_months: e.suspension_months,
            measures: e.measures,
            basis: e.basis,
            hearing_right: e.hearing_right,
            simple_procedure: e.simple_procedure,
            major_case: e.major_case,
            below_minimum_allowed: e.below_minimum_allowed,
            explanation: e.explanation,
            status: status_key(e.status),
            status_label: e.status.label().into(),
        }
    }
}

/// Evaluates the discretion benchmark for a violation and the facts.
#[utoipa::path(post, path = "/api/v1/rules/penalty", tag = "rules", request_body = PenaltyRequest,
    responses((status = 200, body = PenaltyResponse),
        (status = 422, description = "未知违法行为代码、金额无效等 (penalty.unknown_violation, request.invalid_amount ...)", body = ErrorBody)))]
pub async fn evaluate(ApiJson(req): ApiJson<PenaltyRequest>) -> Result<Json<PenaltyResponse>, ApiError> {
    let parsed = parse(req)?;
    let ev = penalty::evaluate(Catalog::official(), &parsed.query()).map_err(penalty_error)?;
    Ok(Json(ev.into()))
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct DecisionIn {
    /// Penalty kind keys decided.
    #[serde(default)]
    pub kinds: Vec<String>,
    /// The fine decided, yuan.
    #[schema(value_type = Option<f64>)]
    pub fine: Option<Value>,
    pub suspension_months: Option<u32>,
    /// Decided on the spot (简易程序).
    #[serde(default)]
    pub simple_procedure: bool,
}

/// The case as for `/rules/penalty`, plus the decision taken.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CheckRequest {
    pub violation: Option<String>,
    pub party: Option<String>,
    #[serde(default)]
    pub facts: FactsIn,
    #[serde(default)]
    pub circumstances: Vec<String>,
    #[serde(default)]
    pub decision: DecisionIn,
}

#[derive(Serialize, ToSchema)]
pub struct DeviationOut {
    pub code: String,
    /// unlawful | advisory
    pub severity: String,
    pub message: String,
}

#[derive(Serialize, ToSchema)]
pub struct CheckResponse {
    /// No unlawful deviation.
    pub lawful: bool,
    pub deviations: Vec<DeviationOut>,
    /// Whether the decided penalty gives the party a hearing right.
    pub hearing_right: bool,
    pub evaluation: PenaltyResponse,
}

/// Checks a decided penalty against the law and the benchmark; lists every deviation.
#[utoipa::path(post, path = "/api/v1/rules/penalty/check", tag = "rules", request_body = CheckRequest,
    responses((status = 200, body = CheckResponse), (status = 422, body = ErrorBody)))]
pub async fn check(ApiJson(req): ApiJson<CheckRequest>) -> Result<Json<CheckResponse>, ApiError> {
    let parsed = parse(PenaltyRequest {
        violation: req.violation,
        party: req.party,
        facts: req.facts,
        circumstances: req.circumstances,
    })?;
    let mut kinds = Vec::new();
    for k in &req.decision.kinds {
        kinds.push(
            PenaltyKind::parse(k)
                .ok_or_else(|| invalid("penalty.unknown_kind", "decision.kinds", format!("处罚种类“{k}”无效")))?,
        );
    }
    let decision = Decision {
        kinds,
        fine: money(req.decision.fine.as_ref(), "fine")?,
        suspension_months: req.decision.suspension_months,
        simple_procedure: req.decision.simple_procedure,
    };
    let report = penalty::check(Catalog::official(), &parsed.query(), &decision).map_err(penalty_error)?;
    Ok(Json(CheckResponse {
        lawful: report.lawful(),
        deviations: report
            .deviations
            .iter()
            .map(|d| DeviationOut { code: d.code.into(), severity: key(d.severity), message: d.message.clone() })
            .collect(),
        hearing_right: report.hearing_right,
        evaluation: report.evaluation.into(),
    }))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SearchQuery {
    /// Words to find in the code, name, area or legal basis; all must match.
    pub q: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct ViolationSummary {
    pub code: String,
    pub name: String,
    /// The legal basis, citations joined.
    pub basis: String,
    pub area: String,
    pub status: String,
}

impl From<&Violation> for ViolationSummary {
    fn from(v: &Violation) -> Self {
        ViolationSummary {
            code: v.code.clone(),
            name: v.name.clone(),
            basis: v.basis.iter().map(|c| c.to_string()).collect::<Vec<_>>().join("、"),
            area: v.area.clone(),
            status: status_key(v.status),
        }
    }
}

/// The violation catalog, searchable.
#[utoipa::path(get, path = "/api/v1/rules/violations", tag = "rules", params(SearchQuery),
    responses((status = 200, body = [ViolationSummary]), (status = 400, body = ErrorBody)))]
pub async fn violations(
    q: Result<Query<SearchQuery>, QueryRejection>,
) -> Result<Json<Vec<ViolationSummary>>, ApiError> {
    let Query(q) = q.map_err(|_| ApiError::new(StatusCode::BAD_REQUEST, "request.invalid_query", "查询参数无效"))?;
    let found = Catalog::official().search(q.q.as_deref().unwrap_or(""));
    Ok(Json(found.into_iter().map(ViolationSummary::from).collect()))
}

#[derive(Serialize, ToSchema)]
pub struct CircumstanceOut {
    pub code: String,
    pub name: String,
    /// Effect keys: scale, exempt, waivable, mitigate, lighter, heavier, major.
    pub effects: Vec<String>,
    pub basis: String,
}

#[derive(Serialize, ToSchema)]
pub struct ViolationDetail {
    pub code: String,
    pub name: String,
    pub area: String,
    pub basis: Vec<String>,
    pub measures: Vec<String>,
    pub parties: Vec<String>,
    /// The statute's scales, as data (kinds, fine rule, circumstances that select them).
    #[schema(value_type = Object)]
    pub scales: Value,
    /// The violation's own circumstances, then the general ones.
    pub circumstances: Vec<CircumstanceOut>,
    pub status: String,
    pub status_label: String,
    pub note: Option<String>,
}

fn effects(e: &[penalty::Effect]) -> Vec<String> {
    e.iter().map(key).collect()
}

/// One catalog entry with its scales and the circumstances it accepts.
#[utoipa::path(get, path = "/api/v1/rules/violations/{code}", tag = "rules",
    params(("code" = String, Path, description = "违法行为代码")),
    responses((status = 200, body = ViolationDetail), (status = 404, body = ErrorBody)))]
pub async fn violation(Path(code): Path<String>) -> Result<Json<ViolationDetail>, ApiError> {
    let catalog = Catalog::official();
    let v = catalog.get(&code).ok_or_else(|| {
        ApiError::new(StatusCode::NOT_FOUND, "penalty.unknown_violation", format!("违法行为代码“{code}”不存在"))
    })?;
    let mut circumstances: Vec<CircumstanceOut> = v
        .circumstances
        .iter()
        .map(|c| CircumstanceOut {
            code: c.code.clone(),
            name: c.name.clone(),
            effects: effects(&c.effects),
            basis: v.basis.first().map(|b| b.to_string()).unwrap_or_default(),
        })
        .collect();
    circumstances.extend(catalog.policy.circumstance.iter().map(|c| CircumstanceOut {
        code: c.code.clone(),
        name: c.name.clone(),
        effects: effects(&c.effects),
        basis: c.basis.clone(),
    }));
    Ok(Json(ViolationDetail {
        code: v.code.clone(),
        name: v.name.clone(),
        area: v.area.clone(),
        basis: v.basis.iter().map(|c| c.to_string()).collect(),
        measures: v.measures.clone(),
        parties: v.parties.iter().map(|p| p.label().to_string()).collect(),
        scales: serde_json::to_value(&v.scales).unwrap_or(Value::Null),
        circumstances,
        status: status_key(v.status),
        status_label: v.status.label().into(),
        note: v.note.clone(),
    }))
}
