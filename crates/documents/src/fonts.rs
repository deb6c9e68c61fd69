//! Finding and loading a CJK font. Nothing is downloaded: the font comes from
//! configuration or from Debian's font packages, and when none is there the
//! caller gets [`DocumentError::FontMissing`] naming the package to install.

use crate::DocumentError;
use skrifa::raw::{FileRef, FontRef};
use skrifa::string::StringId;
use skrifa::{GlyphId, MetadataProvider};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Where to look for fonts. Tests inject an empty search to see the missing-font error.
#[derive(Clone, Debug)]
pub struct FontConfig {
    /// One font file (TTF, OTF or TTC) to use for body text, from the `cjk_font` setting.
    pub cjk_font: Option<PathBuf>,
    /// A directory searched for the known file names, from the `fonts_dir` setting.
    pub fonts_dir: Option<PathBuf>,
    /// Directories searched after those, normally Debian's standard ones.
    pub system_dirs: Vec<PathBuf>,
}

/// Where Debian's packages put the fonts we know.
pub const DEBIAN_FONT_DIRS: &[&str] =
    &["/usr/share/fonts/opentype/noto", "/usr/share/fonts/truetype/wqy", "/usr/share/fonts/truetype/arphic"];

/// Known files, best first: (regular, bold). Serif (宋体-like) is customary for
/// official documents; the sans and older families are fallbacks.
const KNOWN: &[(&str, Option<&str>)] = &[
    ("NotoSerifCJK-Regular.ttc", Some("NotoSerifCJK-Bold.ttc")),
    ("NotoSansCJK-Regular.ttc", Some("NotoSansCJK-Bold.ttc")),
    ("wqy-microhei.ttc", None),
    ("wqy-zenhei.ttc", None),
    ("uming.ttc", None),
];

/// The Debian package that provides the preferred font.
pub const FONT_PACKAGE: &str = "fonts-noto-cjk";

impl FontConfig {
    /// Configured font or directory first, then Debian's standard directories.
    pub fn new(cjk_font: Option<PathBuf>, fonts_dir: Option<PathBuf>) -> FontConfig {
        FontConfig { cjk_font, fonts_dir, system_dirs: DEBIAN_FONT_DIRS.iter().map(PathBuf::from).collect() }
    }

    /// Looks only where configured (no system directories).
    pub fn only(cjk_font: Option<PathBuf>, fonts_dir: Option<PathBuf>) -> FontConfig {
        FontConfig { cjk_font, fonts_dir, system_dirs: vec![] }
    }
}

/// One face of a font file, with the bytes shared between renders.
#[derive(Clone)]
pub struct Face {
    pub(crate) data: Arc<Vec<u8>>,
    pub(crate) index: u32,
    pub path: PathBuf,
    pub family: String,
}

impl std::fmt::Debug for Face {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Face({} #{} {})", self.path.display(), self.index, self.family)
    }
}

impl Face {
    pub(crate) fn font_ref(&self) -> FontRef<'_> {
        // Checked when the face was loaded.
        FontRef::from_index(&self.data, self.index).expect("face index checked at load")
    }

    /// Glyph and advance (in ems) of each character; .notdef for a character the font lacks.
    pub(crate) fn glyphs(&self, text: &str) -> Vec<(char, GlyphId, f32)> {
        let font = self.font_ref();
        let charmap = font.charmap();
        let metrics = font.glyph_metrics(skrifa::instance::Size::unscaled(), skrifa::instance::LocationRef::default());
        let upem = f32::from(
            font.metrics(skrifa::instance::Size::unscaled(), skrifa::instance::LocationRef::default())
                .units_per_em
                .max(1),
        );
        text.chars()
            .map(|c| {
                let g = charmap.map(c).unwrap_or(GlyphId::NOTDEF);
                (c, g, metrics.advance_width(g).unwrap_or(upem) / upem)
            })
            .collect()
    }

    /// Ascent and descent in ems (descent positive, below the baseline).
    pub(crate) fn vertical_metrics(&self) -> (f32, f32) {
        let m = self.font_ref().metrics(skrifa::instance::Size::unscaled(), skrifa::instance::LocationRef::default());
        let upem = f32::from(m.units_per_em.max(1));
        (m.ascent / upem, -m.descent / upem)
    }
}

/// The faces documents are set in.
#[derive(Clone, Debug)]
pub struct Fonts {
    pub regular: Face,
    /// There is no synthetic bold: without a bold file, bold text uses the regular face.
    pub bold: Face,
}

impl Fonts {
    /// Finds fonts as configured; reads the files once (callers keep the result).
    pub fn discover(config: &FontConfig) -> Result<Fonts, DocumentError> {
        if let Some(path) = &config.cjk_font {
            // A configured file that does not work is an error, not a reason to fall back silently.
            let regular = load_face(path)?;
            let bold = bold_sibling(path).and_then(|p| load_face(&p).ok()).unwrap_or_else(|| regular.clone());
            return Ok(Fonts { regular, bold });
        }
        let dirs = config.fonts_dir.iter().chain(config.system_dirs.iter());
        let dirs: Vec<&PathBuf> = dirs.collect();
        for (regular_name, bold_name) in KNOWN {
            for dir in &dirs {
                let path = dir.join(regular_name);
                if !path.is_file() {
                    continue;
                }
                let Ok(regular) = load_face(&path) else { continue };
                let bold = bold_name
                    .map(|b| dir.join(b))
                    .filter(|p| p.is_file())
                    .and_then(|p| load_face(&p).ok())
                    .unwrap_or_else(|| regular.clone());
                return Ok(Fonts { regular, bold });
            }
        }
        Err(DocumentError::FontMissing)
    }
}

/// `X-Regular.ttc` → `X-Bold.ttc`, when it exists.
fn bold_sibling(path: &Path) -> Option<PathBuf> {
    let name = path.file_name()?.to_str()?;
    let bold = name.contains("Regular").then(|| name.replace("Regular", "Bold"))?;
    Some(path.with_file_name(bold)).filter(|p| p.is_file())
}

fn unusable(path: &Path, reason: impl Into<String>) -> DocumentError {
    DocumentError::FontUnusable { path: path.display().to_string(), reason: reason.into() }
}

/// Loads a font file and picks its Simplified Chinese face (a collection such
/// as Noto CJK holds JP, KR, SC, TC and HK faces with different glyph forms).
pub fn load_face(path: &Path) -> Result<Face, DocumentError> {
    let data = std::fs::read(path).map_err(|e| unusable(path, e.to_string()))?;
    let count = match FileRef::new(&data).map_err(|e| unusable(path, format!("不是字体文件（{e}）")))? {
        FileRef::Font(_) => 1,
        FileRef::Collection(c) => c.len(),
    };
    let mut best: Option<(u32, String, u8)> = None;
    for index in 0..count {
        let Ok(font) = FontRef::from_index(&data, index) else { continue };
        if font.charmap().map('中').is_none() {
            continue;
        }
        let family = font
            .localized_strings(StringId::FAMILY_NAME)
            .english_or_first()
            .map(|s| s.chars().collect::<String>())
            .unwrap_or_default();
        let rank = if family.ends_with(" SC") || family.contains("SC ") { 0 } else { 1 };
        if best.as_ref().is_none_or(|b| rank < b.2) {
            best = Some((index, family, rank));
        }
    }
    let (index, family, _) = best.ok_or_else(|| unusable(path, "字体不含汉字"))?;
    Ok(Face { data: Arc::new(data), index, path: path.to_path_buf(), family })
}
