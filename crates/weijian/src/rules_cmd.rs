//! `weijian rules ...`: the violation catalog and the discretion engine from
//! the shell, with the same JSON as the public API.

use anyhow::{anyhow, Result};
use clap::Subcommand;
use weijian_rules::penalty::{self, Catalog, Facts, Party};
use weijian_rules::registry::Registry;
use weijian_rules::{Fen, MoneyError};
use weijian_web::api::penalty::{PenaltyResponse, ViolationSummary};

#[derive(Subcommand)]
pub enum RulesCommand {
    /// List the violation catalog; QUERY words must all match (code, name, area or legal basis).
    Violations { query: Vec<String> },
    /// Evaluate the discretion benchmark for a violation and the facts.
    Penalty {
        /// Violation code, e.g. MED-001 (see `weijian rules violations`).
        #[arg(long)]
        violation: String,
        /// 违法所得 in yuan, e.g. 8000 or 4999.99.
        #[arg(long, allow_hyphen_values = true)]
        illegal_income: Option<String>,
        /// 涉案金额 in yuan.
        #[arg(long, allow_hyphen_values = true)]
        amount_involved: Option<String>,
        /// legal (法人或者其他组织) or citizen (公民).
        #[arg(long, default_value = "legal")]
        party: String,
        /// A circumstance code; repeat for several.
        #[arg(long = "circumstance")]
        circumstances: Vec<String>,
    },
    /// When a licence's next 校验 falls due, by the registry in force.
    Verification {
        /// Licence kind key or label, e.g. 医疗机构执业许可证.
        #[arg(long)]
        kind: String,
        /// The last 校验 (or the issue date), YYYY-MM-DD.
        #[arg(long)]
        since: String,
        /// The holder's bed count, where the cycle depends on it.
        #[arg(long)]
        beds: Option<i64>,
    },
}

/// Puts a province's own rules in force before anything uses the built-in ones:
/// any of `discretion.toml`, `violations.toml`, `points.toml`, `registry.toml`,
/// `deadlines.toml` found in `dir` (a missing one keeps the built-in file).
/// Every file is checked first.
pub fn install_provincial(dir: &std::path::Path) -> Result<Vec<String>> {
    let read = |name: &str| -> Result<Option<String>> {
        let path = dir.join(name);
        if path.exists() {
            std::fs::read_to_string(&path).map(Some).map_err(|e| anyhow!("无法读取 {}：{e}", path.display()))
        } else {
            Ok(None)
        }
    };
    if !dir.is_dir() {
        return Err(anyhow!("规则目录 {} 不存在", dir.display()));
    }
    let mut installed = Vec::new();
    let (policy, violations) = (read("discretion.toml")?, read("violations.toml")?);
    if policy.is_some() || violations.is_some() {
        let catalog = Catalog::parse(
            policy.as_deref().unwrap_or(penalty::BUILT_IN_POLICY),
            violations.as_deref().unwrap_or(penalty::BUILT_IN_VIOLATIONS),
        )
        .map_err(|e| anyhow!("{} 中的裁量基准无效：{e}", dir.display()))?;
        Catalog::install(catalog).map_err(|e| anyhow!(e))?;
        installed.extend(policy.map(|_| "discretion.toml".to_string()));
        installed.extend(violations.map(|_| "violations.toml".to_string()));
    }
    let points = read("points.toml")?
        .map(|text| {
            weijian_rules::points::Scheme::parse_all(&text)
                .map_err(|e| anyhow!("{} 中的记分规则无效：{e}", dir.join("points.toml").display()))
        })
        .transpose()?;
    let registry = read("registry.toml")?
        .map(|text| {
            Registry::parse_provincial(&text)
                .map_err(|e| anyhow!("{} 中的登记目录无效：{e}", dir.join("registry.toml").display()))
        })
        .transpose()?;
    let deadlines = read("deadlines.toml")?
        .map(|text| {
            weijian_rules::deadlines::parse(&text)
                .map_err(|e| anyhow!("{} 中的法定期限无效：{e}", dir.join("deadlines.toml").display()))
        })
        .transpose()?;
    // Every file was read and checked above: nothing is installed from a half-good directory.
    if let Some(schemes) = points {
        weijian_rules::points::Scheme::install(schemes).map_err(|e| anyhow!(e))?;
        installed.push("points.toml".into());
    }
    if let Some(r) = registry {
        Registry::install(r).map_err(|e| anyhow!(e))?;
        installed.push("registry.toml".into());
    }
    if let Some(table) = deadlines {
        weijian_rules::deadlines::install(table).map_err(|e| anyhow!(e))?;
        installed.push("deadlines.toml".into());
    }
    Ok(installed)
}

fn money(v: Option<&str>, what: &str) -> Result<Option<Fen>> {
    v.map(|s| {
        Fen::parse_amount(s).map_err(|e| {
            let code = if e == MoneyError::Negative { "penalty.negative_amount" } else { "request.invalid_amount" };
            anyhow!("{what}：{e}（{code}）")
        })
    })
    .transpose()
}

pub fn run(command: RulesCommand, json: bool) -> Result<i32> {
    let catalog = Catalog::official();
    match command {
        RulesCommand::Violations { query } => {
            let found = catalog.search(&query.join(" "));
            if json {
                let items: Vec<ViolationSummary> = found.iter().copied().map(ViolationSummary::from).collect();
                println!("{}", serde_json::to_string(&items)?);
            } else {
                for v in &found {
                    let basis: Vec<String> = v.basis.iter().map(|c| c.to_string()).collect();
                    println!("{}\t{}\t{}", v.code, v.name, basis.join("、"));
                }
                eprintln!("共 {} 条", found.len());
            }
            Ok(0)
        }
        RulesCommand::Penalty { violation, illegal_income, amount_involved, party, circumstances } => {
            let party = Party::parse(&party)
                .ok_or_else(|| anyhow!("当事人类型“{party}”无效，应为 legal 或 citizen（penalty.invalid_party）"))?;
            let facts = Facts {
                illegal_income: money(illegal_income.as_deref(), "违法所得")?,
                amount_involved: money(amount_involved.as_deref(), "涉案金额")?,
            };
            let q = penalty::Query { violation: &violation, party, facts, circumstances: &circumstances };
            let ev = penalty::evaluate(catalog, &q).map_err(|e| anyhow!("{e}（{}）", e.code()))?;
            if json {
                println!("{}", serde_json::to_string(&PenaltyResponse::from(ev))?);
            } else {
                print_evaluation(&ev);
            }
            Ok(0)
        }
        RulesCommand::Verification { kind, since, beds } => {
            let registry = Registry::official();
            let k = registry
                .licence_kind_by_key_or_label(&kind)
                .ok_or_else(|| anyhow!("未知的许可证种类“{kind}”（licence.unknown_kind）"))?;
            let since: chrono::NaiveDate = since
                .trim()
                .parse()
                .map_err(|_| anyhow!("日期“{since}”无效，应为 YYYY-MM-DD（field.invalid_date）"))?;
            let due = k.next_verification_due(since, beds).map(|d| d.to_string());
            if json {
                println!("{}", serde_json::json!({"kind": k.key, "next_verification_due": due}));
            } else {
                println!("{}：下次校验 {}", k.label, due.as_deref().unwrap_or("无需校验"));
            }
            Ok(0)
        }
    }
}

fn print_evaluation(ev: &penalty::Evaluation) {
    let yes = |b: bool| if b { "是" } else { "否" };
    println!("违法行为：{}（{}）", ev.name, ev.violation);
    println!("适用幅度：{}", ev.scale);
    match ev.legal {
        Some(r) => println!("法定罚款：{r}"),
        None => println!("法定罚款：无（该幅度不设罚款）"),
    }
    println!("裁量阶次：{}", ev.tier.label());
    if let Some(s) = ev.suggested {
        println!("建议罚款：{s}");
    }
    println!("处罚种类：{}", ev.kinds_text);
    println!("法律依据：{}", ev.basis.join("；"));
    println!(
        "听证权利：{}　简易程序：{}　重大案件：{}",
        yes(ev.hearing_right),
        yes(ev.simple_procedure),
        yes(ev.major_case)
    );
    println!("裁量说明：");
    for (i, step) in ev.explanation.iter().enumerate() {
        println!("  {}. {step}", i + 1);
    }
}
