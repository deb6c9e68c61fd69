//! The organisation: units and their sections, read within one's jurisdiction.

use crate::authz::{require, Permission};
use crate::error::DomainResult;
use weijian_store::ids::UnitId;
use weijian_store::units::{self, Section, Unit};
use weijian_store::{Actor, Store};

pub async fn list_units(store: &Store, actor: &Actor) -> DomainResult<Vec<Unit>> {
    require(actor, Permission::ViewOrganisation)?;
    Ok(units::list(store, actor).await?)
}

pub async fn get_unit(store: &Store, actor: &Actor, id: UnitId) -> DomainResult<(Unit, Vec<Section>)> {
    require(actor, Permission::ViewOrganisation)?;
    let unit = units::get(store, actor, id).await?;
    let sections = units::sections_of(store, actor, id).await?;
    Ok((unit, sections))
}
