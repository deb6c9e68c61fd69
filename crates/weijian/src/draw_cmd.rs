//! `weijian draw verify RECORD SNAPSHOT`: re-derives a published 双随机 draw from
//! its two files, with nothing else (no database, no network).

use anyhow::{anyhow, Result};
use clap::Subcommand;
use std::path::{Path, PathBuf};
use weijian_rules::draw::{self, VerifyError};

#[derive(Subcommand)]
pub enum DrawCommand {
    /// Re-derive a published draw; exit 0 when it matches, 1 at the first difference, 2 for unreadable files.
    Verify {
        /// The published record (JSON).
        record: PathBuf,
        /// The snapshot text published before the beacon.
        snapshot: PathBuf,
    },
}

fn read(path: &Path, what: &str) -> Result<String> {
    let bytes = std::fs::read(path).map_err(|e| anyhow!("无法读取{what} {}：{e}", path.display()))?;
    String::from_utf8(bytes).map_err(|_| anyhow!("{what} {} 不是 UTF-8 文本", path.display()))
}

pub fn run(command: DrawCommand) -> Result<i32> {
    let DrawCommand::Verify { record, snapshot } = command;
    let record_json = read(&record, "抽取记录")?;
    let snapshot_text = read(&snapshot, "快照文件")?;
    match draw::verify(&record_json, &snapshot_text) {
        Ok(c) => {
            println!("核验通过：抽取结果可由快照和公开随机值完整复现。");
            println!("The draw verifies: it is re-derived exactly from the snapshot and the beacon.");
            println!("计划：{}", c.plan_id);
            println!("快照哈希：{}", c.snapshot_hash);
            println!("公开随机值：{}（来源：{}）", c.beacon, c.beacon_source);
            for s in &c.strata {
                println!("层 {}：比例 {}‰，名录 {} 户，抽中 {} 户", s.name, s.permille, s.eligible, s.selected);
            }
            println!(
                "共抽中 {} 户，分派 {} 组执法人员（执法人员 {} 名，回避 {} 对）",
                c.selected, c.assignments, c.inspectors, c.recusals
            );
            Ok(0)
        }
        Err(VerifyError::Mismatch(d)) => {
            println!("核验不通过（{}）：{}", d.code(), d.message_zh());
            println!("The draw does NOT verify: {}", d.message_en());
            Ok(1)
        }
        Err(e) => Err(anyhow!("{e}（{}）\n{}", e.code(), e.message_en())),
    }
}
