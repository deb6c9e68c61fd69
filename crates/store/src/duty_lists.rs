//! Responsibility lists (权责清单): one unit's duties (主要职责) and their tasks
//! (具体工作事项), the duty boundaries with other departments (职责边界) and the
//! public services it offers (公共服务事项), kept in versions.
//!
//! Versions, drafts and publication work as for every versioned list
//! (crate::versioned); the content is one JSON document of the structs below.

use crate::ids::{DutyListId, UnitId};
use crate::versioned::{self, ListKind, Versioned};
use crate::{units, Actor, Store, StoreError, StoreResult};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use sqlx::AnyConnection;

/// The whole list: duties with their tasks, duty boundaries, public services.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DutyListContent {
    #[serde(default)]
    pub duties: Vec<Duty>,
    #[serde(default)]
    pub boundaries: Vec<DutyBoundary>,
    #[serde(default)]
    pub public_services: Vec<PublicService>,
}

/// 主要职责: what the unit answers for, on what basis, broken into tasks.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Duty {
    pub name: String,
    /// The legal or organisational basis (三定方案, a statute ...).
    #[serde(default)]
    pub basis: String,
    #[serde(default)]
    pub tasks: Vec<DutyTask>,
}

/// 具体工作事项, with the section (股室) responsible for it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DutyTask {
    pub name: String,
    #[serde(default)]
    pub section: String,
    #[serde(default)]
    pub remarks: String,
}

/// 职责边界: a matter shared with another department, who does which part.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DutyBoundary {
    pub matter: String,
    pub our_part: String,
    pub other_department: String,
    pub their_part: String,
    #[serde(default)]
    pub basis: String,
    #[serde(default)]
    pub cases: String,
}

/// 公共服务事项: a service offered to the public.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PublicService {
    pub name: String,
    #[serde(default)]
    pub content: String,
    #[serde(default)]
    pub handling_unit: String,
    #[serde(default)]
    pub phone: String,
}

#[derive(Clone, Debug)]
pub struct DutyLists;

impl ListKind for DutyLists {
    type Id = DutyListId;
    type Content = DutyListContent;
    const TABLE: &'static str = "duty_lists";
    const OBJECT_TYPE: &'static str = "duty_list";
    const NOUN: &'static str = "权责清单";
    const CODE_IMMUTABLE: &'static str = "duty_list.published_immutable";
    const CODE_DRAFT_EXISTS: &'static str = "duty_list.draft_exists";
    const CODE_VERSION_CONFLICT: &'static str = "duty_list.version_conflict";
    const AREA: weijian_rules::lifecycle::Area = weijian_rules::area!("duty_list", "权责清单");
    fn new_id() -> DutyListId {
        DutyListId::new()
    }
}

pub type DutyList = Versioned<DutyLists>;
pub type DutyListStatus = versioned::ListStatus;
pub use versioned::ListFilter;

pub fn immutable() -> StoreError {
    versioned::immutable::<DutyLists>()
}

pub async fn create_draft(store: &Store, actor: &Actor, unit_id: UnitId, title: Option<&str>) -> StoreResult<DutyList> {
    versioned::create_draft(store, actor, unit_id, title).await
}

pub async fn latest_of_unit(conn: &mut AnyConnection, actor: &Actor, unit_id: UnitId) -> StoreResult<Option<DutyList>> {
    versioned::latest_of_unit(conn, actor, unit_id).await
}

pub async fn insert_draft(
    conn: &mut AnyConnection,
    actor: &Actor,
    unit: &units::Unit,
    title: Option<&str>,
) -> StoreResult<DutyList> {
    versioned::insert_draft(conn, actor, unit, title).await
}

pub async fn get(store: &Store, actor: &Actor, id: DutyListId) -> StoreResult<DutyList> {
    versioned::get::<DutyLists>(store, actor, id).await
}

pub async fn list(store: &Store, actor: &Actor, filter: &ListFilter) -> StoreResult<Vec<DutyList>> {
    versioned::list(store, actor, filter).await
}

pub async fn draft_in(conn: &mut AnyConnection, actor: &Actor, id: DutyListId) -> StoreResult<DutyList> {
    versioned::draft_in::<DutyLists>(conn, actor, id).await
}

pub async fn save_content_in(conn: &mut AnyConnection, id: DutyListId, content: &DutyListContent) -> StoreResult<()> {
    versioned::save_content_in::<DutyLists>(conn, id, content).await
}

pub async fn update_draft(
    store: &Store,
    actor: &Actor,
    id: DutyListId,
    title: &str,
    content: &DutyListContent,
) -> StoreResult<DutyList> {
    versioned::update_draft::<DutyLists>(store, actor, id, title, content).await
}

pub async fn publish(
    store: &Store,
    actor: &Actor,
    id: DutyListId,
    version: Option<i64>,
    effective_on: NaiveDate,
) -> StoreResult<DutyList> {
    versioned::publish::<DutyLists>(store, actor, id, version, effective_on).await
}

pub async fn published_in_effect(store: &Store, region_code: &str, today: NaiveDate) -> StoreResult<Vec<DutyList>> {
    versioned::published_in_effect(store, region_code, today).await
}
