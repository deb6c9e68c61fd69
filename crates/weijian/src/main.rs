//! The weijian binary: one executable runs the product, its demo and its operations.

mod config;
mod document_cmd;
mod draw_cmd;
mod import_cmd;
mod rules_cmd;

use anyhow::{anyhow, bail, Context, Result};
use clap::{Args, Parser, Subcommand};
use config::Settings;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use weijian_domain::accounts::{self, CreateUser};
use weijian_domain::auth::AuthPolicy;
use weijian_store::{audit, backup, units, users, Actor, DatabaseUrl, Open, Role, Store};
use weijian_web::{AppState, WebConfig};

#[derive(Parser)]
#[command(name = "weijian", version, about = "卫监：医疗卫生行业综合监管平台")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Args, Clone)]
struct DbArgs {
    /// Config file (TOML); also WEIJIAN_CONFIG.
    #[arg(long, global = true)]
    config: Option<PathBuf>,
    /// sqlite://PATH (default sqlite://./weijian.db) or postgres://...; also WEIJIAN_DATABASE.
    #[arg(long, global = true)]
    database: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
enum Scale {
    Demo,
    Province,
}

impl Scale {
    /// Entities generated in each of the demo's five jurisdictions.
    fn per_region(self) -> usize {
        match self {
            Scale::Demo => 300,
            Scale::Province => 40_000,
        }
    }
}

#[derive(Subcommand)]
enum Command {
    /// Create (once) a demo database in DIR with the five source jurisdictions, print the accounts, and serve.
    Demo {
        #[arg(long, default_value = "./weijian-demo")]
        data: PathBuf,
        #[arg(long, default_value = config::DEFAULT_LISTEN)]
        listen: String,
        /// demo: a few hundred entities a jurisdiction; province: 200,000 entities for benchmarks.
        #[arg(long, value_enum, default_value_t = Scale::Demo)]
        scale: Scale,
        /// Create the database and stop, without serving.
        #[arg(long)]
        no_serve: bool,
    },
    /// Serve the web UI and the API (production entry).
    Serve {
        #[command(flatten)]
        db: DbArgs,
        /// Address to listen on, e.g. 127.0.0.1:8080; also WEIJIAN_LISTEN.
        #[arg(long)]
        listen: Option<String>,
    },
    /// Apply pending migrations (after a backup) and exit.
    Migrate {
        #[command(flatten)]
        db: DbArgs,
    },
    /// Accounts and API tokens.
    Admin {
        #[command(subcommand)]
        command: AdminCommand,
        #[command(flatten)]
        db: DbArgs,
    },
    /// The audit trail.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
        #[command(flatten)]
        db: DbArgs,
    },
    /// The working-day calendar (official holidays and make-up working days). With a
    /// database (--database, --config or WEIJIAN_DATABASE), imported years count too.
    Calendar {
        #[command(subcommand)]
        command: CalendarCommand,
        #[command(flatten)]
        db: DbArgs,
        /// Print JSON instead of text.
        #[arg(long, global = true)]
        json: bool,
    },
    /// The penalty rules: violation catalog and discretion benchmark (裁量基准).
    Rules {
        #[command(subcommand)]
        command: rules_cmd::RulesCommand,
        /// Print JSON instead of text.
        #[arg(long, global = true)]
        json: bool,
    },
    /// The verifiable random draw (双随机): check a published record against its snapshot.
    Draw {
        #[command(subcommand)]
        command: draw_cmd::DrawCommand,
    },
    /// Enforcement documents (执法文书): render a sample to look at the PDF output.
    Document {
        #[command(subcommand)]
        command: document_cmd::DocumentCommand,
        /// Config file (for `cjk_font` and `fonts_dir`); also WEIJIAN_CONFIG.
        #[arg(long)]
        config: Option<PathBuf>,
    },
    /// Check an identifier: uscc (统一社会信用代码) or citizen-id (公民身份号码).
    Validate {
        kind: IdKind,
        value: String,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Write a consistent online backup (database and attachments, with a manifest).
    Backup {
        #[arg(long)]
        to: PathBuf,
        #[command(flatten)]
        db: DbArgs,
    },
    /// Restore a backup into an empty database and attachment directory.
    Restore {
        #[arg(long)]
        from: PathBuf,
        #[command(flatten)]
        db: DbArgs,
    },
    /// Import entities, licences, practitioners, inspectors or duty lists from a CSV or XLSX file (every row checked
    /// first; audited). Duty lists go into the draft of --unit (made if it has none) or into the draft --duty-list.
    Import {
        kind: import_cmd::KindArg,
        file: PathBuf,
        /// all-or-nothing: write nothing if any row has a problem; clean-rows-only: write the good rows.
        #[arg(long, value_enum, default_value = "all-or-nothing")]
        mode: import_cmd::ModeArg,
        /// Only rows in this region and below it (six-digit code); the job is filed under it.
        #[arg(long)]
        region: Option<String>,
        /// Duty lists: the unit (its id or name) whose draft to import into.
        #[arg(long)]
        unit: Option<String>,
        /// Duty lists: the draft version (its id) to import into.
        #[arg(long)]
        duty_list: Option<String>,
        #[command(flatten)]
        db: DbArgs,
    },
    /// Export entities, licences, practitioners, inspectors or a duty list to a CSV (UTF-8 with BOM) or XLSX file that
    /// imports back unchanged, except practitioners: their 身份证号 are masked, so that file cannot be imported as it
    /// is. A duty list is one version: --duty-list, else the newest of --unit.
    Export {
        kind: import_cmd::KindArg,
        #[arg(long, value_enum, default_value = "csv")]
        format: import_cmd::FormatArg,
        #[arg(long)]
        out: PathBuf,
        /// Search words.
        #[arg(long)]
        q: Option<String>,
        /// Entities: only this region and below it.
        #[arg(long)]
        region: Option<String>,
        /// Duty lists: the unit (its id or name) whose newest version to export.
        #[arg(long)]
        unit: Option<String>,
        /// Duty lists: the version (its id) to export.
        #[arg(long)]
        duty_list: Option<String>,
        #[command(flatten)]
        db: DbArgs,
    },
}

#[derive(Subcommand)]
enum AdminCommand {
    /// Add a region (GB/T 2260) under its parent; the first one of a deployment has none.
    AddRegion {
        /// Six-digit code, e.g. 131127.
        #[arg(long)]
        code: String,
        #[arg(long)]
        name: String,
        /// The parent region's code.
        #[arg(long)]
        parent: Option<String>,
    },
    /// Add a unit (bureau, supervision institute, CDC ...) in a region.
    AddUnit {
        /// The region's code.
        #[arg(long)]
        region: String,
        #[arg(long)]
        name: String,
        /// bureau, supervision_institute, cdc, other
        #[arg(long, default_value = "bureau")]
        kind: String,
    },
    /// Create a user; prints a generated password that must be changed at first sign-in.
    CreateUser {
        #[arg(long)]
        username: String,
        /// The person's name.
        #[arg(long)]
        name: String,
        /// admin, leader, section_chief, inspector, legal_reviewer
        #[arg(long)]
        role: String,
        /// The unit, by name or id.
        #[arg(long)]
        unit: String,
    },
    /// Set a unit's code in document numbers (机关代字, e.g. 枣卫 in 枣卫监意〔2026〕15号).
    SetIssuerCode {
        /// The unit, by name or id.
        #[arg(long)]
        unit: String,
        /// One to eight Chinese characters.
        #[arg(long)]
        code: String,
    },
    /// Issue an API token for a user (printed once; stored hashed).
    Token {
        #[arg(long)]
        user: String,
        /// A label for the token, e.g. the integration that uses it.
        #[arg(long, default_value = "cli")]
        label: String,
    },
}

#[derive(Subcommand)]
enum CalendarCommand {
    /// Whether DATE (YYYY-MM-DD) is a working day, and why.
    IsWorkingDay { date: chrono::NaiveDate },
    /// The date N working days after DATE (the start day is not counted).
    AddWorkingDays { date: chrono::NaiveDate, days: u32 },
    /// DATE + N natural days, moved to the next working day when that day is not one.
    AddDays { date: chrono::NaiveDate, days: u32 },
    /// Import a newly published year from FILE (`[[year]]` tables as in data/holidays.toml); audited.
    Import { file: PathBuf },
    /// List the years the calendar knows and where each came from.
    Years,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum IdKind {
    Uscc,
    CitizenId,
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Walk the hash chain; exit 1 at the first altered, removed or inserted event.
    Verify,
}

#[tokio::main]
async fn main() {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("WEIJIAN_LOG").unwrap_or_else(|_| "info,sqlx=warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let code = match run(Cli::parse()).await {
        Ok(code) => code,
        Err(e) => {
            eprintln!("错误：{e:#}");
            2
        }
    };
    std::process::exit(code);
}

async fn open(db: &DbArgs, mode: Open) -> Result<(Settings, DatabaseUrl, Store)> {
    let settings = Settings::load(db.config.as_deref(), db.database.as_deref(), None)?;
    let url = DatabaseUrl::parse(&settings.database)?;
    let store = Store::open(&url, mode).await.with_context(|| format!("无法打开数据库 {url}"))?;
    Ok((settings, url, store))
}

async fn run(cli: Cli) -> Result<i32> {
    // A province's own discretion and points rules: serve takes them from its settings, the rest from the environment.
    if !matches!(cli.command, Command::Serve { .. }) {
        install_rules(std::env::var_os("WEIJIAN_RULES_DIR").filter(|v| !v.is_empty()).map(PathBuf::from))?;
    }
    match cli.command {
        Command::Demo { data, listen, scale, no_serve } => demo(&data, &listen, scale, no_serve).await,
        Command::Serve { db, listen } => {
            let settings = Settings::load(db.config.as_deref(), db.database.as_deref(), listen.as_deref())?;
            install_rules(settings.rules_dir.clone())?;
            let url = DatabaseUrl::parse(&settings.database)?;
            let store = Store::open(&url, Open::Existing).await.with_context(|| format!("无法打开数据库 {url}"))?;
            let pending = store.pending_migrations().await?;
            if !pending.is_empty() {
                bail!("数据库有 {} 个未执行的迁移，请先运行 weijian migrate --database {url}", pending.len());
            }
            serve(store, &settings).await
        }
        Command::Migrate { db } => {
            let (settings, url, store) = open(&db, Open::CreateIfMissing).await?;
            migrate(&store, &settings, &url).await
        }
        Command::Admin { command, db } => {
            let (_, _, store) = open(&db, Open::Existing).await?;
            admin(&store, command).await
        }
        Command::Audit { command: AuditCommand::Verify, db } => {
            let (_, _, store) = open(&db, Open::Existing).await?;
            let report = audit::verify_chain(&store).await?;
            match report.first_break {
                None => {
                    println!("审计链完整：共 {} 条事件，链头 #{} {}", report.events, report.head_seq, report.head_hash);
                    Ok(0)
                }
                Some(b) => {
                    println!("审计链被破坏：位置 #{}：{}", b.seq, b.message);
                    Ok(1)
                }
            }
        }
        Command::Calendar { command, json, db } => calendar(command, json, &db).await,
        Command::Rules { command, json } => rules_cmd::run(command, json),
        Command::Draw { command } => draw_cmd::run(command),
        Command::Document { command, config } => {
            let settings = Settings::load(config.as_deref(), None, None)?;
            document_cmd::run(command, &settings)
        }
        Command::Validate { kind, value, json } => {
            let today = chrono::Utc::now().with_timezone(&weijian_store::time::shanghai()).date_naive();
            let result = match kind {
                IdKind::Uscc => weijian_rules::ids::Uscc::parse(&value).map(|_| ()),
                IdKind::CitizenId => weijian_rules::ids::CitizenId::parse(&value, today).map(|_| ()),
            };
            match (&result, json) {
                (Ok(()), true) => println!("{}", serde_json::json!({"valid": true})),
                (Err(e), true) => println!(
                    "{}",
                    serde_json::json!({"valid": false, "code": e.code, "message": e.message, "position": e.position})
                ),
                (Ok(()), false) => println!("有效"),
                (Err(e), false) => println!("无效：{}（{}）", e.message, e.code),
            }
            Ok(if result.is_ok() { 0 } else { 1 })
        }
        Command::Backup { to, db } => {
            let (settings, url, store) = open(&db, Open::Existing).await?;
            let dir = settings.attachments(&url);
            let m = backup::backup(&store, Some(&dir), &to).await?;
            println!(
                "备份已写入 {}：{} 张表，{} 条记录，{} 个附件，审计链头 #{}",
                to.display(),
                m.tables.len(),
                m.tables.values().sum::<u64>(),
                m.attachments.len(),
                m.audit_head_seq
            );
            Ok(0)
        }
        Command::Import { kind, file, mode, region, unit, duty_list, db } => {
            let (_, _, store) = open(&db, Open::Existing).await?;
            let duty = import_cmd::DutyArgs { unit, duty_list };
            import_cmd::import(&store, kind, &file, mode, region.as_deref(), &duty).await
        }
        Command::Export { kind, format, out, q, region, unit, duty_list, db } => {
            let (_, _, store) = open(&db, Open::Existing).await?;
            let duty = import_cmd::DutyArgs { unit, duty_list };
            import_cmd::export(&store, kind, format, &out, q, region, &duty).await
        }
        Command::Restore { from, db } => {
            let settings = Settings::load(db.config.as_deref(), db.database.as_deref(), None)?;
            let url = DatabaseUrl::parse(&settings.database)?;
            if let Some(parent) = url.sqlite_path().and_then(Path::parent).filter(|p| !p.as_os_str().is_empty()) {
                std::fs::create_dir_all(parent)?;
            }
            let store = Store::open(&url, Open::CreateIfMissing).await?;
            let dir = settings.attachments(&url);
            let m = backup::restore(&store, Some(&dir), &from).await?;
            println!(
                "已恢复到 {url}：{} 条记录，{} 个附件，审计链头 #{} {}",
                m.tables.values().sum::<u64>(),
                m.attachments.len(),
                m.audit_head_seq,
                m.audit_head_hash
            );
            Ok(0)
        }
    }
}

fn install_rules(dir: Option<PathBuf>) -> Result<()> {
    if let Some(dir) = dir {
        let files = rules_cmd::install_provincial(&dir)?;
        tracing::info!(dir = %dir.display(), files = ?files, "provincial rules in force");
    }
    Ok(())
}

/// Whether the operator named a database, explicitly or through the environment.
fn database_named(db: &DbArgs) -> bool {
    db.database.is_some()
        || db.config.is_some()
        || std::env::var_os("WEIJIAN_DATABASE").is_some()
        || std::env::var_os("WEIJIAN_CONFIG").is_some()
}

async fn calendar(command: CalendarCommand, json: bool, db: &DbArgs) -> Result<i32> {
    if let CalendarCommand::Import { file } = &command {
        let text = std::fs::read_to_string(file).with_context(|| format!("无法读取 {}", file.display()))?;
        let (_, _, store) = open(db, Open::Existing).await?;
        let years = weijian_domain::calendar::import(&store, &Actor::system(), &text)
            .await
            .map_err(|e| anyhow!("{}（{}）", e.message, e.code))?;
        let list: Vec<String> = years.iter().map(|y| format!("{}年（{}）", y.year, y.notice)).collect();
        println!("已导入：{}", list.join("、"));
        return Ok(0);
    }
    let cal = if database_named(db) {
        let (_, _, store) = open(db, Open::Existing).await?;
        weijian_domain::calendar::load(&store).await.map_err(|e| anyhow!(e.message))?
    } else {
        weijian_rules::Calendar::official().clone()
    };
    let out = match command {
        CalendarCommand::Import { .. } => unreachable!("handled above"),
        CalendarCommand::Years => {
            let official = weijian_rules::Calendar::official();
            let rows: Vec<serde_json::Value> = cal
                .years()
                .map(|y| {
                    serde_json::json!({"year": y.year, "notice": y.notice, "url": y.url,
                        "source": if official.knows(y.year) { "built_in" } else { "imported" }})
                })
                .collect();
            if json {
                serde_json::Value::Array(rows).to_string()
            } else {
                rows.iter()
                    .map(|r| {
                        let src = if r["source"] == "built_in" { "内置" } else { "导入" };
                        format!("{}\t{src}\t{}", r["year"], r["notice"].as_str().unwrap_or_default())
                    })
                    .collect::<Vec<_>>()
                    .join("\n")
            }
        }
        CalendarCommand::IsWorkingDay { date } => {
            let kind = cal.day(date).map_err(|e| anyhow!("{e}（{}）", e.code()))?;
            if json {
                serde_json::json!({"date": date.to_string(), "working": kind.is_working(), "reason": kind.reason()})
                    .to_string()
            } else {
                format!("{date}：{}（{}）", if kind.is_working() { "工作日" } else { "非工作日" }, kind.reason())
            }
        }
        CalendarCommand::AddWorkingDays { date, days } | CalendarCommand::AddDays { date, days } => {
            let working = matches!(command, CalendarCommand::AddWorkingDays { .. });
            let due = if working { cal.add_working_days(date, days.into()) } else { cal.add_days(date, days.into()) }
                .map_err(|e| anyhow!("{e}（{}）", e.code()))?;
            if json {
                serde_json::json!({"from": date.to_string(), "days": days, "due": due.to_string()}).to_string()
            } else {
                format!("{date} 起 {days} 个{}：{due}", if working { "工作日" } else { "自然日（末日顺延至工作日）" })
            }
        }
    };
    println!("{out}");
    Ok(0)
}

async fn migrate(store: &Store, settings: &Settings, url: &DatabaseUrl) -> Result<i32> {
    let pending = store.pending_migrations().await?;
    if pending.is_empty() {
        println!("数据库已是最新，无需迁移。");
        return Ok(0);
    }
    if !store.applied_migrations().await?.is_empty() {
        let dir = url.sqlite_path().and_then(Path::parent).map(Path::to_path_buf).unwrap_or_else(|| PathBuf::from("."));
        let stamp = chrono::Utc::now().format("%Y%m%d%H%M%S");
        let file = dir.join(format!("weijian-premigrate-{stamp}.tar.gz"));
        backup::backup(store, Some(&settings.attachments(url)), &file).await.context("迁移前备份失败，未执行迁移")?;
        println!("迁移前已备份到 {}", file.display());
    }
    for (v, name) in &pending {
        println!("待执行迁移：{v}_{name}");
    }
    store.migrate().await?;
    println!("已执行 {} 个迁移。", pending.len());
    Ok(0)
}

async fn admin(store: &Store, command: AdminCommand) -> Result<i32> {
    let system = Actor::system();
    match command {
        AdminCommand::AddRegion { code, name, parent } => {
            let code = weijian_rules::RegionCode::parse(&code).map_err(|e| anyhow!("{e}"))?;
            let parent =
                parent.map(|p| weijian_rules::RegionCode::parse(&p)).transpose().map_err(|e| anyhow!("上级：{e}"))?;
            let r = weijian_store::regions::insert(store, &system, &code, &name, parent.as_ref()).await?;
            println!("已添加行政区划 {} {}", r.code, r.name);
            Ok(0)
        }
        AdminCommand::AddUnit { region, name, kind } => {
            let kind = units::UnitKind::parse(&kind).ok_or_else(|| anyhow!("未知的单位类型“{kind}”"))?;
            weijian_store::regions::get(store, &region).await.map_err(|_| anyhow!("行政区划 {region} 不存在"))?;
            let u = units::create(
                store,
                &system,
                units::NewUnit {
                    region_code: &region,
                    name: &name,
                    kind,
                    parent_unit_id: None,
                    phone: None,
                    address: None,
                },
            )
            .await?;
            println!("已添加单位 {}（{}）", u.name, u.kind.label());
            Ok(0)
        }
        AdminCommand::CreateUser { username, name, role, unit } => {
            let role = Role::parse(&role).ok_or_else(|| anyhow!("未知的角色“{role}”"))?;
            let all = units::list(store, &system).await?;
            let unit = all
                .iter()
                .find(|u| u.name == unit || u.id.to_string() == unit)
                .ok_or_else(|| anyhow!("找不到单位“{unit}”"))?;
            let created = accounts::create(
                store,
                &system,
                CreateUser {
                    username,
                    name,
                    role,
                    unit_id: Some(unit.id),
                    entity_id: None,
                    phone: None,
                    password: None,
                },
            )
            .await
            .map_err(|e| anyhow!(e.message))?;
            println!("已创建用户 {}（{}，{}）", created.user.username, created.user.name, unit.name);
            println!("初始密码：{}（首次登录须修改）", created.initial_password);
            Ok(0)
        }
        AdminCommand::SetIssuerCode { unit, code } => {
            let all = units::list(store, &system).await?;
            let unit = all
                .iter()
                .find(|u| u.name == unit || u.id.to_string() == unit)
                .ok_or_else(|| anyhow!("找不到单位“{unit}”"))?;
            let issuer = weijian_domain::documents::set_issuer_code(store, &system, unit.id, &code)
                .await
                .map_err(|e| anyhow!(e.message))?;
            println!("{}的发文机关代字已设为“{}”", issuer.unit_name, issuer.code.as_str());
            Ok(0)
        }
        AdminCommand::Token { user, label } => {
            let (found, _) = users::credentials(store, &user).await?.ok_or_else(|| anyhow!("找不到用户“{user}”"))?;
            let token = weijian_domain::auth::issue_token(store, &system, found.id, &label)
                .await
                .map_err(|e| anyhow!(e.message))?;
            println!("{token}");
            Ok(0)
        }
    }
}

fn policy(settings: &Settings) -> AuthPolicy {
    AuthPolicy {
        idle: chrono::Duration::minutes(settings.session_idle_minutes),
        absolute: chrono::Duration::hours(settings.session_absolute_hours),
        ..AuthPolicy::default()
    }
}

async fn serve(store: Store, settings: &Settings) -> Result<i32> {
    let state = AppState::new(
        store.clone(),
        policy(settings),
        WebConfig {
            secure_cookies: settings.secure_cookies,
            trust_proxy: settings.trust_proxy,
            attachments_dir: Some(settings.attachments(store.url())),
            attachment_limits: settings.attachment_limits,
        },
    )
    .with_fonts(settings.font_config());
    state.reload_calendar().await.map_err(|e| anyhow!(e.message))?;
    let interrupted = weijian_exchange::jobs::fail_interrupted(&store).await.map_err(|e| anyhow!(e.message))?;
    if interrupted > 0 {
        tracing::warn!(jobs = interrupted, "imports interrupted by the last stop marked failed");
    }
    let refresh = state.clone();
    tokio::spawn(async move {
        // Another instance may have imported a year: converge within ten minutes.
        loop {
            tokio::time::sleep(std::time::Duration::from_secs(600)).await;
            if let Err(e) = refresh.reload_calendar().await {
                tracing::warn!(error = %e.message, "calendar reload failed");
            }
        }
    });
    let app = weijian_web::app(state);
    let listener = tokio::net::TcpListener::bind(&settings.listen)
        .await
        .with_context(|| format!("无法监听 {}", settings.listen))?;
    tracing::info!(address = %settings.listen, database = %store.url(), "weijian serving");
    let purge = store.clone();
    tokio::spawn(async move {
        loop {
            if let Err(e) = weijian_store::sessions::purge_expired(&purge, chrono::Utc::now()).await {
                tracing::warn!(error = %e, "session purge failed");
            }
            tokio::time::sleep(std::time::Duration::from_secs(3600)).await;
        }
    });
    axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>())
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await?;
    store.close().await;
    Ok(0)
}

async fn demo(data: &Path, listen: &str, scale: Scale, no_serve: bool) -> Result<i32> {
    let db_path = data.join("weijian.db");
    let accounts_file = data.join("demo-accounts.tsv");
    let url = DatabaseUrl::Sqlite(db_path.clone());
    let fresh = !db_path.exists();
    std::fs::create_dir_all(data).with_context(|| format!("无法创建目录 {}", data.display()))?;
    let store = Store::open(&url, Open::CreateIfMissing).await?;
    store.migrate().await?;
    if fresh {
        let accounts = weijian_demo::seed(&store).await.map_err(|e| anyhow!(e.message))?;
        let mut tsv = String::from("username\tpassword\trole\tregion_code\tunit\n");
        for a in &accounts {
            tsv.push_str(&format!("{}\t{}\t{}\t{}\t{}\n", a.username, a.password, a.role.key(), a.region_code, a.unit));
        }
        std::fs::write(&accounts_file, tsv)?;
        let started = std::time::Instant::now();
        let today = chrono::Utc::now().with_timezone(&weijian_store::time::shanghai()).date_naive();
        let made = weijian_demo::registry::seed(
            &store,
            weijian_demo::registry::DEMO_TARGETS,
            scale.per_region(),
            2026,
            today,
            |done, total| {
                if done == total || done % 10_000 == 0 {
                    eprint!("\r生成监管对象 {done}/{total}");
                }
            },
        )
        .await
        .map_err(|e| anyhow!(e.message))?;
        eprintln!();
        weijian_demo::inspections::seed(&store, weijian_demo::registry::DEMO_TARGETS, today)
            .await
            .map_err(|e| anyhow!("{}: {}", e.code, e.message))?;
        weijian_demo::self_inspections::seed(&store, weijian_demo::registry::DEMO_TARGETS, today)
            .await
            .map_err(|e| anyhow!("{}: {}", e.code, e.message))?;
        println!(
            "已生成监管对象 {} 户、许可证 {} 件、医务人员 {} 名、执法人员 {} 名（用时 {:.1} 秒）",
            made.entities,
            made.licences,
            made.practitioners,
            made.inspectors,
            started.elapsed().as_secs_f64()
        );
        println!("已创建演示数据库 {}", db_path.display());
        println!("演示账号（密码只在此显示一次，也已写入 {}）：", accounts_file.display());
        for a in &accounts {
            println!("  {:<18} {:<16} {:<8} {} {}", a.username, a.password, a.role.label(), a.region_code, a.unit);
        }
    } else {
        println!("使用已有的演示数据库 {}（账号见 {}）", db_path.display(), accounts_file.display());
    }
    let settings = Settings {
        database: url.to_string(),
        listen: listen.to_string(),
        attachments_dir: Some(data.join("attachments")),
        secure_cookies: false,
        trust_proxy: false,
        rules_dir: None,
        cjk_font: None,
        fonts_dir: None,
        session_idle_minutes: 120,
        session_absolute_hours: 12,
        attachment_limits: Default::default(),
    };
    if no_serve {
        store.close().await;
        return Ok(0);
    }
    println!("请在浏览器打开 http://{listen}/");
    serve(store, &settings).await
}
