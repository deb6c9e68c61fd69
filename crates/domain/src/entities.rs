//! Supervised entities (监管对象): parsing what users send, permission checks,
//! and the entity file (一户一档) that gathers everything known about one.

use crate::authz::{require, Permission};
use crate::error::{DomainError, DomainResult};
use crate::input::{self, Fields, Problem};
use serde::Deserialize;
use std::collections::BTreeMap;
use weijian_rules::ids::{Phone, Uscc};
use weijian_rules::registry::{CreditGrade, EntityStatus, Registry, RiskGrade};
use weijian_store::entities::{self, Entity, EntityData, Query};
use weijian_store::ids::EntityId;
use weijian_store::licences::{self, Licence};
use weijian_store::page::Page;
use weijian_store::{regions, Actor, Store};

/// An entity as sent by a form, the API or an import row: text to be parsed.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct EntityInput {
    pub region_code: String,
    pub name: String,
    pub uscc: Option<String>,
    pub uscc_exemption: Option<String>,
    /// A category key or its Chinese label.
    pub category: String,
    #[serde(default)]
    pub attributes: BTreeMap<String, String>,
    pub legal_representative: Option<String>,
    pub address: Option<String>,
    pub grid: Option<String>,
    pub contact_person: Option<String>,
    pub contact_phone: Option<String>,
    pub status: Option<String>,
    pub risk_grade: Option<String>,
    pub credit_grade: Option<String>,
}

impl EntityInput {
    /// Every problem of the record at once (region existence is checked by the caller).
    pub fn parse(&self) -> Result<EntityData, Vec<Problem>> {
        let mut f = Fields::default();
        let region_code = f.required("region_code", "行政区划代码", &self.region_code, 12);
        let name = f.required("name", "名称", &self.name, 100);
        let uscc = match self.uscc.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            Some(raw) => match Uscc::parse(raw) {
                Ok(u) => Some(u.as_str().to_string()),
                Err(e) => {
                    f.problem("entity.invalid_uscc", "uscc", raw, format!("统一社会信用代码无效：{e}"));
                    None
                }
            },
            None => None,
        };
        let exemption = f.optional("uscc_exemption", "无代码原因", self.uscc_exemption.as_deref(), 100);
        let uscc_given = self.uscc.as_deref().is_some_and(|s| !s.trim().is_empty());
        if !uscc_given && exemption.is_none() {
            f.problem(
                "entity.uscc_required",
                "uscc",
                "",
                "须填写统一社会信用代码；确无代码的（如个体从业者）须说明原因",
            );
        }
        let registry = Registry::official();
        let category = registry.category_by_key_or_label(&self.category);
        let mut attributes = BTreeMap::new();
        match category {
            None => f.problem(
                "entity.unknown_category",
                "category",
                &self.category,
                format!(
                    "未知的监管对象类别“{}”，应为：{}",
                    self.category.trim(),
                    registry.categories.iter().map(|c| c.label.as_str()).collect::<Vec<_>>().join("、")
                ),
            ),
            Some(c) => match c.check_attributes(&self.attributes) {
                Ok(a) => attributes = a,
                Err(e) => f.problem(
                    "entity.invalid_attribute",
                    "attributes",
                    self.attributes.get(&e.key).map(String::as_str).unwrap_or(""),
                    e.message,
                ),
            },
        }
        let contact_phone = match self.contact_phone.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            Some(raw) => match Phone::parse(raw) {
                Ok(_) => Some(raw.to_string()),
                Err(e) => {
                    f.problem("entity.invalid_phone", "contact_phone", raw, format!("联系电话无效：{e}"));
                    None
                }
            },
            None => None,
        };
        let status = keyed(&mut f, "status", "经营状态", self.status.as_deref(), EntityStatus::parse_key_or_label)
            .unwrap_or(EntityStatus::Operating);
        let risk_grade =
            keyed(&mut f, "risk_grade", "风险等级", self.risk_grade.as_deref(), RiskGrade::parse_key_or_label);
        let credit_grade =
            keyed(&mut f, "credit_grade", "信用等级", self.credit_grade.as_deref(), CreditGrade::parse_key_or_label);
        let data = EntityData {
            region_code,
            name,
            uscc_exemption: if uscc.is_some() || uscc_given { None } else { exemption },
            uscc,
            category: category.map(|c| c.key.clone()).unwrap_or_default(),
            attributes,
            legal_representative: f.optional(
                "legal_representative",
                "法定代表人",
                self.legal_representative.as_deref(),
                50,
            ),
            address: f.optional("address", "地址", self.address.as_deref(), 200),
            grid: f.optional("grid", "网格", self.grid.as_deref(), 50),
            contact_person: f.optional("contact_person", "联系人", self.contact_person.as_deref(), 50),
            contact_phone,
            status,
            risk_grade,
            credit_grade,
        };
        f.finish(data)
    }
}

fn keyed<T>(
    f: &mut Fields,
    field: &'static str,
    label: &str,
    value: Option<&str>,
    parse: fn(&str) -> Option<T>,
) -> Option<T> {
    let v = value.map(str::trim).filter(|v| !v.is_empty())?;
    let parsed = parse(v);
    if parsed.is_none() {
        f.problem("field.invalid_choice", field, v, format!("{label}“{v}”不是有效的取值"));
    }
    parsed
}

/// Parses and checks that the region exists (the store would otherwise hit its foreign key).
pub async fn parse_checked(store: &Store, input: &EntityInput) -> DomainResult<EntityData> {
    let data = input.parse().map_err(input::first)?;
    if regions::get(store, &data.region_code).await.is_err() {
        return Err(DomainError::invalid("entity.unknown_region", "region_code", "行政区划代码不存在"));
    }
    Ok(data)
}

/// The bureau's determinations about an entity: operating status, risk grade,
/// credit grade. Not master data: changing them is [`Permission::ChangeEntityGrades`]'s.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Determinations {
    pub status: EntityStatus,
    pub risk_grade: Option<RiskGrade>,
    pub credit_grade: Option<CreditGrade>,
}

impl Determinations {
    pub fn of(d: &EntityData) -> Self {
        Determinations { status: d.status, risk_grade: d.risk_grade, credit_grade: d.credit_grade }
    }

    /// A newly registered entity's: operating, not graded.
    pub const NEW: Determinations =
        Determinations { status: EntityStatus::Operating, risk_grade: None, credit_grade: None };

    /// What differs from `before`, in Chinese ("风险等级 B→C").
    pub fn changes_from(&self, before: &Determinations) -> Vec<String> {
        let grade = |g: Option<&'static str>| g.unwrap_or("未评定");
        let mut out = Vec::new();
        if self.status != before.status {
            out.push(format!("经营状态 {}→{}", before.status.label(), self.status.label()));
        }
        if self.risk_grade != before.risk_grade {
            out.push(format!(
                "风险等级 {}→{}",
                grade(before.risk_grade.map(RiskGrade::key)),
                grade(self.risk_grade.map(RiskGrade::key))
            ));
        }
        if self.credit_grade != before.credit_grade {
            out.push(format!(
                "信用等级 {}→{}",
                grade(before.credit_grade.map(CreditGrade::key)),
                grade(self.credit_grade.map(CreditGrade::key))
            ));
        }
        out
    }
}

/// Whether the actor may set these determinations (`before` None: a new
/// entity). Err: 403 before any write, so the audit chain does not grow.
pub fn check_determinations(actor: &Actor, before: Option<&EntityData>, after: &EntityData) -> DomainResult<bool> {
    let was = before.map(Determinations::of).unwrap_or(Determinations::NEW);
    let changed = Determinations::of(after) != was;
    if changed && !crate::authz::allows(actor, Permission::ChangeEntityGrades) {
        return Err(DomainError::new(
            crate::error::ErrorKind::Forbidden,
            "entity.determination_forbidden",
            "风险等级、信用等级和经营状态须由股室负责人或局领导写明原因后变更，您的角色无权变更",
        ));
    }
    Ok(changed)
}

pub async fn create(store: &Store, actor: &Actor, input: &EntityInput) -> DomainResult<Entity> {
    require(actor, Permission::ManageRegistry)?;
    let data = parse_checked(store, input).await?;
    check_determinations(actor, None, &data)?;
    Ok(entities::create(store, actor, &data).await?)
}

/// Replaces an entity's data. Master data needs [`Permission::ManageRegistry`];
/// a change of status or grades needs [`Permission::ChangeEntityGrades`] and a
/// written reason (kept in the audit event). A request that changes both is
/// refused whole when either is missing.
pub async fn update(
    store: &Store,
    actor: &Actor,
    id: EntityId,
    expected_version: Option<i64>,
    input: &EntityInput,
    reason: Option<&str>,
) -> DomainResult<Entity> {
    if !crate::authz::allows(actor, Permission::ManageRegistry) {
        require(actor, Permission::ChangeEntityGrades)?;
    }
    let data = parse_checked(store, input).await?;
    let before = entities::get(store, actor, id).await?;
    let master_changed = EntityData {
        status: before.data.status,
        risk_grade: before.data.risk_grade,
        credit_grade: before.data.credit_grade,
        ..data.clone()
    } != before.data;
    if master_changed {
        require(actor, Permission::ManageRegistry)?;
    }
    let note = if check_determinations(actor, Some(&before.data), &data)? {
        let reason = crate::licences::written_reason("entity.reason_required", reason)?;
        let changes = Determinations::of(&data).changes_from(&Determinations::of(&before.data));
        Some(format!("{}；原因：{reason}", changes.join("，")))
    } else {
        None
    };
    Ok(entities::update(store, actor, id, expected_version, &data, note.as_deref()).await?)
}

pub async fn get(store: &Store, actor: &Actor, id: EntityId) -> DomainResult<Entity> {
    require(actor, Permission::ViewRegistry)?;
    Ok(entities::get(store, actor, id).await?)
}

pub async fn list(store: &Store, actor: &Actor, query: &Query) -> DomainResult<Page<Entity>> {
    require(actor, Permission::ViewRegistry)?;
    if query.q.as_deref().is_some_and(|q| q.chars().count() > 50) {
        return Err(DomainError::invalid("search.too_long", "q", "搜索词不能超过50个字"));
    }
    Ok(entities::list(store, actor, query).await?)
}

/// Something about an entity that needs attention.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Warning {
    pub code: &'static str,
    pub message: String,
}

/// Operating without an in-force licence of a kind its category requires,
/// a licence expiring, or a 校验 overdue.
pub fn licence_warnings(entity: &Entity, licences: &[Licence], today: chrono::NaiveDate) -> Vec<Warning> {
    let registry = Registry::official();
    let mut out = Vec::new();
    if entity.data.status == EntityStatus::Operating {
        if let Some(category) = registry.category(&entity.data.category) {
            for kind in &category.required_licences {
                let held = licences.iter().any(|l| &l.data.kind == kind && l.status_on(today).in_force());
                if !held {
                    let label = registry.licence_kind(kind).map(|k| k.label.as_str()).unwrap_or(kind);
                    out.push(Warning {
                        code: "entity.licence_missing", message: format!("正常经营但无有效的{label}")
                    });
                }
            }
        }
    }
    for l in licences {
        let label = registry.licence_kind(&l.data.kind).map(|k| k.label.as_str()).unwrap_or(&l.data.kind);
        if l.status_on(today) == weijian_rules::registry::LicenceStatus::Expiring {
            if let Some(until) = l.data.valid_until {
                out.push(Warning {
                    code: "licence.expiring",
                    message: format!("{label}（{}）将于 {until} 到期", l.data.number),
                });
            }
        }
        if l.status_on(today).in_force() {
            if let Some(due) = l.data.next_verification_due.filter(|d| *d < today) {
                out.push(Warning {
                    code: "licence.verification_overdue",
                    message: format!("{label}（{}）应于 {due} 前校验，已逾期", l.data.number),
                });
            }
        }
    }
    out
}

/// The entity file (一户一档): the entity with every section later modules
/// fill (inspections, complaints, cases, points, credit) and its timeline.
pub struct EntityFile {
    pub entity: Entity,
    pub licences: Vec<Licence>,
    /// Who practises here (primary institution or a filed practice site), masked.
    pub staff: weijian_store::practitioners::EntityStaff,
    pub warnings: Vec<Warning>,
    /// Inspections of the entity, newest first.
    pub inspections: Vec<weijian_store::inspections::Inspection>,
    /// The audit history of the entity and its licences (newest first), for roles that may see it.
    pub timeline: Vec<weijian_store::audit::AuditEvent>,
}

pub async fn file(store: &Store, actor: &Actor, id: EntityId) -> DomainResult<EntityFile> {
    let entity = get(store, actor, id).await?;
    let licences = licences::of_entity(store, actor, id).await?;
    let staff = crate::practitioners::of_entity(store, actor, id).await?;
    let warnings = licence_warnings(&entity, &licences, input::today());
    let timeline = if crate::authz::allows(actor, Permission::ViewAudit) {
        let mut objects = vec![("entity", id.to_string())];
        objects.extend(licences.iter().map(|l| ("licence", l.id.to_string())));
        let mut t = weijian_store::audit::history_of(store, actor, &objects).await?;
        t.reverse();
        t
    } else {
        Vec::new()
    };
    let inspections = weijian_store::inspections::of_entity(store, actor, id).await?;
    Ok(EntityFile { entity, licences, staff, warnings, inspections, timeline })
}

/// What needs attention in one's jurisdiction today: the home page's panel.
pub struct Attention {
    pub expiring_licences: i64,
    pub expired_licences: i64,
    pub expiring_certificates: Vec<weijian_store::inspectors::Inspector>,
}

pub async fn attention(store: &Store, actor: &Actor, today: chrono::NaiveDate) -> DomainResult<Attention> {
    require(actor, Permission::ViewRegistry)?;
    let count = |status| licences::Query { status: Some(status), today: Some(today), ..Default::default() };
    use weijian_rules::registry::LicenceStatus;
    Ok(Attention {
        expiring_licences: licences::count(store, actor, &count(LicenceStatus::Expiring)).await?,
        expired_licences: licences::count(store, actor, &count(LicenceStatus::Expired)).await?,
        expiring_certificates: weijian_store::inspectors::expiring_certificates(store, actor, today).await?,
    })
}
