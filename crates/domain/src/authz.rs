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
    /// Register and edit the master data of entities, licences and practitioners
    /// (names, addresses, attributes, licence numbers, dates, 校验); run imports.
    /// Not the bureau's determinations below.
    ManageRegistry,
    /// Record 注销/撤销 of a licence (or the end of a 暂扣) with a written reason.
    /// 吊销/暂扣 themselves only follow a penalty decision ([`Permission::ApplyPenalties`]).
    ChangeLicenceStatus,
    /// Change an entity's risk grade, credit grade or operating status, with a written reason.
    ChangeEntityGrades,
    /// Carry out a penalty decision on a licence (吊销, 暂扣): the cases module calls it.
    ApplyPenalties,
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
    /// Replace one of a task's two inspectors (更换执法人员) with a written reason:
    /// the drawn or assigned pair binds otherwise.
    SubstituteInspectors,
    /// Record an inspection in the field (two certified inspectors; the record names them).
    RecordInspections,
    /// Read case leads (案源); institutions never do.
    ViewCaseLeads,
    /// Register a case lead by hand (转为案源 for an overdue order).
    RegisterCaseLeads,
    /// Decide a case lead: accept it for 立案 or dismiss it with a reason
    /// (for a 一般-tier-or-above lead: propose the dismissal for legal review).
    DecideCaseLeads,
    /// 法制审核 of a proposed dismissal of a case lead: sign it off or refuse it.
    ReviewDismissals,
    /// Upload evidence files (照片、录音、录像、文档): staff for inspections, an
    /// institution for its own reports. Linking them is checked per record.
    AttachEvidence,
}

use Permission::*;

// One table gives `ALL` (the README's order), a stable key and the Chinese
// label (what the permission lets one do, as the README's table says it).
weijian_rules::keyed_enum!(Permission {
    ViewOrganisation => ("view_organisation", "查看单位与辖区"),
    ManageOrganisation => ("manage_organisation", "管理单位与辖区"),
    ViewUsers => ("view_users", "查看用户"),
    ManageUsers => ("manage_users", "管理用户"),
    ViewAudit => ("view_audit", "查看审计记录"),
    ViewRules => ("view_rules", "查看裁量基准与记分规则"),
    ManageCalendar => ("manage_calendar", "导入工作日历"),
    ViewRegistry => ("view_registry", "查看监管对象、许可证、医务人员、执法人员"),
    ManageRegistry => ("manage_registry", "登记、修改监管对象与许可证的基本信息，运行导入"),
    ChangeLicenceStatus => ("change_licence_status", "注销、撤销许可证或解除暂扣（须写明原因）"),
    ChangeEntityGrades => ("change_entity_grades", "变更风险等级、信用等级、经营状态（须写明原因）"),
    ApplyPenalties => ("apply_penalties", "依行政处罚决定吊销、暂扣许可证"),
    ManageInspectors => ("manage_inspectors", "维护执法人员名录库"),
    RevealIdNumbers => ("reveal_id_numbers", "查看完整身份证号（留痕）"),
    ViewDutyLists => ("view_duty_lists", "查看权责清单"),
    ManageDutyLists => ("manage_duty_lists", "编制、发布权责清单"),
    ViewPlans => ("view_plans", "查看抽查事项清单与抽查计划"),
    ManagePlans => ("manage_plans", "编制抽查事项清单，制定、冻结、抽取抽查计划"),
    SubstituteInspectors => ("substitute_inspectors", "更换检查任务的执法人员（须写明原因）"),
    RecordInspections => ("record_inspections", "录入检查记录与证据"),
    ViewCaseLeads => ("view_case_leads", "查看案源"),
    RegisterCaseLeads => ("register_case_leads", "登记案源"),
    DecideCaseLeads => ("decide_case_leads", "决定案源（立案或不予立案）"),
    ReviewDismissals => ("review_dismissals", "法制审核案源不予立案"),
    AttachEvidence => ("attach_evidence", "上传证据附件（单位用户仅限本单位报告）"),
});

/// The roles × permissions table: the one place that says what each role may
/// do (where it may do it is the store's jurisdiction filter). The README shows
/// it; a test keeps the two equal.
pub const ROLE_PERMISSIONS: &[(Role, &[Permission])] = &[
    (Role::Admin, Permission::ALL),
    (
        Role::Leader,
        &[
            ViewOrganisation,
            ViewUsers,
            ViewAudit,
            ViewRules,
            ViewRegistry,
            ChangeLicenceStatus,
            ChangeEntityGrades,
            ApplyPenalties,
            ViewDutyLists,
            ManageDutyLists,
            ViewPlans,
            SubstituteInspectors,
            ViewCaseLeads,
            DecideCaseLeads,
        ],
    ),
    (
        Role::SectionChief,
        &[
            ViewOrganisation,
            ViewUsers,
            ViewAudit,
            ViewRules,
            ViewRegistry,
            ManageRegistry,
            ChangeLicenceStatus,
            ChangeEntityGrades,
            ApplyPenalties,
            ManageInspectors,
            RevealIdNumbers,
            ViewDutyLists,
            ManageDutyLists,
            ViewPlans,
            ManagePlans,
            SubstituteInspectors,
            RecordInspections,
            ViewCaseLeads,
            RegisterCaseLeads,
            DecideCaseLeads,
            AttachEvidence,
        ],
    ),
    // 法制审核员 review; they neither record inspections nor upload evidence.
    (
        Role::LegalReviewer,
        &[
            ViewOrganisation,
            ViewUsers,
            ViewAudit,
            ViewRules,
            ViewRegistry,
            RevealIdNumbers,
            ViewDutyLists,
            ViewPlans,
            ViewCaseLeads,
            ReviewDismissals,
        ],
    ),
    // A 监督员 records inspections and keeps the registry's master data; the
    // bureau's determinations (licence status, grades) are not theirs.
    (
        Role::Inspector,
        &[
            ViewOrganisation,
            ViewUsers,
            ViewRules,
            ViewRegistry,
            ManageRegistry,
            ViewDutyLists,
            ViewPlans,
            RecordInspections,
            ViewCaseLeads,
            RegisterCaseLeads,
            AttachEvidence,
        ],
    ),
    // Their scope already limits them to their own institution.
    (Role::Institution, &[ViewUsers, ViewRegistry, AttachEvidence]),
];

pub fn role_allows(role: Role, p: Permission) -> bool {
    ROLE_PERMISSIONS.iter().any(|(r, ps)| *r == role && ps.contains(&p))
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

/// The table as Markdown, roles as columns: what the README's section on roles shows.
pub fn markdown_table() -> String {
    let mut out = String::from("| 权限 |");
    for r in Role::ALL {
        out.push_str(&format!(" {} |", r.label()));
    }
    out.push_str("\n| --- |");
    out.push_str(&" :-: |".repeat(Role::ALL.len()));
    out.push('\n');
    for &p in Permission::ALL {
        out.push_str(&format!("| {} (`{p:?}`) |", p.label()));
        for r in Role::ALL {
            out.push_str(if role_allows(r, p) { " ✓ |" } else { " |" });
        }
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_role_has_one_row_and_every_permission_is_listed_once() {
        for r in Role::ALL {
            assert_eq!(ROLE_PERMISSIONS.iter().filter(|(x, _)| *x == r).count(), 1, "{r:?}");
        }
        for (i, p) in Permission::ALL.iter().enumerate() {
            assert!(!Permission::ALL[..i].contains(p), "{p:?} twice");
        }
    }

    #[test]
    fn the_readme_shows_the_table_as_it_is() {
        let readme = include_str!("../../../README.md");
        let table = markdown_table();
        assert!(readme.contains(&table), "README's role table differs from domain::authz; put this in it:\n{table}");
    }

    #[test]
    fn an_inspector_records_but_does_not_decide_licence_status_or_grades() {
        assert!(role_allows(Role::Inspector, RecordInspections));
        assert!(role_allows(Role::Inspector, ManageRegistry));
        for p in [ChangeLicenceStatus, ChangeEntityGrades, ApplyPenalties] {
            assert!(!role_allows(Role::Inspector, p), "{p:?}");
            for r in [Role::SectionChief, Role::Leader, Role::Admin] {
                assert!(role_allows(r, p), "{r:?} {p:?}");
            }
            assert!(!role_allows(Role::LegalReviewer, p) && !role_allows(Role::Institution, p));
        }
    }

    #[test]
    fn only_legal_reviewers_sign_dismissals_off_and_they_upload_no_evidence() {
        for r in Role::ALL {
            let reviews = matches!(r, Role::LegalReviewer | Role::Admin);
            assert_eq!(role_allows(r, ReviewDismissals), reviews, "{r:?}");
        }
        for r in [Role::LegalReviewer, Role::Leader] {
            assert!(!role_allows(r, AttachEvidence), "{r:?}");
        }
        for r in [Role::Inspector, Role::SectionChief, Role::Institution] {
            assert!(role_allows(r, AttachEvidence), "{r:?}");
        }
    }

    #[test]
    fn only_a_section_chief_or_leader_replaces_an_assigned_inspector() {
        for r in Role::ALL {
            let expected = matches!(r, Role::SectionChief | Role::Leader | Role::Admin);
            assert_eq!(role_allows(r, SubstituteInspectors), expected, "{r:?}");
        }
    }
}
