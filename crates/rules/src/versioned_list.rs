//! Lists a unit keeps in versions (权责清单, 抽查事项清单): a draft is edited,
//! then published once; a published version never changes again.

use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ListStatus {
    Draft,
    Published,
}

crate::keyed_enum!(ListStatus {
    Draft => ("draft", "草稿"),
    Published => ("published", "已发布"),
});

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ListAction {
    Publish,
}

crate::keyed_enum!(ListAction {
    Publish => ("publish", "发布"),
});

// Each kind refuses under its own area (duty_list, inspection_item_list):
// the store passes the kind's area to `lifecycle::next_in`.
crate::lifecycle!(ListStatus, ListAction, "versioned_list", "清单版本", initial: Draft, {
    (Draft, Publish) => Published,
});

impl ListStatus {
    /// Only a draft may still be edited.
    pub fn is_editable(self) -> bool {
        crate::lifecycle::allows(self, ListAction::Publish)
    }
}
