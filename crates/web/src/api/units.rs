use crate::error::{ApiError, ErrorBody};
use crate::extract::{CurrentUser, PathId};
use crate::AppState;
use axum::extract::State;
use axum::Json;
use serde::Serialize;
use utoipa::ToSchema;
use weijian_domain::org;
use weijian_store::units::{Section, Unit};

#[derive(Serialize, ToSchema)]
pub struct UnitView {
    pub id: String,
    pub region_code: String,
    pub name: String,
    /// bureau, supervision_institute, cdc, other
    pub kind: String,
    pub kind_label: String,
    pub parent_unit_id: Option<String>,
    pub phone: Option<String>,
    pub address: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct SectionView {
    pub id: String,
    pub name: String,
    pub duty: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct UnitDetail {
    #[serde(flatten)]
    pub unit: UnitView,
    pub sections: Vec<SectionView>,
}

impl From<&Unit> for UnitView {
    fn from(u: &Unit) -> Self {
        UnitView {
            id: u.id.to_string(),
            region_code: u.region_code.clone(),
            name: u.name.clone(),
            kind: u.kind.key().into(),
            kind_label: u.kind.label().into(),
            parent_unit_id: u.parent_unit_id.map(|v| v.to_string()),
            phone: u.phone.clone(),
            address: u.address.clone(),
        }
    }
}

impl From<&Section> for SectionView {
    fn from(s: &Section) -> Self {
        SectionView { id: s.id.to_string(), name: s.name.clone(), duty: s.duty.clone() }
    }
}

/// Units in the caller's jurisdiction.
#[utoipa::path(get, path = "/api/v1/units", tag = "organisation",
    security(("session" = []), ("bearer" = [])),
    responses((status = 200, body = Vec<UnitView>), (status = 401, body = ErrorBody)))]
pub async fn list(State(state): State<AppState>, CurrentUser(a): CurrentUser) -> Result<Json<Vec<UnitView>>, ApiError> {
    let units = org::list_units(&state.store, &a.actor).await?;
    Ok(Json(units.iter().map(UnitView::from).collect()))
}

/// One unit with its sections; 404 outside the caller's jurisdiction.
#[utoipa::path(get, path = "/api/v1/units/{id}", tag = "organisation",
    params(("id" = String, Path, description = "单位标识")),
    security(("session" = []), ("bearer" = [])),
    responses((status = 200, body = UnitDetail), (status = 404, body = ErrorBody), (status = 401, body = ErrorBody)))]
pub async fn get(
    State(state): State<AppState>,
    CurrentUser(a): CurrentUser,
    PathId(id): PathId<weijian_store::ids::UnitId>,
) -> Result<Json<UnitDetail>, ApiError> {
    let (unit, sections) = org::get_unit(&state.store, &a.actor, id).await?;
    Ok(Json(UnitDetail { unit: UnitView::from(&unit), sections: sections.iter().map(SectionView::from).collect() }))
}
