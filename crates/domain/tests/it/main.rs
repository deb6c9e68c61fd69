//! Integration tests of weijian-domain (use cases on both backends).
//! One test binary for the crate: linking one executable instead of one a file keeps CI's build short.

mod calendar;
mod coverage;
mod documents;
mod duty_lists;
mod random_plans;
mod self_inspections;
