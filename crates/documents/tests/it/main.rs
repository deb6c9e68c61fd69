//! Integration tests of weijian-documents.
//! One test binary for the crate: linking one executable instead of one a file keeps CI's build short.

mod pdf;
