//! Integration tests of the weijian binary, run as a person would run it.
//! One test binary for the crate: linking one executable instead of one a file keeps CI's build short.

mod cli;
mod common;
mod draw_cli;
mod import_cli;
