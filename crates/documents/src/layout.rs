//! A small page composer for A4 official documents: it places text and rules
//! top to bottom, starts a new page when one is full, and at the end writes the
//! page numbers (第 1 页 共 2 页) and the PDF.

use crate::fonts::{Face, Fonts};
use crate::linebreak::break_lines;
use crate::DocumentError;
use chrono::NaiveDate;
use krilla::geom::{PathBuilder, Point};
use krilla::page::PageSettings;
use krilla::text::{Font, GlyphId, KrillaGlyph};
use krilla::{Data, Document, SerializeSettings};
use std::collections::HashMap;

/// Millimetres to points.
pub const fn mm(v: f32) -> f32 {
    v * 72.0 / 25.4
}

pub const PAGE_WIDTH: f32 = mm(210.0);
pub const PAGE_HEIGHT: f32 = mm(297.0);
const MARGIN_TOP: f32 = mm(25.0);
const MARGIN_BOTTOM: f32 = mm(28.0);
const MARGIN_LEFT: f32 = mm(28.0);
const MARGIN_RIGHT: f32 = mm(26.0);
const CONTENT_WIDTH: f32 = PAGE_WIDTH - MARGIN_LEFT - MARGIN_RIGHT;

/// Chinese type sizes in points.
pub mod size {
    /// 二号: document titles.
    pub const ERHAO: f32 = 22.0;
    /// 小二: the issuing unit above the title.
    pub const XIAO_ER: f32 = 18.0;
    /// 小四: body text of forms.
    pub const XIAO_SI: f32 = 12.0;
    /// 五号: tables and the page number.
    pub const WUHAO: f32 = 10.5;
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Weight {
    Regular,
    Bold,
}

#[derive(Clone, Copy, Debug)]
pub struct Style {
    pub size: f32,
    pub weight: Weight,
}

impl Style {
    pub const BODY: Style = Style { size: size::XIAO_SI, weight: Weight::Regular };
    pub const LABEL: Style = Style { size: size::XIAO_SI, weight: Weight::Bold };
    pub const TABLE: Style = Style { size: size::WUHAO, weight: Weight::Regular };
    pub const TABLE_HEAD: Style = Style { size: size::WUHAO, weight: Weight::Bold };

    fn leading(self) -> f32 {
        self.size * 1.5
    }
}

enum Op {
    /// `justify`: the width to spread the line to (a full line of a paragraph).
    Text {
        x: f32,
        baseline: f32,
        style: Style,
        text: String,
        justify: Option<f32>,
    },
    Rule {
        x1: f32,
        y1: f32,
        x2: f32,
        y2: f32,
        width: f32,
    },
}

pub enum Align {
    Left,
    Centre,
    Right,
}

/// A table column: its header and its share of the text width.
pub struct Column<'a> {
    pub header: &'a str,
    pub share: f32,
    pub centred: bool,
}

const CELL_PAD: f32 = 4.0;

struct Table<'a> {
    widths: &'a [f32],
    centred: &'a [bool],
    header: &'a [String],
}

pub struct Composer<'f> {
    fonts: &'f Fonts,
    pages: Vec<Vec<Op>>,
    /// Top of the next line on the current page.
    y: f32,
    widths: HashMap<(Weight, char), f32>,
}

impl<'f> Composer<'f> {
    pub fn new(fonts: &'f Fonts) -> Composer<'f> {
        Composer { fonts, pages: vec![vec![]], y: MARGIN_TOP, widths: HashMap::new() }
    }

    fn face(&self, weight: Weight) -> &'f Face {
        match weight {
            Weight::Regular => &self.fonts.regular,
            Weight::Bold => &self.fonts.bold,
        }
    }

    /// Width of one character at size 1.
    fn em(&mut self, weight: Weight, c: char) -> f32 {
        if let Some(w) = self.widths.get(&(weight, c)) {
            return *w;
        }
        let w = self.face(weight).glyphs(&c.to_string()).first().map(|g| g.2).unwrap_or(1.0);
        self.widths.insert((weight, c), w);
        w
    }

    pub fn width(&mut self, text: &str, style: Style) -> f32 {
        text.chars().map(|c| self.em(style.weight, c) * style.size).sum()
    }

    fn lines(&mut self, text: &str, style: Style, first_width: f32, width: f32) -> Vec<String> {
        // Measure every character once, then break with the cached widths.
        for c in text.chars() {
            self.em(style.weight, c);
        }
        let widths = &self.widths;
        break_lines(text, first_width, width, |c| widths.get(&(style.weight, c)).copied().unwrap_or(1.0) * style.size)
    }

    fn bottom() -> f32 {
        PAGE_HEIGHT - MARGIN_BOTTOM
    }

    pub fn new_page(&mut self) {
        self.pages.push(vec![]);
        self.y = MARGIN_TOP;
    }

    /// Starts a new page unless `height` still fits on this one.
    pub fn keep(&mut self, height: f32) {
        if self.y + height > Self::bottom() && self.y > MARGIN_TOP {
            self.new_page();
        }
    }

    pub fn gap(&mut self, height: f32) {
        self.y += height;
    }

    fn put(&mut self, x: f32, style: Style, text: &str) {
        self.put_justified(x, style, text, None);
    }

    fn put_justified(&mut self, x: f32, style: Style, text: &str, justify: Option<f32>) {
        // Baseline where a line box of `leading` centres the em box.
        let (ascent, descent) = self.face(style.weight).vertical_metrics();
        let glyph_height = (ascent + descent) * style.size;
        let baseline = self.y + (style.leading() - glyph_height) / 2.0 + ascent * style.size;
        self.pages.last_mut().expect("a page").push(Op::Text { x, baseline, style, text: text.to_string(), justify });
    }

    /// One line of text, aligned; too long a text is wrapped.
    pub fn line(&mut self, text: &str, style: Style, align: Align) {
        for l in self.lines(text, style, CONTENT_WIDTH, CONTENT_WIDTH) {
            self.keep(style.leading());
            let w = self.width(&l, style);
            let x = match align {
                Align::Left => MARGIN_LEFT,
                Align::Centre => MARGIN_LEFT + (CONTENT_WIDTH - w) / 2.0,
                Align::Right => MARGIN_LEFT + CONTENT_WIDTH - w,
            };
            self.put(x, style, &l);
            self.y += style.leading();
        }
    }

    /// Paragraphs (one per line of `text`), each first line indented by two characters.
    pub fn paragraphs(&mut self, text: &str, style: Style) {
        let indent = 2.0 * style.size;
        for para in text.lines().map(str::trim).filter(|p| !p.is_empty()) {
            let lines = self.lines(para, style, CONTENT_WIDTH - indent, CONTENT_WIDTH);
            let last = lines.len() - 1;
            for (i, l) in lines.into_iter().enumerate() {
                self.keep(style.leading());
                let x = if i == 0 { indent } else { 0.0 };
                self.put_justified(MARGIN_LEFT + x, style, &l, (i < last).then_some(CONTENT_WIDTH - x));
                self.y += style.leading();
            }
        }
    }

    /// `label：value`, the value wrapping under itself (or under the label when the
    /// label is long). An empty value leaves a line to write on.
    pub fn field(&mut self, label: &str, value: &str) {
        let label = format!("{label}：");
        let lw = self.width(&label, Style::LABEL);
        let hang = if lw < CONTENT_WIDTH * 0.4 { lw } else { 0.0 };
        let style = Style::BODY;
        let mut i = 0;
        for para in value.lines().map(str::trim).filter(|p| !p.is_empty()) {
            let lines = self.lines(para, style, CONTENT_WIDTH - if i == 0 { lw } else { hang }, CONTENT_WIDTH - hang);
            let last = lines.len() - 1;
            for (j, l) in lines.iter().enumerate() {
                self.keep(style.leading());
                let x = if i == 0 {
                    self.put(MARGIN_LEFT, Style::LABEL, &label);
                    lw
                } else {
                    hang
                };
                self.put_justified(MARGIN_LEFT + x, style, l, (j < last).then_some(CONTENT_WIDTH - x));
                self.y += style.leading();
                i += 1;
            }
        }
        if value.trim().is_empty() {
            self.keep(style.leading());
            self.put(MARGIN_LEFT, Style::LABEL, &label);
            let y = self.y + style.leading() * 0.8;
            self.rule(MARGIN_LEFT + lw, y, MARGIN_LEFT + CONTENT_WIDTH, y, 0.5);
            self.y += style.leading();
        }
    }

    /// Two `label：value` pairs on one line when both fit in half the width, else one per line.
    pub fn field_pair(&mut self, a: (&str, &str), b: (&str, &str)) {
        let half = CONTENT_WIDTH / 2.0;
        let fits = |c: &mut Self, (l, v): (&str, &str)| {
            c.width(&format!("{l}："), Style::LABEL) + c.width(v, Style::BODY) <= half - Style::BODY.size
        };
        if fits(self, a) && fits(self, b) {
            self.keep(Style::BODY.leading());
            for (i, (label, value)) in [a, b].into_iter().enumerate() {
                let x = MARGIN_LEFT + half * i as f32;
                let label = format!("{label}：");
                let lw = self.width(&label, Style::LABEL);
                self.put(x, Style::LABEL, &label);
                self.put(x + lw, Style::BODY, value);
            }
            self.y += Style::BODY.leading();
        } else {
            self.field(a.0, a.1);
            self.field(b.0, b.1);
        }
    }

    /// A bold heading on its own line, kept with the two lines after it.
    pub fn heading(&mut self, text: &str) {
        self.keep(Style::LABEL.leading() * 3.0);
        self.line(text, Style::LABEL, Align::Left);
    }

    fn rule(&mut self, x1: f32, y1: f32, x2: f32, y2: f32, width: f32) {
        self.pages.last_mut().expect("a page").push(Op::Rule { x1, y1, x2, y2, width });
    }

    /// A ruled table; the header row repeats on every page the table runs onto,
    /// and a row taller than what is left of a page continues on the next.
    pub fn table(&mut self, columns: &[Column<'_>], rows: &[Vec<String>]) {
        let total: f32 = columns.iter().map(|c| c.share).sum();
        let widths: Vec<f32> = columns.iter().map(|c| CONTENT_WIDTH * c.share / total).collect();
        let centred: Vec<bool> = columns.iter().map(|c| c.centred).collect();
        let header: Vec<String> = columns.iter().map(|c| c.header.to_string()).collect();
        let t = Table { widths: &widths, centred: &centred, header: &header };
        // The header never stays alone at the foot of a page.
        self.keep(Style::TABLE_HEAD.leading() + 2.0 * Style::TABLE.leading() + 4.0 * CELL_PAD);
        self.table_row(&t, &header, Style::TABLE_HEAD, true);
        for row in rows {
            self.table_row(&t, row, Style::TABLE, false);
        }
    }

    fn table_row(&mut self, t: &Table<'_>, cells: &[String], style: Style, is_header: bool) {
        let mut cell_lines: Vec<Vec<String>> = cells
            .iter()
            .zip(t.widths)
            .map(|(text, w)| {
                let inner = w - 2.0 * CELL_PAD;
                text.lines().flat_map(|p| self.lines(p.trim(), style, inner, inner)).collect()
            })
            .collect();
        loop {
            let remaining = cell_lines.iter().map(Vec::len).max().unwrap_or(1).max(1);
            let room = ((Self::bottom() - self.y - 2.0 * CELL_PAD) / style.leading()).floor().max(0.0) as usize;
            // Keep at least two lines (or the whole row) together.
            if room < remaining.min(2) && self.y > MARGIN_TOP {
                self.new_page();
                if !is_header {
                    self.table_row(t, t.header, Style::TABLE_HEAD, true);
                }
                continue;
            }
            let take = remaining.min(room.max(1));
            let top = self.y;
            let height = take as f32 * style.leading() + 2.0 * CELL_PAD;
            let mut x = MARGIN_LEFT;
            for (i, lines) in cell_lines.iter_mut().enumerate() {
                let chunk: Vec<String> = lines.drain(..take.min(lines.len())).collect();
                for (j, l) in chunk.iter().enumerate() {
                    self.y = top + CELL_PAD + j as f32 * style.leading();
                    let lx = if t.centred[i] || is_header {
                        x + (t.widths[i] - self.width(l, style)) / 2.0
                    } else {
                        x + CELL_PAD
                    };
                    self.put(lx, style, l);
                }
                x += t.widths[i];
            }
            let bottom = top + height;
            self.rule(MARGIN_LEFT, top, MARGIN_LEFT + CONTENT_WIDTH, top, 0.6);
            self.rule(MARGIN_LEFT, bottom, MARGIN_LEFT + CONTENT_WIDTH, bottom, 0.6);
            let mut x = MARGIN_LEFT;
            self.rule(x, top, x, bottom, 0.6);
            for w in t.widths {
                x += w;
                self.rule(x, top, x, bottom, 0.6);
            }
            self.y = bottom;
            if cell_lines.iter().all(Vec::is_empty) {
                return;
            }
        }
    }

    /// Writes the PDF. `date` is the document's date: it becomes the creation
    /// date, so the same document always gives the same bytes.
    pub fn finish(self, title: &str, date: NaiveDate) -> Result<Vec<u8>, DocumentError> {
        let regular = krilla_font(&self.fonts.regular)?;
        let bold = krilla_font(&self.fonts.bold)?;
        let settings =
            SerializeSettings { ascii_compatible: false, xmp_metadata: false, ..SerializeSettings::default() };
        let mut doc = Document::new_with(settings);
        let total = self.pages.len();
        for (n, ops) in self.pages.iter().enumerate() {
            let mut page = doc.start_page_with(PageSettings::from_wh(PAGE_WIDTH, PAGE_HEIGHT).expect("A4 is a size"));
            let mut surface = page.surface();
            let footer = format!("第 {} 页 共 {} 页", n + 1, total);
            let footer_ops = [Op::Text {
                x: (PAGE_WIDTH - self.text_width(&footer, Style::TABLE)) / 2.0,
                baseline: PAGE_HEIGHT - mm(15.0),
                style: Style::TABLE,
                text: footer.clone(),
                justify: None,
            }];
            for op in ops.iter().chain(footer_ops.iter()) {
                match op {
                    Op::Text { x, baseline, style, text, justify } => {
                        let (face, font) = match style.weight {
                            Weight::Regular => (&self.fonts.regular, &regular),
                            Weight::Bold => (&self.fonts.bold, &bold),
                        };
                        let glyphs = shape(face, text, style.size, *justify);
                        surface.draw_glyphs(
                            Point::from_xy(*x, *baseline),
                            &glyphs,
                            font.clone(),
                            text,
                            style.size,
                            false,
                        );
                    }
                    Op::Rule { x1, y1, x2, y2, width } => {
                        let mut pb = PathBuilder::new();
                        pb.move_to(*x1, *y1);
                        pb.line_to(*x2, *y2);
                        if let Some(path) = pb.finish() {
                            surface.set_fill(None);
                            surface.set_stroke(Some(krilla::paint::Stroke { width: *width, ..Default::default() }));
                            surface.draw_path(&path);
                            surface.set_stroke(None);
                            surface.set_fill(Some(krilla::paint::Fill::default()));
                        }
                    }
                }
            }
            surface.finish();
            page.finish();
        }
        let created = krilla::metadata::DateTime::new(date.format("%Y").to_string().parse().unwrap_or(2000))
            .month(date.format("%m").to_string().parse().unwrap_or(1))
            .day(date.format("%d").to_string().parse().unwrap_or(1))
            .hour(0)
            .minute(0)
            .second(0)
            .utc_offset_hour(8)
            .utc_offset_minute(0);
        doc.set_metadata(
            krilla::metadata::Metadata::new()
                .title(title.to_string())
                .language("zh-CN".into())
                .creator("weijian".into())
                .producer("weijian".into())
                .creation_date(created),
        );
        doc.finish().map_err(|e| DocumentError::Pdf(format!("{e:?}")))
    }

    fn text_width(&self, text: &str, style: Style) -> f32 {
        let face = self.face(style.weight);
        face.glyphs(text).iter().map(|g| g.2 * style.size).sum()
    }
}

fn krilla_font(face: &Face) -> Result<Font, DocumentError> {
    let data: Data = face.data.clone().into();
    Font::new(data, face.index).ok_or_else(|| DocumentError::FontUnusable {
        path: face.path.display().to_string(),
        reason: "PDF 库无法读取该字体".into(),
    })
}

/// One glyph per character (Chinese needs no shaping); each glyph maps back to
/// its character, which is what makes the text extractable (ToUnicode). A
/// justified line spreads its slack evenly between the characters.
fn shape(face: &Face, text: &str, size: f32, justify: Option<f32>) -> Vec<KrillaGlyph> {
    let glyphs = face.glyphs(text);
    let natural: f32 = glyphs.iter().map(|g| g.2 * size).sum();
    let gaps = glyphs.len().saturating_sub(1) as f32;
    let extra = match justify {
        // More than half a character per gap would look broken, not justified.
        Some(w) if gaps > 0.0 && w > natural && (w - natural) / gaps < 0.5 * size => (w - natural) / gaps / size,
        _ => 0.0,
    };
    let last = glyphs.len().saturating_sub(1);
    let mut offset = 0;
    glyphs
        .into_iter()
        .enumerate()
        .map(|(i, (c, g, advance))| {
            let range = offset..offset + c.len_utf8();
            offset = range.end;
            let advance = if i < last { advance + extra } else { advance };
            KrillaGlyph::new(GlyphId::new(g.to_u32()), advance, 0.0, 0.0, 0.0, range, None)
        })
        .collect()
}
