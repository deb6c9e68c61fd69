//! Settings, layered: built-in defaults ← config file (TOML) ← environment
//! variables `WEIJIAN_*` ← command-line flags.

use anyhow::{bail, Context, Result};
use serde::Deserialize;
use std::path::{Path, PathBuf};
use weijian_rules::attachments::Limits;

#[derive(Clone, Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct FileSettings {
    pub database: Option<String>,
    pub listen: Option<String>,
    pub attachments_dir: Option<PathBuf>,
    pub secure_cookies: Option<bool>,
    pub trust_proxy: Option<bool>,
    pub session_idle_minutes: Option<i64>,
    pub session_absolute_hours: Option<i64>,
    pub rules_dir: Option<PathBuf>,
    pub cjk_font: Option<PathBuf>,
    pub fonts_dir: Option<PathBuf>,
    pub attachment_limits_mb: Option<LimitsMb>,
}

/// `[attachment_limits_mb]`: the largest upload of each kind, in MB.
#[derive(Clone, Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct LimitsMb {
    pub photo: Option<u64>,
    pub audio: Option<u64>,
    pub video: Option<u64>,
    pub document: Option<u64>,
}

#[derive(Clone, Debug)]
pub struct Settings {
    pub database: String,
    pub listen: String,
    pub attachments_dir: Option<PathBuf>,
    pub secure_cookies: bool,
    pub trust_proxy: bool,
    pub session_idle_minutes: i64,
    pub session_absolute_hours: i64,
    /// A province's own rules (discretion.toml, violations.toml, points.toml) replacing the built-in ones.
    pub rules_dir: Option<PathBuf>,
    pub attachment_limits: Limits,
    /// The CJK font file for documents (TTF, OTF or TTC), instead of searching.
    pub cjk_font: Option<PathBuf>,
    /// A directory searched for known CJK fonts before Debian's standard ones.
    pub fonts_dir: Option<PathBuf>,
}

pub const DEFAULT_DATABASE: &str = "sqlite://./weijian.db";
pub const DEFAULT_LISTEN: &str = "127.0.0.1:8080";

fn env(name: &str) -> Option<String> {
    std::env::var(format!("WEIJIAN_{name}")).ok().filter(|v| !v.is_empty())
}

fn env_bool(name: &str) -> Result<Option<bool>> {
    env(name)
        .map(|v| match v.as_str() {
            "1" | "true" | "yes" => Ok(true),
            "0" | "false" | "no" => Ok(false),
            _ => bail!("环境变量 WEIJIAN_{name} 应为 true 或 false，实际为“{v}”"),
        })
        .transpose()
}

fn env_int(name: &str) -> Result<Option<i64>> {
    env(name).map(|v| v.parse().with_context(|| format!("环境变量 WEIJIAN_{name} 应为整数，实际为“{v}”"))).transpose()
}

/// Per-kind upload limits: `WEIJIAN_ATTACHMENT_MAX_<KIND>_MB`, else the file, else the defaults.
fn attachment_limits(file: LimitsMb) -> Result<Limits> {
    let defaults = Limits::default();
    let one = |name: &str, from_file: Option<u64>, default: u64| -> Result<u64> {
        let mb = match env_int(&format!("ATTACHMENT_MAX_{name}_MB"))? {
            Some(v) => Some(v),
            None => from_file.map(|v| v as i64),
        };
        match mb {
            None => Ok(default),
            Some(v) if (1..=4096).contains(&v) => Ok(v as u64 * 1024 * 1024),
            Some(v) => bail!("附件大小上限应在 1 到 4096 MB 之间，{name} 为 {v}"),
        }
    };
    Ok(Limits {
        photo: one("PHOTO", file.photo, defaults.photo)?,
        audio: one("AUDIO", file.audio, defaults.audio)?,
        video: one("VIDEO", file.video, defaults.video)?,
        document: one("DOCUMENT", file.document, defaults.document)?,
    })
}

impl Settings {
    /// `config`: the file named by `--config` or `WEIJIAN_CONFIG`; flags are applied after.
    pub fn load(config: Option<&Path>, database_flag: Option<&str>, listen_flag: Option<&str>) -> Result<Settings> {
        let config = config.map(Path::to_path_buf).or_else(|| env("CONFIG").map(PathBuf::from));
        let file = match &config {
            Some(path) => {
                let text =
                    std::fs::read_to_string(path).with_context(|| format!("无法读取配置文件 {}", path.display()))?;
                toml::from_str::<FileSettings>(&text)
                    .with_context(|| format!("配置文件 {} 格式错误", path.display()))?
            }
            None => FileSettings::default(),
        };
        let s = Settings {
            database: database_flag
                .map(str::to_string)
                .or_else(|| env("DATABASE"))
                .or(file.database)
                .unwrap_or_else(|| DEFAULT_DATABASE.into()),
            listen: listen_flag
                .map(str::to_string)
                .or_else(|| env("LISTEN"))
                .or(file.listen)
                .unwrap_or_else(|| DEFAULT_LISTEN.into()),
            attachments_dir: env("ATTACHMENTS_DIR").map(PathBuf::from).or(file.attachments_dir),
            secure_cookies: env_bool("SECURE_COOKIES")?.or(file.secure_cookies).unwrap_or(false),
            trust_proxy: env_bool("TRUST_PROXY")?.or(file.trust_proxy).unwrap_or(false),
            session_idle_minutes: env_int("SESSION_IDLE_MINUTES")?.or(file.session_idle_minutes).unwrap_or(120),
            session_absolute_hours: env_int("SESSION_ABSOLUTE_HOURS")?.or(file.session_absolute_hours).unwrap_or(12),
            rules_dir: env("RULES_DIR").map(PathBuf::from).or(file.rules_dir),
            attachment_limits: attachment_limits(file.attachment_limits_mb.unwrap_or_default())?,
            cjk_font: env("CJK_FONT").map(PathBuf::from).or(file.cjk_font),
            fonts_dir: env("FONTS_DIR").map(PathBuf::from).or(file.fonts_dir),
        };
        if s.session_idle_minutes <= 0 || s.session_absolute_hours <= 0 {
            bail!("会话时长必须为正数");
        }
        Ok(s)
    }

    /// Where documents find their fonts: the configured ones, then Debian's standard places.
    pub fn font_config(&self) -> weijian_domain::documents::FontConfig {
        weijian_domain::documents::FontConfig::new(self.cjk_font.clone(), self.fonts_dir.clone())
    }

    /// Attachments live beside a SQLite database unless configured.
    pub fn attachments(&self, url: &weijian_store::DatabaseUrl) -> PathBuf {
        self.attachments_dir.clone().unwrap_or_else(|| match url.sqlite_path() {
            Some(p) => p.parent().map(|d| d.join("attachments")).unwrap_or_else(|| PathBuf::from("attachments")),
            None => PathBuf::from("attachments"),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // The only test in this binary that touches WEIJIAN_* variables.
    #[test]
    fn flags_win_over_env_and_env_over_file() {
        let dir = std::env::temp_dir().join(format!("weijian-config-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("weijian.toml");
        std::fs::write(&file, "database = \"sqlite://file.db\"\nlisten = \"127.0.0.1:1000\"\nsecure_cookies = true\n")
            .unwrap();
        std::env::remove_var("WEIJIAN_DATABASE");
        std::env::remove_var("WEIJIAN_LISTEN");
        let s = Settings::load(Some(&file), None, None).unwrap();
        assert_eq!(
            (s.database.as_str(), s.listen.as_str(), s.secure_cookies),
            ("sqlite://file.db", "127.0.0.1:1000", true)
        );
        std::env::set_var("WEIJIAN_DATABASE", "sqlite://env.db");
        let s = Settings::load(Some(&file), None, None).unwrap();
        assert_eq!((s.database.as_str(), s.listen.as_str()), ("sqlite://env.db", "127.0.0.1:1000"));
        let s = Settings::load(Some(&file), Some("sqlite://flag.db"), Some("0.0.0.0:9")).unwrap();
        assert_eq!((s.database.as_str(), s.listen.as_str()), ("sqlite://flag.db", "0.0.0.0:9"));
        std::env::set_var("WEIJIAN_SECURE_COOKIES", "maybe");
        assert!(Settings::load(Some(&file), None, None).is_err(), "a malformed variable is an error, not a default");
        std::env::remove_var("WEIJIAN_SECURE_COOKIES");
        std::env::remove_var("WEIJIAN_DATABASE");
        std::fs::write(&file, "databse = \"typo\"\n").unwrap();
        assert!(Settings::load(Some(&file), None, None).is_err(), "unknown keys are refused");
        let s = Settings::load(None, None, None).unwrap();
        assert_eq!(s.database, DEFAULT_DATABASE);
        assert_eq!(s.attachment_limits, Limits::default());
        std::fs::write(&file, "[attachment_limits_mb]\nphoto = 5\nvideo = 500\n").unwrap();
        std::env::set_var("WEIJIAN_ATTACHMENT_MAX_VIDEO_MB", "300");
        let s = Settings::load(Some(&file), None, None).unwrap();
        let mb = 1024 * 1024;
        assert_eq!((s.attachment_limits.photo, s.attachment_limits.video), (5 * mb, 300 * mb));
        assert_eq!(s.attachment_limits.audio, Limits::default().audio);
        std::env::set_var("WEIJIAN_ATTACHMENT_MAX_VIDEO_MB", "0");
        assert!(Settings::load(Some(&file), None, None).is_err(), "a zero limit is refused");
        std::env::remove_var("WEIJIAN_ATTACHMENT_MAX_VIDEO_MB");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
