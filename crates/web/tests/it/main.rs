//! Integration tests of weijian-web over HTTP, on both backends.
//! One test binary for the crate: linking one executable instead of one a file keeps CI's build short.

mod attachments;
mod case_leads;
mod common;
mod duty_lists;
mod http;
mod imports_http;
mod inspection_campaigns;
mod lifecycle;
mod people;
mod plan_pages;
mod random_plans;
mod roles;
mod route_sweep;
mod self_inspections;
mod substitutions;
