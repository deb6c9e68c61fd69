//! Integration tests of weijian-exchange (imports and exports on both backends).
//! One test binary for the crate: linking one executable instead of one a file keeps CI's build short.

mod common;
mod duty_lists;
mod imports;
mod people;
