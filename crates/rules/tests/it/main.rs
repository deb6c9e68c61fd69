//! Integration tests of weijian-rules.
//! One test binary for the crate: linking one executable instead of one a file keeps CI's build short.

mod draw;
mod penalty_catalog;
