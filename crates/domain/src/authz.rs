//! What each role may do. Where it may do it is the store's jurisdiction filter.

use crate::error::{DomainError, DomainResult};
use weijian_store::{Actor, Role};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Permission {
    ViewOrganisation,
    ManageOrganisation,
    ViewUsers,
    ManageUsers,
    /// See objects' audit history.
    ViewAudit,
    /// Read the discretion benchmark and the points rules (staff pages).
    ViewRules,
    /// Import a newly published year of the working-day calendar.
    ManageCalendar,
    /// Read the responsibility lists (权责清单) of one's jurisdiction.
    ViewDutyLists,
    /// Draft and publish responsibility lists.
    ManageDutyLists,
}

pub fn role_allows(role: Role, p: Permission) -> bool {
    use Permission::*;
    match role {
        Role::Admin => true,
        Role::Leader | Role::SectionChief => {
            matches!(p, ViewOrganisation | ViewUsers | ViewAudit | ViewRules | ViewDutyLists | ManageDutyLists)
        }
        Role::LegalReviewer => matches!(p, ViewOrganisation | ViewUsers | ViewAudit | ViewRules | ViewDutyLists),
        Role::Inspector => matches!(p, ViewOrganisation | ViewUsers | ViewRules | ViewDutyLists),
        // Their scope already limits them to their own institution.
        Role::Institution => matches!(p, ViewUsers),
    }
}

pub fn allows(actor: &Actor, p: Permission) -> bool {
    actor.role().is_none_or(|r| role_allows(r, p))
}

pub fn require(actor: &Actor, p: Permission) -> DomainResult<()> {
    if allows(actor, p) {
        Ok(())
    } else {
        Err(DomainError::forbidden("您的角色无权执行此操作"))
    }
}
