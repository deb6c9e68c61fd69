//! Integration tests of weijian-store (every one on SQLite and PostgreSQL).
//! One test binary for the crate: linking one executable instead of one a file keeps CI's build short.

mod attachments;
mod documents;
mod people;
mod self_inspections;
mod status_literals;
mod store;
