//! The lifecycle of every workflow object as data: a status enum, an action
//! enum, and the table of `(from, action, to)` it may take. Everything that
//! moves an object along asks [`next`]; an action not in the table is refused
//! with the area's stable code (`<area>.transition_not_allowed`), so no
//! workflow decides its own state rules in code.
//!
//! A new workflow declares its two keyed enums and one [`lifecycle!`] table.

use crate::keyed::Keyed;
use std::fmt::Debug;

/// The workflow's name in codes and audit actions, and in messages.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Area {
    /// `random_plan`, `rectification` …: the prefix of codes and audit actions.
    pub key: &'static str,
    /// Its Chinese name, e.g. 抽查计划.
    pub noun: &'static str,
    /// `<key>.transition_not_allowed`.
    pub not_allowed: &'static str,
    /// `<key>.stale`: someone else changed the object first.
    pub stale: &'static str,
}

impl Area {
    /// 该抽查计划已被他人修改，请刷新后重试.
    pub fn stale_message(&self) -> String {
        format!("该{}已被他人修改，请刷新后重试", self.noun)
    }
}

/// An [`Area`] from its key and noun, with its codes spelled out at compile time.
#[macro_export]
macro_rules! area {
    ($key:literal, $noun:literal) => {
        $crate::lifecycle::Area {
            key: $key,
            noun: $noun,
            not_allowed: concat!($key, ".transition_not_allowed"),
            stale: concat!($key, ".stale"),
        }
    };
}

/// A status enum with its actions and transition table.
pub trait Lifecycle: Keyed + Copy + Eq + Debug {
    type Action: Keyed + Copy + Eq + Debug;
    const AREA: Area;
    /// The state a new object starts in.
    const INITIAL: Self;
    const TRANSITIONS: &'static [(Self, Self::Action, Self)];
}

/// Declares a status enum's lifecycle: its action enum, area, initial state
/// and its `(from, action) => to` table.
#[macro_export]
macro_rules! lifecycle {
    ($status:ident, $action:ident, $key:literal, $noun:literal, initial: $init:ident,
     { $(($from:ident, $act:ident) => $to:ident),* $(,)? }) => {
        impl $crate::lifecycle::Lifecycle for $status {
            type Action = $action;
            const AREA: $crate::lifecycle::Area = $crate::area!($key, $noun);
            const INITIAL: Self = $status::$init;
            const TRANSITIONS: &'static [($status, $action, $status)] =
                &[$(($status::$from, $action::$act, $status::$to)),*];
        }
    };
}

/// An action the table does not allow in the current state.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct NotAllowed {
    /// `<area>.transition_not_allowed`.
    pub code: &'static str,
    pub message: String,
    /// The current state's key and the refused action's key.
    pub from: &'static str,
    pub action: &'static str,
}

/// Where `action` takes an object in state `from`, or why it may not.
pub fn next<S: Lifecycle>(from: S, action: S::Action) -> Result<S, NotAllowed> {
    next_in(&S::AREA, from, action)
}

/// [`next`] under another area's name: one enum shared by several workflows
/// (the versioned lists) refuses with each one's own code.
pub fn next_in<S: Lifecycle>(area: &Area, from: S, action: S::Action) -> Result<S, NotAllowed> {
    S::TRANSITIONS.iter().find(|(f, a, _)| *f == from && *a == action).map(|(_, _, to)| *to).ok_or_else(|| NotAllowed {
        code: area.not_allowed,
        message: format!("{}当前为“{}”，不能执行“{}”", area.noun, from.label(), action.label()),
        from: from.key(),
        action: action.key(),
    })
}

/// Whether the table allows `action` now.
pub fn allows<S: Lifecycle>(from: S, action: S::Action) -> bool {
    next(from, action).is_ok()
}

/// The actions the table allows in `from`, in table order.
pub fn actions<S: Lifecycle>(from: S) -> Vec<S::Action> {
    S::TRANSITIONS.iter().filter(|(f, _, _)| *f == from).map(|(_, a, _)| *a).collect()
}

/// The states an action may start from: the SQL form of a predicate such as
/// "still open" is derived from this set, never spelled out again.
pub fn sources<S: Lifecycle>(action: S::Action) -> Vec<S> {
    S::TRANSITIONS.iter().filter(|(_, a, _)| *a == action).map(|(f, _, _)| *f).collect()
}

/// A state no action leaves.
pub fn is_terminal<S: Lifecycle>(s: S) -> bool {
    actions(s).is_empty()
}

/// The states reachable from the initial one (tests check every state is).
pub fn reachable<S: Lifecycle>() -> Vec<S> {
    let mut seen = vec![S::INITIAL];
    let mut i = 0;
    while i < seen.len() {
        for (f, _, to) in S::TRANSITIONS {
            if *f == seen[i] && !seen.contains(to) {
                seen.push(*to);
            }
        }
        i += 1;
    }
    seen
}

/// The checks every table must pass: each state reachable, each (from,
/// action) pair at most once, each action used. Returns what is wrong.
pub fn check_table<S: Lifecycle>() -> Result<(), String> {
    let reach = reachable::<S>();
    if let Some(s) = S::all().iter().find(|s| !reach.contains(s)) {
        return Err(format!("{}: state {} is unreachable", S::AREA.key, s.key()));
    }
    for (i, (f, a, _)) in S::TRANSITIONS.iter().enumerate() {
        if S::TRANSITIONS[..i].iter().any(|(f2, a2, _)| f2 == f && a2 == a) {
            return Err(format!("{}: ({}, {}) appears twice", S::AREA.key, f.key(), a.key()));
        }
    }
    if let Some(a) = S::Action::all().iter().find(|a| sources::<S>(**a).is_empty()) {
        return Err(format!("{}: action {} is never allowed", S::AREA.key, a.key()));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::case_leads::CaseLeadStatus;
    use crate::inspection::{PlanAction, PlanStatus, TaskStatus};
    use crate::rectification::{RectificationAction, RectificationStatus};
    use crate::self_inspection::{CampaignStatus, ReportStatus};
    use crate::versioned_list::ListStatus;

    #[test]
    fn every_table_is_whole() {
        check_table::<PlanStatus>().unwrap();
        check_table::<TaskStatus>().unwrap();
        check_table::<RectificationStatus>().unwrap();
        check_table::<CaseLeadStatus>().unwrap();
        check_table::<CampaignStatus>().unwrap();
        check_table::<ReportStatus>().unwrap();
        check_table::<ListStatus>().unwrap();
    }

    #[test]
    fn codes_name_the_area() {
        assert_eq!(PlanStatus::AREA.not_allowed, "random_plan.transition_not_allowed");
        assert_eq!(RectificationStatus::AREA.stale, "rectification.stale");
        assert_eq!(ReportStatus::AREA.key, "self_inspection_report");
    }

    #[test]
    fn a_refusal_names_the_state_and_the_action() {
        let e = next(PlanStatus::Frozen, PlanAction::Publish).unwrap_err();
        assert_eq!(e.code, "random_plan.transition_not_allowed");
        assert_eq!(e.message, "抽查计划当前为“已冻结待抽取”，不能执行“发布”");
        assert_eq!((e.from, e.action), ("frozen", "publish"));
        assert_eq!(next(PlanStatus::Published, PlanAction::Freeze), Ok(PlanStatus::Frozen));
    }

    #[test]
    fn a_draw_happens_once() {
        assert!(allows(PlanStatus::Frozen, PlanAction::Draw));
        for s in PlanStatus::ALL.iter().filter(|s| **s != PlanStatus::Frozen) {
            assert!(!allows(*s, PlanAction::Draw), "{s:?}");
        }
    }

    #[test]
    fn terminal_states_offer_nothing() {
        assert!(is_terminal(PlanStatus::ResultsPublished));
        assert!(is_terminal(TaskStatus::Done) && is_terminal(TaskStatus::Cancelled));
        assert!(is_terminal(RectificationStatus::Verified) && is_terminal(RectificationStatus::Unresolved));
        assert!(is_terminal(CaseLeadStatus::Accepted) && is_terminal(CaseLeadStatus::Dismissed));
        assert!(is_terminal(CampaignStatus::Closed) && is_terminal(ListStatus::Published));
        assert!(is_terminal(ReportStatus::Reviewed));
        assert!(!is_terminal(ReportStatus::Returned));
        assert_eq!(actions(RectificationStatus::Verified), Vec::<RectificationAction>::new());
    }

    #[test]
    #[allow(dead_code)] // the toy enums need only what the table uses
    fn a_table_with_a_hole_is_caught() {
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        enum S {
            A,
            B,
            C,
        }
        crate::keyed_enum!(S { A => ("a", "甲"), B => ("b", "乙"), C => ("c", "丙") });
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        enum Act {
            Go,
            Stay,
        }
        crate::keyed_enum!(Act { Go => ("go", "前进"), Stay => ("stay", "停留") });
        crate::lifecycle!(S, Act, "toy", "玩具", initial: A, { (A, Go) => B, (C, Stay) => A });
        let _ = S::C;
        assert!(check_table::<S>().unwrap_err().contains("unreachable"));
    }
}
