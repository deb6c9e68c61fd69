//! 抽查事项清单 (the inspection item list) a unit publishes, each item with its
//! 检查表 (checklist). Kept in versions like the responsibility list
//! (crate::versioned): a plan refers to a published version, which never changes.

use crate::ids::InspectionItemListId;
use crate::versioned::{ListKind, Versioned};
use serde::{Deserialize, Serialize};
use weijian_rules::inspection::InspectionMethod;

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ItemListContent {
    #[serde(default)]
    pub items: Vec<InspectionItem>,
}

/// 抽查事项: what may be checked, of which entities, how, on what basis.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InspectionItem {
    /// Stable across versions, unique within the list (plans name items by it).
    pub code: String,
    pub name: String,
    /// The supervision specialty (registry vocabulary), which also filters the inspector pool.
    pub specialty: String,
    /// Entity category keys the item applies to.
    pub target_categories: Vec<String>,
    pub content: String,
    pub method: InspectionMethod,
    pub legal_basis: String,
    #[serde(default)]
    pub checklist: Vec<CheckPoint>,
}

/// One point of a checklist; a failed point may name the violation of the
/// rules catalog it amounts to, so a case opened from it starts primed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CheckPoint {
    pub text: String,
    #[serde(default)]
    pub legal_basis: String,
    #[serde(default)]
    pub violation_code: Option<String>,
}

impl ItemListContent {
    pub fn item(&self, code: &str) -> Option<&InspectionItem> {
        self.items.iter().find(|i| i.code == code)
    }
}

#[derive(Clone, Debug)]
pub struct ItemLists;

impl ListKind for ItemLists {
    type Id = InspectionItemListId;
    type Content = ItemListContent;
    const TABLE: &'static str = "inspection_item_lists";
    const OBJECT_TYPE: &'static str = "inspection_item_list";
    const NOUN: &'static str = "随机抽查事项清单";
    const CODE_IMMUTABLE: &'static str = "inspection_item_list.published_immutable";
    const CODE_DRAFT_EXISTS: &'static str = "inspection_item_list.draft_exists";
    const CODE_VERSION_CONFLICT: &'static str = "inspection_item_list.version_conflict";
    const AREA: weijian_rules::lifecycle::Area = weijian_rules::area!("inspection_item_list", "随机抽查事项清单");
    fn new_id() -> InspectionItemListId {
        InspectionItemListId::new()
    }
}

pub type InspectionItemList = Versioned<ItemLists>;
