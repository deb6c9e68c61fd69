//! `weijian document sample opinion|site-record OUT.pdf`: renders a document
//! from fixed sample data, to look at the output and check the fonts.

use crate::config::Settings;
use anyhow::{anyhow, Context, Result};
use clap::{Subcommand, ValueEnum};
use std::path::PathBuf;
use weijian_domain::documents::{sample_opinion, sample_site_record, Documents};

#[derive(Subcommand)]
pub enum DocumentCommand {
    /// Render a sample document (fixed data) to OUT.
    Sample { kind: SampleKind, out: PathBuf },
}

#[derive(Clone, Copy, ValueEnum)]
pub enum SampleKind {
    /// 卫生监督意见书
    Opinion,
    /// 现场笔录
    SiteRecord,
}

pub fn run(command: DocumentCommand, settings: &Settings) -> Result<i32> {
    let DocumentCommand::Sample { kind, out } = command;
    let documents = Documents::new(settings.font_config());
    let fonts = documents.fonts().map_err(|e| anyhow!("{}（{}）", e.message, e.code))?;
    let pdf = match kind {
        SampleKind::Opinion => documents.supervision_opinion(&sample_opinion()),
        SampleKind::SiteRecord => documents.site_record(&sample_site_record()),
    }
    .map_err(|e| anyhow!("{}（{}）", e.message, e.code))?;
    std::fs::write(&out, &pdf).with_context(|| format!("无法写入 {}", out.display()))?;
    println!("已生成 {}（{} 字节，字体：{}）", out.display(), pdf.len(), fonts.regular.family);
    Ok(0)
}
