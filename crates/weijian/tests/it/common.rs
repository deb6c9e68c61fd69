//! Running the binary as a person would: its own environment variables cleared,
//! so that a developer's settings do not leak into a test.

use std::process::{Command, Output};
use weijian_store::testing::TestDb;

pub fn weijian(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_weijian"))
        .args(args)
        .env_remove("WEIJIAN_DATABASE")
        .env_remove("WEIJIAN_CONFIG")
        .env_remove("WEIJIAN_RULES_DIR")
        .output()
        .expect("runs")
}

pub fn text(o: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr))
}

pub fn url_of(db: &TestDb) -> String {
    match db.url() {
        weijian_store::DatabaseUrl::Sqlite(p) => format!("sqlite://{}", p.display()),
        weijian_store::DatabaseUrl::Postgres(u) => u.clone(),
    }
}
