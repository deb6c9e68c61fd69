//! Who is acting: every data access and every audit event carries an Actor.

use crate::ids::{EntityId, UnitId, UserId};
use serde::{Deserialize, Serialize};
use weijian_rules::RegionCode;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Admin,
    Leader,
    SectionChief,
    Inspector,
    LegalReviewer,
    Institution,
}

impl Role {
    pub const ALL: [Role; 6] =
        [Role::Admin, Role::Leader, Role::SectionChief, Role::Inspector, Role::LegalReviewer, Role::Institution];

    pub fn key(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Leader => "leader",
            Role::SectionChief => "section_chief",
            Role::Inspector => "inspector",
            Role::LegalReviewer => "legal_reviewer",
            Role::Institution => "institution",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Role::Admin => "系统管理员",
            Role::Leader => "局领导",
            Role::SectionChief => "股室负责人",
            Role::Inspector => "监督员",
            Role::LegalReviewer => "法制审核员",
            Role::Institution => "机构用户",
        }
    }

    pub fn parse(key: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.key() == key)
    }

    /// Writing below one's own region is a power a role must be given explicitly.
    pub fn writes_subordinate_regions(self) -> bool {
        matches!(self, Role::Admin)
    }
}

/// Where an actor stands: the system itself (CLI, demo seeding) or a user in a region.
#[derive(Clone, Debug)]
pub enum Standing {
    System,
    User {
        user_id: UserId,
        username: String,
        role: Role,
        region_code: RegionCode,
        /// The region's path in the tree, e.g. `/130000/131100/131127/`.
        region_path: String,
        unit_id: Option<UnitId>,
        /// Set for institution users: they see only this entity's records.
        entity_id: Option<EntityId>,
    },
}

#[derive(Clone, Debug)]
pub struct Actor {
    pub standing: Standing,
    pub ip: Option<String>,
    pub request_id: Option<String>,
}

impl Actor {
    /// The system acting on an operator's command (CLI, demo seeding).
    pub fn system() -> Actor {
        Actor { standing: Standing::System, ip: None, request_id: None }
    }

    pub fn user_id(&self) -> Option<UserId> {
        match &self.standing {
            Standing::System => None,
            Standing::User { user_id, .. } => Some(*user_id),
        }
    }

    pub fn username(&self) -> &str {
        match &self.standing {
            Standing::System => "system",
            Standing::User { username, .. } => username,
        }
    }

    pub fn role(&self) -> Option<Role> {
        match &self.standing {
            Standing::System => None,
            Standing::User { role, .. } => Some(*role),
        }
    }

    pub fn region_code(&self) -> Option<&RegionCode> {
        match &self.standing {
            Standing::System => None,
            Standing::User { region_code, .. } => Some(region_code),
        }
    }

    pub fn unit_id(&self) -> Option<UnitId> {
        match &self.standing {
            Standing::System => None,
            Standing::User { unit_id, .. } => *unit_id,
        }
    }

    pub fn is_system(&self) -> bool {
        matches!(self.standing, Standing::System)
    }
}
