//! Enforcement documents (执法文书) as PDF: A4 pages set in an embedded, subset
//! CJK font, with Chinese line breaking and page numbers. Callers fill plain
//! structs ([`OpinionData`], [`SiteRecordData`]) and get the PDF's bytes; the
//! document number (文号) is allocated by the store beforehand.

pub mod fonts;
mod forms;
pub mod layout;
pub mod linebreak;

pub use fonts::{FontConfig, Fonts};
pub use forms::*;

use thiserror::Error;

#[derive(Debug, Error)]
pub enum DocumentError {
    /// No CJK font on this machine: documents would show empty boxes.
    #[error(
        "未找到中文字体，无法生成文书：请安装 Debian 软件包 {pkg}（apt-get install {pkg}），或在配置文件中用 cjk_font 指定字体文件",
        pkg = fonts::FONT_PACKAGE
    )]
    FontMissing,
    #[error("字体文件 {path} 无法使用：{reason}")]
    FontUnusable { path: String, reason: String },
    /// The data cannot make a lawful document (e.g. fewer than two inspectors).
    #[error("{0}")]
    Invalid(String),
    #[error("生成 PDF 失败：{0}")]
    Pdf(String),
}

impl DocumentError {
    pub fn code(&self) -> &'static str {
        match self {
            DocumentError::FontMissing => "document.font_missing",
            DocumentError::FontUnusable { .. } => "document.font_unusable",
            DocumentError::Invalid(_) => "document.invalid",
            DocumentError::Pdf(_) => "document.pdf_failed",
        }
    }
}
