//! Who may take which lifecycle action: each workflow maps its actions to
//! what they need (a permission, the institution itself, or nothing a user
//! can do by hand) in one table here, and `allowed_actions` offers a user
//! the actions the state table allows now, their role permits and their
//! jurisdiction covers. The API and pages show only these.

use crate::authz::{allows, Permission};
use weijian_rules::case_leads::{CaseLeadAction, CaseLeadStatus};
use weijian_rules::inspection::{PlanAction, PlanStatus, TaskAction, TaskStatus};
use weijian_rules::keyed::Keyed;
use weijian_rules::lifecycle::{actions, Lifecycle};
use weijian_rules::rectification::{RectificationAction, RectificationStatus};
use weijian_rules::self_inspection::{CampaignAction, CampaignStatus, ReportAction, ReportStatus};
use weijian_rules::versioned_list::{ListAction, ListStatus};
use weijian_rules::{RegionCode, RegionLevel};
use weijian_store::actor::Standing;
use weijian_store::ids::EntityId;
use weijian_store::Actor;

/// What an action needs from the user.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Need {
    /// Staff holding this permission, in the object's region.
    Staff(Permission),
    /// The institution the object is about (its own report).
    Institution,
    /// Taken by the system as a consequence of another action (plan progress,
    /// a re-inspection's verdict): never offered as a button.
    Consequence,
}

pub fn plan_action(a: PlanAction) -> Need {
    match a {
        PlanAction::Publish | PlanAction::Freeze | PlanAction::Draw | PlanAction::PublishResults => {
            Need::Staff(Permission::ManagePlans)
        }
        PlanAction::Start | PlanAction::Complete => Need::Consequence,
    }
}

pub fn task_action(a: TaskAction) -> Need {
    match a {
        TaskAction::Record => Need::Staff(Permission::RecordInspections),
        TaskAction::Cancel => Need::Staff(Permission::ManagePlans),
    }
}

pub fn rectification_action(a: RectificationAction) -> Need {
    match a {
        RectificationAction::Report => Need::Institution,
        // Only a re-inspection record closes an order.
        RectificationAction::Verify | RectificationAction::Unresolved => Need::Consequence,
    }
}

pub fn case_lead_action(a: CaseLeadAction) -> Need {
    match a {
        CaseLeadAction::Accept | CaseLeadAction::Dismiss | CaseLeadAction::RequestDismissal => {
            Need::Staff(Permission::DecideCaseLeads)
        }
        CaseLeadAction::ApproveDismissal | CaseLeadAction::RejectDismissal => Need::Staff(Permission::ReviewDismissals),
    }
}

pub fn campaign_action(a: CampaignAction) -> Need {
    match a {
        CampaignAction::Close => Need::Staff(Permission::ManagePlans),
    }
}

pub fn report_action(a: ReportAction) -> Need {
    match a {
        ReportAction::Accept | ReportAction::Return => Need::Staff(Permission::ManagePlans),
        ReportAction::Resubmit => Need::Institution,
    }
}

pub fn duty_list_action(a: ListAction) -> Need {
    match a {
        ListAction::Publish => Need::Staff(Permission::ManageDutyLists),
    }
}

pub fn item_list_action(a: ListAction) -> Need {
    match a {
        ListAction::Publish => Need::Staff(Permission::ManagePlans),
    }
}

/// Whether `region` is `actor`'s region or (for roles that write below their
/// own region) lies under it. Codes nest by level: a province's first two
/// digits, a city's first four.
fn covers(actor_region: &RegionCode, writes_below: bool, region: &str) -> bool {
    if actor_region.as_str() == region {
        return true;
    }
    let prefix = match actor_region.level() {
        RegionLevel::Province => 2,
        RegionLevel::City => 4,
        _ => return false,
    };
    writes_below && region.len() == 6 && region.starts_with(&actor_region.as_str()[..prefix])
}

/// The object's owner for the jurisdiction half of the check.
#[derive(Clone, Copy, Debug)]
pub struct Owner<'a> {
    pub region_code: &'a str,
    pub entity_id: Option<EntityId>,
}

fn may(actor: &Actor, need: Need, owner: Owner<'_>) -> bool {
    match (&actor.standing, need) {
        (_, Need::Consequence) => false,
        (Standing::System, _) => true,
        (Standing::User { entity_id: Some(own), .. }, Need::Institution) => owner.entity_id == Some(*own),
        (Standing::User { entity_id: Some(_), .. }, Need::Staff(_)) => false,
        (Standing::User { .. }, Need::Institution) => false,
        (Standing::User { role, region_code, .. }, Need::Staff(p)) => {
            allows(actor, p) && covers(region_code, role.writes_subordinate_regions(), owner.region_code)
        }
    }
}

/// The keys of the actions this actor may take now on an object in `status`.
pub fn allowed_actions<S: Lifecycle>(
    actor: &Actor,
    status: S,
    owner: Owner<'_>,
    need: fn(S::Action) -> Need,
) -> Vec<&'static str> {
    actions(status).into_iter().filter(|a| may(actor, need(*a), owner)).map(Keyed::key).collect()
}

pub fn of_plan(actor: &Actor, status: PlanStatus, region_code: &str) -> Vec<&'static str> {
    allowed_actions(actor, status, Owner { region_code, entity_id: None }, plan_action)
}

pub fn of_task(actor: &Actor, status: TaskStatus, region_code: &str) -> Vec<&'static str> {
    allowed_actions(actor, status, Owner { region_code, entity_id: None }, task_action)
}

pub fn of_rectification(
    actor: &Actor,
    status: RectificationStatus,
    region_code: &str,
    entity_id: EntityId,
) -> Vec<&'static str> {
    allowed_actions(actor, status, Owner { region_code, entity_id: Some(entity_id) }, rectification_action)
}

pub fn of_case_lead(actor: &Actor, status: CaseLeadStatus, region_code: &str) -> Vec<&'static str> {
    allowed_actions(actor, status, Owner { region_code, entity_id: None }, case_lead_action)
}

pub fn of_campaign(actor: &Actor, status: CampaignStatus, region_code: &str) -> Vec<&'static str> {
    allowed_actions(actor, status, Owner { region_code, entity_id: None }, campaign_action)
}

/// A report is reviewed by its campaign's region and resubmitted by its entity.
pub fn of_report(actor: &Actor, status: ReportStatus, campaign_region: &str, entity_id: EntityId) -> Vec<&'static str> {
    allowed_actions(actor, status, Owner { region_code: campaign_region, entity_id: Some(entity_id) }, report_action)
}

pub fn of_duty_list(actor: &Actor, status: ListStatus, region_code: &str) -> Vec<&'static str> {
    allowed_actions(actor, status, Owner { region_code, entity_id: None }, duty_list_action)
}

pub fn of_item_list(actor: &Actor, status: ListStatus, region_code: &str) -> Vec<&'static str> {
    allowed_actions(actor, status, Owner { region_code, entity_id: None }, item_list_action)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_action_of_every_table_has_a_need() {
        // The match arms above are exhaustive; this pins the ones a user never takes.
        assert_eq!(plan_action(PlanAction::Start), Need::Consequence);
        assert_eq!(rectification_action(RectificationAction::Verify), Need::Consequence);
        assert_eq!(rectification_action(RectificationAction::Report), Need::Institution);
    }

    #[test]
    fn a_province_covers_its_counties_only_when_it_writes_below() {
        let hebei = RegionCode::parse("130000").unwrap();
        assert!(covers(&hebei, true, "131127"));
        assert!(!covers(&hebei, false, "131127"));
        assert!(!covers(&hebei, true, "460105"));
        let county = RegionCode::parse("131127").unwrap();
        assert!(covers(&county, true, "131127") && !covers(&county, true, "131128"));
    }
}
