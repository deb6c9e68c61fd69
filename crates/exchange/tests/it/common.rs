//! Helpers the exchange tests share: run an import to its end, read its report.

use weijian_exchange::{Import, Kind, Mode, RowProblem};
use weijian_store::imports::ImportJob;
use weijian_store::{Actor, Store};

pub async fn import(store: &Store, actor: &Actor, kind: Kind, mode: Mode, name: &str, bytes: &[u8]) -> ImportJob {
    Import::prepare(store, actor, kind, mode, name, bytes, None).await.unwrap().run(&|_| {}).await
}

pub fn problems(job: &ImportJob) -> Vec<RowProblem> {
    weijian_exchange::report::parse(job.problems.as_deref().unwrap_or_default())
}

pub fn has(ps: &[RowProblem], row: usize, column: &str, code: &str) -> bool {
    ps.iter().any(|p| p.row == row && p.column == column && p.code == code)
}
