//! Rules as code: pure functions and data, no I/O. Every module calls these
//! instead of re-deriving a legal or format rule on its own.

pub mod attachments;
pub mod boundary;
pub mod calendar;
pub mod case_leads;
pub mod coverage;
pub mod deadlines;
pub mod documents;
pub mod draw;
pub mod ids;
pub mod inspection;
pub mod inspection_campaign;
pub mod keyed;
pub mod lifecycle;
pub mod money;
pub mod penalty;
pub mod points;
pub mod rectification;
pub mod region;
pub mod registry;
pub mod self_inspection;
pub mod versioned_list;

pub use calendar::{Calendar, CalendarError, DayKind};
pub use money::{Fen, MoneyError};
pub use region::{RegionCode, RegionCodeError, RegionLevel};
