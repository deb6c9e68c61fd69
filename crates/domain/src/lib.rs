//! Use cases over the store. Functions take the acting user (`&Actor`) and
//! never see an HTTP request; HTML pages and JSON routes call the same ones.

pub mod accounts;
pub mod assigned_tasks;
pub mod auth;
pub mod authz;
pub mod calendar;
pub mod case_leads;
pub mod coverage;
pub mod documents;
pub mod duty_lists;
pub mod entities;
mod error;
pub mod evidence;
pub mod history;
pub mod input;
pub mod inspection_campaigns;
pub mod inspection_items;
pub mod inspections;
pub mod inspectors;
pub mod licences;
pub mod lifecycle;
pub mod org;
pub mod passwords;
pub mod practitioners;
pub mod random_plans;
mod recording;
pub mod rectifications;
pub mod self_inspections;
pub mod substitutions;

pub use error::{DomainError, DomainResult, ErrorKind};
