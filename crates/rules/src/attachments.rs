//! Evidence attachments (证据附件): the kinds, their size limits, and what a
//! file really is — judged by its bytes, never by its name or the browser's
//! Content-Type.
//!
//! The magic-number table is our own rather than the `infer` crate's: it is
//! short, and the decisions we need are not `infer`'s — an MP4 container with a
//! generic brand is audio when declared audio and video when declared video
//! (Android records voice into `mp42`/`isom` files), HEIC has a handful of
//! brands, an office document is accepted only after its ZIP directory shows
//! it is a Word or Excel file without macros. Pure functions, no I/O: the
//! store feeds them the first bytes and, for ZIPs, the directory.

use crate::keyed_enum;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AttachmentKind {
    Photo,
    Audio,
    Video,
    Document,
}

keyed_enum!(AttachmentKind {
    Photo => ("photo", "照片"),
    Audio => ("audio", "录音"),
    Video => ("video", "录像"),
    Document => ("document", "文档"),
});

const MB: u64 = 1024 * 1024;

/// Largest accepted size of each kind, in bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    pub photo: u64,
    pub audio: u64,
    pub video: u64,
    pub document: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits { photo: 20 * MB, audio: 50 * MB, video: 200 * MB, document: 30 * MB }
    }
}

impl Limits {
    pub fn of(&self, kind: AttachmentKind) -> u64 {
        match kind {
            AttachmentKind::Photo => self.photo,
            AttachmentKind::Audio => self.audio,
            AttachmentKind::Video => self.video,
            AttachmentKind::Document => self.document,
        }
    }

    pub fn largest(&self) -> u64 {
        self.photo.max(self.audio).max(self.video).max(self.document)
    }
}

/// A size for people: `20 MB`, `512 KB`.
pub fn human_size(bytes: u64) -> String {
    if bytes >= MB {
        let whole = bytes / MB;
        if whole * MB == bytes {
            format!("{whole} MB")
        } else {
            format!("{:.1} MB", bytes as f64 / MB as f64)
        }
    } else {
        format!("{} KB", bytes.div_ceil(1024))
    }
}

/// A format we accept.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Jpeg,
    Png,
    Webp,
    Heic,
    Heif,
    /// ISO base media (MP4) with a generic brand: audio or video.
    Mp4,
    QuickTime,
    /// 3GPP, what older Chinese phones record audio and video into.
    ThreeGpp,
    /// MP4 branded as audio only (M4A).
    M4a,
    /// Raw AAC in ADTS frames.
    Aac,
    Mp3,
    Amr,
    AmrWb,
    Pdf,
    Docx,
    Xlsx,
}

impl Format {
    /// Whether a file of this format may be attached as `kind`.
    pub fn fits(self, kind: AttachmentKind) -> bool {
        use AttachmentKind::*;
        use Format::*;
        match self {
            Jpeg | Png | Webp | Heic | Heif => kind == Photo,
            Mp4 | ThreeGpp => matches!(kind, Audio | Video),
            QuickTime => kind == Video,
            M4a | Aac | Mp3 | Amr | AmrWb => kind == Audio,
            Pdf | Docx | Xlsx => kind == Document,
        }
    }

    /// The media type served, which for containers depends on the kind.
    pub fn media_type(self, kind: AttachmentKind) -> &'static str {
        match self {
            Format::Jpeg => "image/jpeg",
            Format::Png => "image/png",
            Format::Webp => "image/webp",
            Format::Heic => "image/heic",
            Format::Heif => "image/heif",
            Format::Mp4 if kind == AttachmentKind::Audio => "audio/mp4",
            Format::Mp4 => "video/mp4",
            Format::QuickTime => "video/quicktime",
            Format::ThreeGpp if kind == AttachmentKind::Audio => "audio/3gpp",
            Format::ThreeGpp => "video/3gpp",
            Format::M4a => "audio/mp4",
            Format::Aac => "audio/aac",
            Format::Mp3 => "audio/mpeg",
            Format::Amr => "audio/amr",
            Format::AmrWb => "audio/amr-wb",
            Format::Pdf => "application/pdf",
            Format::Docx => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            Format::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        }
    }

    /// The file extension a download gets (from the content, not the upload's name).
    pub fn extension(self) -> &'static str {
        match self {
            Format::Jpeg => "jpg",
            Format::Png => "png",
            Format::Webp => "webp",
            Format::Heic => "heic",
            Format::Heif => "heif",
            Format::Mp4 => "mp4",
            Format::QuickTime => "mov",
            Format::ThreeGpp => "3gp",
            Format::M4a => "m4a",
            Format::Aac => "aac",
            Format::Mp3 => "mp3",
            Format::Amr | Format::AmrWb => "amr",
            Format::Pdf => "pdf",
            Format::Docx => "docx",
            Format::Xlsx => "xlsx",
        }
    }

    /// What people call it.
    pub fn label(self) -> &'static str {
        match self {
            Format::Jpeg => "JPEG 图片",
            Format::Png => "PNG 图片",
            Format::Webp => "WebP 图片",
            Format::Heic | Format::Heif => "HEIC 图片",
            Format::Mp4 => "MP4 音视频",
            Format::QuickTime => "MOV 视频",
            Format::ThreeGpp => "3GP 音视频",
            Format::M4a => "M4A 录音",
            Format::Aac => "AAC 录音",
            Format::Mp3 => "MP3 录音",
            Format::Amr | Format::AmrWb => "AMR 录音",
            Format::Pdf => "PDF 文档",
            Format::Docx => "Word 文档（DOCX）",
            Format::Xlsx => "Excel 表格（XLSX）",
        }
    }
}

/// The extension a download of a stored media type gets.
pub fn extension_for(media_type: &str) -> &'static str {
    match media_type {
        "audio/mp4" => "m4a",
        "audio/3gpp" => "3gp",
        _ => FORMATS
            .iter()
            .find(|f| {
                f.media_type(AttachmentKind::Video) == media_type || f.media_type(AttachmentKind::Photo) == media_type
            })
            .map(|f| f.extension())
            .unwrap_or("bin"),
    }
}

const FORMATS: [Format; 16] = [
    Format::Jpeg,
    Format::Png,
    Format::Webp,
    Format::Heic,
    Format::Heif,
    Format::Mp4,
    Format::QuickTime,
    Format::ThreeGpp,
    Format::M4a,
    Format::Aac,
    Format::Mp3,
    Format::Amr,
    Format::AmrWb,
    Format::Pdf,
    Format::Docx,
    Format::Xlsx,
];

/// How many leading bytes [`sniff`] wants (fewer is fine for a shorter file).
pub const HEAD_LEN: usize = 64;

/// What the first bytes say.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sniffed {
    Known(Format),
    /// A ZIP archive: an office document or not, the directory decides ([`office_format`]).
    Zip,
    /// A program or script, named for the refusal message.
    Executable(&'static str),
    /// Word 97–2003 / Excel 97–2003 (OLE compound file).
    LegacyOffice,
    Unknown,
}

/// Judges a file by its first bytes ([`HEAD_LEN`] of them, or all of a shorter file).
pub fn sniff(head: &[u8]) -> Sniffed {
    let starts = |magic: &[u8]| head.starts_with(magic);
    // AMR's magic begins with `#!`, so it is checked before scripts.
    if starts(b"#!AMR-WB\n") {
        return Sniffed::Known(Format::AmrWb);
    }
    if starts(b"#!AMR\n") {
        return Sniffed::Known(Format::Amr);
    }
    for (magic, what) in EXECUTABLES {
        if starts(magic) {
            return Sniffed::Executable(what);
        }
    }
    if starts(&[0xFF, 0xD8, 0xFF]) {
        return Sniffed::Known(Format::Jpeg);
    }
    if starts(b"\x89PNG\r\n\x1a\n") {
        return Sniffed::Known(Format::Png);
    }
    if head.len() >= 12 && starts(b"RIFF") && &head[8..12] == b"WEBP" {
        return Sniffed::Known(Format::Webp);
    }
    if starts(b"%PDF-") {
        return Sniffed::Known(Format::Pdf);
    }
    if starts(b"PK\x03\x04") {
        return Sniffed::Zip;
    }
    if starts(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) {
        return Sniffed::LegacyOffice;
    }
    if let Some(format) = iso_media(head) {
        return Sniffed::Known(format);
    }
    if starts(b"ID3") {
        return Sniffed::Known(Format::Mp3);
    }
    if head.len() >= 3 && head[0] == 0xFF {
        let (b1, b2) = (head[1], head[2]);
        if b1 & 0xF6 == 0xF0 {
            // ADTS: sync word, layer 00; sampling index 13–15 is reserved.
            if (b2 >> 2) & 0x0F < 13 {
                return Sniffed::Known(Format::Aac);
            }
        } else if b1 & 0xE0 == 0xE0 && (b1 >> 3) & 3 != 1 && (b1 >> 1) & 3 != 0 && b2 >> 4 != 0x0F && (b2 >> 2) & 3 != 3
        {
            // MPEG audio frame: sync, a valid version, layer, bitrate and sample rate.
            return Sniffed::Known(Format::Mp3);
        }
    }
    Sniffed::Unknown
}

const EXECUTABLES: [(&[u8], &str); 9] = [
    (b"MZ", "Windows 可执行程序"),
    (b"\x7fELF", "Linux 可执行程序"),
    (&[0xFE, 0xED, 0xFA, 0xCE], "macOS 可执行程序"),
    (&[0xFE, 0xED, 0xFA, 0xCF], "macOS 可执行程序"),
    (&[0xCE, 0xFA, 0xED, 0xFE], "macOS 可执行程序"),
    (&[0xCF, 0xFA, 0xED, 0xFE], "macOS 可执行程序"),
    (&[0xCA, 0xFE, 0xBA, 0xBE], "可执行程序"),
    (b"dex\n", "安卓可执行程序"),
    (b"#!", "脚本"),
];

/// An ISO base media file (`....ftyp<brand>`), by its major brand.
fn iso_media(head: &[u8]) -> Option<Format> {
    if head.len() < 12 || &head[4..8] != b"ftyp" {
        return None;
    }
    Some(match &head[8..12] {
        b"heic" | b"heix" | b"heim" | b"heis" | b"hevc" | b"hevx" => Format::Heic,
        b"mif1" | b"msf1" => Format::Heif,
        b"M4A " | b"M4B " => Format::M4a,
        b"qt  " => Format::QuickTime,
        b"3gp4" | b"3gp5" | b"3gp6" | b"3gp7" | b"3ge6" | b"3ge7" | b"3gg6" | b"3g2a" | b"3g2b" | b"3g2c" => {
            Format::ThreeGpp
        }
        b"isom" | b"iso2" | b"iso3" | b"iso4" | b"iso5" | b"iso6" | b"mp41" | b"mp42" | b"avc1" | b"dash" | b"M4V "
        | b"MSNV" => Format::Mp4,
        _ => return None,
    })
}

/// Why a file is not accepted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// Not a format we take at all (executables, scripts, archives, unknown bytes).
    Unsupported(String),
    /// A format we take, but not as the declared kind (a PNG sent as a recording).
    Mismatch { declared: AttachmentKind, detected: Format },
}

impl Refusal {
    pub fn code(&self) -> &'static str {
        match self {
            Refusal::Unsupported(_) => "attachment.unsupported_type",
            Refusal::Mismatch { .. } => "attachment.type_mismatch",
        }
    }

    pub fn message(&self) -> String {
        match self {
            Refusal::Unsupported(m) => m.clone(),
            Refusal::Mismatch { declared, detected } => {
                format!("文件内容是{}，与声明的附件类型“{}”不符，请选择正确的类型", detected.label(), declared.label())
            }
        }
    }
}

/// What is accepted, for messages.
pub fn accepted_formats(kind: AttachmentKind) -> &'static str {
    match kind {
        AttachmentKind::Photo => "JPEG、PNG、WebP、HEIC",
        AttachmentKind::Audio => "MP3、M4A/AAC、AMR、MP4/3GP 录音",
        AttachmentKind::Video => "MP4、MOV、3GP",
        AttachmentKind::Document => "PDF、DOCX、XLSX",
    }
}

/// Judges sniffed bytes against the declared kind. `Ok(None)` means a ZIP
/// that may be an office document: its directory must be checked with
/// [`office_format`] before the file is accepted.
pub fn judge(kind: AttachmentKind, sniffed: Sniffed) -> Result<Option<Format>, Refusal> {
    let unsupported = |what: &str| {
        Refusal::Unsupported(format!("不接受{what}作为附件；{}可上传 {}", kind.label(), accepted_formats(kind)))
    };
    match sniffed {
        Sniffed::Known(f) if f.fits(kind) => Ok(Some(f)),
        Sniffed::Known(f) => Err(Refusal::Mismatch { declared: kind, detected: f }),
        Sniffed::Zip if kind == AttachmentKind::Document => Ok(None),
        Sniffed::Zip => Err(unsupported("压缩包")),
        Sniffed::Executable(what) => Err(Refusal::Unsupported(format!("文件内容是{what}，拒绝上传"))),
        // The old binary formats carry macros invisibly and cannot be told apart safely.
        Sniffed::LegacyOffice => {
            Err(Refusal::Unsupported("不接受旧版 Office 文件（.doc/.xls），请另存为 PDF、DOCX 或 XLSX 后上传".into()))
        }
        Sniffed::Unknown => Err(unsupported("无法识别格式的文件")),
    }
}

/// The end-of-central-directory record can be up to this far from the end.
pub const ZIP_TAIL_LEN: usize = 22 + 0xFFFF;

/// Where a ZIP's central directory is, from the file's last bytes
/// (up to [`ZIP_TAIL_LEN`]): `(offset, size)`. None when there is no
/// well-formed end record (or the archive is ZIP64, which no office file of
/// our sizes needs).
pub fn zip_directory(tail: &[u8]) -> Option<(u64, u64)> {
    if tail.len() < 22 {
        return None;
    }
    (0..=tail.len() - 22).rev().find_map(|at| {
        let r = &tail[at..];
        if !r.starts_with(b"PK\x05\x06") {
            return None;
        }
        let comment = u16::from_le_bytes([r[20], r[21]]) as usize;
        if at + 22 + comment != tail.len() {
            return None;
        }
        let size = u32::from_le_bytes([r[12], r[13], r[14], r[15]]);
        let offset = u32::from_le_bytes([r[16], r[17], r[18], r[19]]);
        (size != u32::MAX && offset != u32::MAX).then_some((offset as u64, size as u64))
    })
}

/// The entry names of a ZIP central directory; None when it is malformed.
pub fn zip_names(directory: &[u8]) -> Option<Vec<String>> {
    let mut names = Vec::new();
    let mut at = 0;
    while at < directory.len() {
        let r = directory.get(at..at + 46)?;
        if !r.starts_with(b"PK\x01\x02") {
            return None;
        }
        let len = |i: usize| u16::from_le_bytes([r[i], r[i + 1]]) as usize;
        let (name_len, extra_len, comment_len) = (len(28), len(30), len(32));
        let name = directory.get(at + 46..at + 46 + name_len)?;
        names.push(String::from_utf8_lossy(name).into_owned());
        at += 46 + name_len + extra_len + comment_len;
    }
    Some(names)
}

/// An OOXML package is a ZIP with `[Content_Types].xml`; its main part says
/// Word or Excel. Macro-enabled packages (a `vbaProject.bin` part) and any
/// other archive are refused: a ZIP can carry anything.
pub fn office_format(names: &[String]) -> Result<Format, Refusal> {
    let has = |n: &str| names.iter().any(|x| x == n);
    let refuse = |m: &str| Err(Refusal::Unsupported(m.into()));
    if names.iter().any(|n| n.to_ascii_lowercase().ends_with("vbaproject.bin")) {
        return refuse("文档含有宏，拒绝上传；请另存为不含宏的 DOCX、XLSX 或 PDF");
    }
    if !has("[Content_Types].xml") {
        return refuse("不接受压缩包作为附件；文档可上传 PDF、DOCX、XLSX");
    }
    if has("word/document.xml") {
        Ok(Format::Docx)
    } else if has("xl/workbook.xml") {
        Ok(Format::Xlsx)
    } else {
        refuse("只接受 Word（DOCX）和 Excel（XLSX）格式的 Office 文档")
    }
}

/// The name a download is saved under: the uploaded name with its extension
/// replaced by the one of the detected type, so `报告.pdf.exe` holding a PDF
/// is saved as `报告.pdf.pdf`, never as something the desktop would run.
pub fn download_name(display_name: &str, media_type: &str) -> String {
    let stem = match display_name.rsplit_once('.') {
        Some((stem, _)) if !stem.is_empty() => stem,
        _ => display_name,
    };
    format!("{stem}.{}", extension_for(media_type))
}

/// The uploaded file's name, kept for display only: the last path component,
/// without control or bidirectional-override characters, at most 100
/// characters. Never used to build a path or decide a type.
pub fn display_name(raw: &str) -> String {
    let last = raw.rsplit(['/', '\\']).next().unwrap_or_default();
    let cleaned: String = last
        .chars()
        .filter(|c| {
            !c.is_control() && !matches!(c, '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
        })
        .take(100)
        .collect();
    let cleaned = cleaned.trim().trim_start_matches('.').trim();
    if cleaned.is_empty() {
        "附件".into()
    } else {
        cleaned.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::AttachmentKind::*;
    use super::*;

    fn ftyp(brand: &[u8; 4]) -> Vec<u8> {
        let mut v = vec![0, 0, 0, 0x18];
        v.extend_from_slice(b"ftyp");
        v.extend_from_slice(brand);
        v.extend_from_slice(&[0, 0, 0, 0]);
        v.extend_from_slice(b"isommp42");
        v
    }

    #[test]
    fn recognises_every_accepted_format_by_content() {
        let cases: Vec<(Vec<u8>, Format)> = vec![
            (vec![0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10, b'J', b'F', b'I', b'F'], Format::Jpeg),
            (b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec(), Format::Png),
            (b"RIFF\x24\0\0\0WEBPVP8 ".to_vec(), Format::Webp),
            (ftyp(b"heic"), Format::Heic),
            (ftyp(b"mif1"), Format::Heif),
            (ftyp(b"mp42"), Format::Mp4),
            (ftyp(b"isom"), Format::Mp4),
            (ftyp(b"qt  "), Format::QuickTime),
            (ftyp(b"3gp4"), Format::ThreeGpp),
            (ftyp(b"M4A "), Format::M4a),
            (vec![0xFF, 0xF1, 0x50, 0x80, 0x02, 0x1F, 0xFC], Format::Aac),
            (vec![0xFF, 0xFB, 0x90, 0x64], Format::Mp3),
            (b"ID3\x04\0\0\0\0\0\0".to_vec(), Format::Mp3),
            (b"#!AMR\n\x3c".to_vec(), Format::Amr),
            (b"#!AMR-WB\n".to_vec(), Format::AmrWb),
            (b"%PDF-1.7\n".to_vec(), Format::Pdf),
        ];
        for (bytes, format) in cases {
            assert_eq!(sniff(&bytes), Sniffed::Known(format), "{format:?}");
        }
    }

    #[test]
    fn executables_and_scripts_are_recognised_as_such() {
        let mut pe = b"MZ\x90\0\x03\0\0\0".to_vec();
        pe.resize(64, 0);
        assert_eq!(sniff(&pe), Sniffed::Executable("Windows 可执行程序"));
        assert!(matches!(sniff(b"\x7fELF\x02\x01\x01"), Sniffed::Executable(_)));
        assert!(matches!(sniff(&[0xCF, 0xFA, 0xED, 0xFE, 7, 0, 0, 1]), Sniffed::Executable(_)));
        assert!(matches!(sniff(b"#!/bin/sh\nrm -rf /\n"), Sniffed::Executable("脚本")));
        assert_eq!(sniff(b"<html><script>"), Sniffed::Unknown);
        assert_eq!(sniff(b""), Sniffed::Unknown);
        assert_eq!(sniff(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]), Sniffed::LegacyOffice);
    }

    #[test]
    fn the_declared_kind_must_match_the_content() {
        let png = sniff(b"\x89PNG\r\n\x1a\n");
        assert_eq!(judge(Photo, png), Ok(Some(Format::Png)));
        let refusal = judge(Audio, png).unwrap_err();
        assert_eq!(refusal.code(), "attachment.type_mismatch");
        assert!(refusal.message().contains("PNG") && refusal.message().contains("录音"), "{}", refusal.message());
        // A generic MP4 is either a recording or a video, served accordingly.
        let mp4 = sniff(&ftyp(b"mp42"));
        assert_eq!(judge(Audio, mp4), Ok(Some(Format::Mp4)));
        assert_eq!(Format::Mp4.media_type(Audio), "audio/mp4");
        assert_eq!(Format::Mp4.media_type(Video), "video/mp4");
        assert_eq!(judge(Photo, mp4).unwrap_err().code(), "attachment.type_mismatch");
        assert_eq!(judge(Photo, sniff(b"MZ")).unwrap_err().code(), "attachment.unsupported_type");
        assert_eq!(judge(Document, Sniffed::Zip), Ok(None));
        assert_eq!(judge(Photo, Sniffed::Zip).unwrap_err().code(), "attachment.unsupported_type");
    }

    /// A minimal ZIP holding empty entries with these names (stored, no data).
    fn zip(names: &[&str], comment: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        let mut dir = Vec::new();
        for n in names {
            let offset = out.len() as u32;
            out.extend_from_slice(b"PK\x03\x04");
            out.extend_from_slice(&[20, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
            out.extend_from_slice(&(n.len() as u16).to_le_bytes());
            out.extend_from_slice(&[0, 0]);
            out.extend_from_slice(n.as_bytes());
            dir.extend_from_slice(b"PK\x01\x02");
            dir.extend_from_slice(&[20, 0, 20, 0]);
            dir.extend_from_slice(&[0; 20]);
            dir.extend_from_slice(&(n.len() as u16).to_le_bytes());
            dir.extend_from_slice(&[0; 12]);
            dir.extend_from_slice(&offset.to_le_bytes());
            dir.extend_from_slice(n.as_bytes());
        }
        let dir_offset = out.len() as u32;
        out.extend_from_slice(&dir);
        out.extend_from_slice(b"PK\x05\x06\0\0\0\0");
        out.extend_from_slice(&(names.len() as u16).to_le_bytes());
        out.extend_from_slice(&(names.len() as u16).to_le_bytes());
        out.extend_from_slice(&(dir.len() as u32).to_le_bytes());
        out.extend_from_slice(&dir_offset.to_le_bytes());
        out.extend_from_slice(&(comment.len() as u16).to_le_bytes());
        out.extend_from_slice(comment);
        out
    }

    fn names_of(file: &[u8]) -> Vec<String> {
        let tail = &file[file.len().saturating_sub(ZIP_TAIL_LEN)..];
        let (offset, size) = zip_directory(tail).expect("end record");
        zip_names(&file[offset as usize..(offset + size) as usize]).expect("directory")
    }

    #[test]
    fn office_documents_are_told_apart_by_their_zip_directory() {
        let docx = zip(&["[Content_Types].xml", "_rels/.rels", "word/document.xml"], b"");
        assert_eq!(sniff(&docx), Sniffed::Zip);
        assert_eq!(office_format(&names_of(&docx)), Ok(Format::Docx));
        let xlsx = zip(&["[Content_Types].xml", "xl/workbook.xml"], b"PK\x05\x06 in a comment");
        assert_eq!(office_format(&names_of(&xlsx)), Ok(Format::Xlsx));
        let macro_doc = zip(&["[Content_Types].xml", "word/document.xml", "word/vbaProject.bin"], b"");
        assert!(office_format(&names_of(&macro_doc)).unwrap_err().message().contains("宏"));
        let archive = zip(&["setup.exe"], b"");
        assert_eq!(office_format(&names_of(&archive)).unwrap_err().code(), "attachment.unsupported_type");
        assert_eq!(zip_directory(b"PK\x05\x06 truncated"), None);
        assert_eq!(zip_names(b"PK\x01\x02 short"), None);
    }

    #[test]
    fn display_names_lose_paths_and_invisible_characters() {
        assert_eq!(display_name("C:\\Users\\张三\\现场照片.jpg"), "现场照片.jpg");
        assert_eq!(display_name("../../etc/passwd"), "passwd");
        assert_eq!(display_name("invoice\u{202E}gpj.exe"), "invoicegpj.exe");
        assert_eq!(display_name("a\r\nb.pdf"), "ab.pdf");
        assert_eq!(display_name("   "), "附件");
        assert_eq!(display_name(".htaccess"), "htaccess");
        assert_eq!(display_name(&"长".repeat(300)).chars().count(), 100);
    }

    #[test]
    fn downloads_are_named_by_their_detected_type() {
        assert_eq!(download_name("报告.pdf.exe", "application/pdf"), "报告.pdf.pdf");
        assert_eq!(download_name("现场照片.JPG", "image/jpeg"), "现场照片.jpg");
        assert_eq!(download_name("录音", "audio/amr"), "录音.amr");
        assert_eq!(download_name("附件", "audio/mp4"), "附件.m4a");
    }

    #[test]
    fn limits_default_and_read_per_kind() {
        let l = Limits::default();
        assert_eq!((l.of(Photo), l.of(Audio), l.of(Video), l.of(Document)), (20 * MB, 50 * MB, 200 * MB, 30 * MB));
        assert_eq!(l.largest(), 200 * MB);
        assert_eq!(human_size(20 * MB), "20 MB");
        assert_eq!(human_size(1536), "2 KB");
    }

    #[test]
    fn downloads_get_the_extension_of_their_media_type() {
        assert_eq!(extension_for("audio/mp4"), "m4a");
        assert_eq!(extension_for("video/mp4"), "mp4");
        assert_eq!(extension_for("image/heic"), "heic");
        assert_eq!(extension_for("audio/amr"), "amr");
        assert_eq!(extension_for("text/html"), "bin");
    }
}
