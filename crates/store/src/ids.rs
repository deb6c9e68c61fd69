//! Typed identifiers: UUIDv7 (time-sortable, mergeable across deployments),
//! stored as their canonical text on both backends.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;
use uuid::Uuid;

macro_rules! id_type {
    ($($name:ident),* $(,)?) => {$(
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub Uuid);

        impl $name {
            pub fn new() -> Self {
                $name(Uuid::now_v7())
            }
        }

        impl Default for $name {
            fn default() -> Self {
                Self::new()
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }

        impl FromStr for $name {
            type Err = uuid::Error;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Uuid::parse_str(s).map($name)
            }
        }
    )*};
}

id_type!(
    UserId,
    UnitId,
    SectionId,
    EntityId,
    TokenId,
    EventId,
    LicenceId,
    PractitionerId,
    PracticeSiteId,
    InspectorId,
    ImportJobId,
    DocumentNumberId
);

/// Parses an id read back from the database; a malformed one is corruption.
pub(crate) fn parse_db<T: FromStr>(s: &str) -> Result<T, crate::StoreError> {
    s.parse().map_err(|_| crate::StoreError::Corrupt(format!("无效的标识符：{s}")))
}

// 权责清单 (one version of a unit's responsibility list).
id_type!(DutyListId);

// 双随机: item list versions, plans, declared conflicts, inspection tasks.
id_type!(InspectionItemListId, RandomPlanId, InspectorConflictId, InspectionTaskId, InspectionId, RectificationId);
// 更换执法人员 (one inspector of a task replaced).
id_type!(TaskSubstitutionId);
// 证据附件 (one upload; its bytes are shared by content).
id_type!(AttachmentId);
// 案源 (a possible case and where it came from).
id_type!(CaseLeadId);
// 自查: a campaign and one entity's report to it.
id_type!(SelfInspectionCampaignId, SelfInspectionReportId);
// 专项检查 (a special inspection campaign).
id_type!(InspectionCampaignId);
