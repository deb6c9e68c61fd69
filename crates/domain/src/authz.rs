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
    /// Read the registries: entities, licences, practitioners, inspectors.
    ViewRegistry,
    /// Register and change entities, licences, practitioners; run imports.
    ManageRegistry,
    /// Keep the inspector directory (执法人员名录库).
    ManageInspectors,
    /// See a practitioner's full 身份证号 (each look is audit-logged).
    RevealIdNumbers,
    /// Read the responsibility lists (权责清单) of one's jurisdiction.
    ViewDutyLists,
    /// Draft and publish responsibility lists.
    ManageDutyLists,
    /// Read the inspection item lists (抽查事项清单) of one's jurisdiction: staff only.
    ViewPlans,
    /// Draft and publish inspection item lists; plan, freeze and draw random inspections.
    ManagePlans,
    /// Record an inspection in the field (two certified inspectors; the record names them).
    RecordInspections,
    /// Read case leads (案源); institutions never do.
    ViewCaseLeads,
    /// Register a case lead by hand (转为案源 for an overdue order).
    RegisterCaseLeads,
    /// Decide a case lead: accept it for 立案 or dismiss it with a reason.
    DecideCaseLeads,
}

pub fn role_allows(role: Role, p: Permission) -> bool {
    use Permission::*;
    match role {
        Role::Admin => true,
        Role::Leader => matches!(
            p,
            ViewOrganisation
                | ViewUsers
                | ViewAudit
                | ViewRules
                | ViewRegistry
                | ViewDutyLists
                | ManageDutyLists
                | ViewCaseLeads
                | DecideCaseLeads
                | ViewPlans
        ),
        Role::SectionChief => matches!(
            p,
            ViewOrganisation
                | ViewUsers
                | ViewAudit
                | ViewRules
                | ViewRegistry
                | ManageRegistry
                | ManageInspectors
                | RevealIdNumbers
                | ViewDutyLists
                | ManageDutyLists
                | ViewPlans
                | ManagePlans
                | RecordInspections
                | ViewCaseLeads
                | RegisterCaseLeads
                | DecideCaseLeads
        ),
        Role::LegalReviewer => matches!(
            p,
            ViewOrganisation
                | ViewUsers
                | ViewAudit
                | ViewRules
                | ViewRegistry
                | RevealIdNumbers
                | ViewDutyLists
                | ViewCaseLeads
                | ViewPlans
        ),
        Role::Inspector => {
            matches!(
                p,
                ViewOrganisation
                    | ViewUsers
                    | ViewRules
                    | ViewRegistry
                    | ManageRegistry
                    | ViewDutyLists
                    | ViewPlans
                    | RecordInspections
                    | ViewCaseLeads
                    | RegisterCaseLeads
            )
        }
        // Their scope already limits them to their own institution.
        Role::Institution => matches!(p, ViewUsers | ViewRegistry),
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
