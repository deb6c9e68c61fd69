//! Licences (许可证) as a sheet. The holder is named by its USCC, or by its
//! name and region; the natural key is the licence kind and number.

use crate::file::{RowRef, Table};
use crate::holders::{Holders, Naming};
use crate::sheet::{Column, Context, ExportQuery, Outcome, RowProblem, Sheet, Written};
use std::collections::HashMap;
use weijian_domain::licences::LicenceInput;
use weijian_domain::DomainResult;
use weijian_rules::registry::{LicenceRecord as RecordKind, Registry};
use weijian_store::entities::{self, Entity};
use weijian_store::ids::EntityId;
use weijian_store::licences::{self, LicenceData, Query};
use weijian_store::page::Cursor;
use weijian_store::{imports, Actor, Store, StoreResult};

pub const HOLDER_USCC: &str = "持证单位统一社会信用代码";
pub const HOLDER_NAME: &str = "持证单位名称";
pub const REGION: &str = "行政区划代码";
pub const KIND: &str = "许可证种类";
pub const NUMBER: &str = "许可证编号";

pub struct LicenceSheet;

/// A checked licence with the holder it belongs to.
pub struct LicenceRecord {
    pub holder: Entity,
    pub data: LicenceData,
}

fn column_of(field: &str) -> &'static str {
    match field {
        "kind" => KIND,
        "number" => NUMBER,
        "scope" => "许可范围",
        "issued_by" => "发证机关",
        "issued_on" => "发证日期",
        "valid_until" => "有效期至",
        "last_verified_on" => "上次校验日期",
        "status" => "状态",
        _ => "",
    }
}

#[derive(Default)]
pub struct Cache {
    /// (kind, number) → (region, holder, recorded status) of licences registered anywhere.
    registered: HashMap<(String, String), (String, EntityId, String)>,
    holders: Holders,
}

fn kind_key(raw: &str) -> String {
    Registry::official().licence_kind_by_key_or_label(raw).map(|k| k.key.clone()).unwrap_or_else(|| raw.to_string())
}

const HOLDER: Naming =
    Naming { uscc: HOLDER_USCC, name: HOLDER_NAME, region: REGION, role: "持证单位", import_first: "监管对象" };

impl Sheet for LicenceSheet {
    type Record = LicenceRecord;
    type Cache = Cache;

    fn label(&self) -> &'static str {
        "许可证"
    }

    fn batch_action(&self) -> &'static str {
        "import.licences_batch"
    }

    fn columns(&self) -> Vec<Column> {
        let kinds: Vec<&str> = Registry::official().licence_kinds.iter().map(|k| k.label.as_str()).collect();
        vec![
            Column::new(HOLDER_USCC, false, "持证单位须已登记；无代码的填写持证单位名称和行政区划代码"),
            Column::new(HOLDER_NAME, false, "无统一社会信用代码时必填"),
            Column::new(REGION, false, "持证单位的行政区划代码，无统一社会信用代码时必填"),
            Column::new(KIND, true, format!("必填：{}", kinds.join("、"))),
            Column::new(NUMBER, true, "必填，同一种类内不得重复"),
            Column::new("许可范围", false, "可留空"),
            Column::new("发证机关", false, "可留空"),
            Column::new("发证日期", true, "必填，如 2024-03-01"),
            Column::new("有效期至", false, "留空按该种类的法定有效期计算"),
            Column::new("上次校验日期", false, "医疗机构执业许可证填写，可留空"),
            Column::new("状态", false, "有效、暂停、吊销或注销；留空为有效"),
        ]
    }

    fn example(&self) -> Vec<String> {
        let kind = Registry::official().licence_kinds.first().map(|k| k.label.clone()).unwrap_or_default();
        let uscc = crate::entities::EntitySheet.example().get(1).cloned().unwrap_or_default();
        vec![
            uscc,
            "枣强县示例医院".into(),
            "131127".into(),
            kind,
            "PDY00001X131127A1001".into(),
            "内科；外科；医学检验科".into(),
            "枣强县卫生健康局".into(),
            "2024-03-01".into(),
            "2029-02-28".into(),
            String::new(),
            "有效".into(),
        ]
    }

    fn check_headers(&self, table: &Table) -> Vec<RowProblem> {
        let mut out = crate::sheet::default_header_check(&self.columns(), table);
        let holder_named = table.has(HOLDER_USCC) || (table.has(HOLDER_NAME) && table.has(REGION));
        if !holder_named {
            out.push(RowProblem::new(
                1,
                HOLDER_USCC,
                "",
                "import.missing_header",
                format!("缺少列“{HOLDER_USCC}”（或“{HOLDER_NAME}”与“{REGION}”两列）"),
            ));
        }
        out
    }

    fn natural_key(&self, row: RowRef<'_>) -> Option<(String, String)> {
        let number = row.get(NUMBER);
        if number.is_empty() {
            return None;
        }
        Some((NUMBER.into(), format!("{}\n{number}", kind_key(row.get(KIND)))))
    }

    async fn prepare(&self, cx: &mut Context<'_, Cache>, table: &Table) -> StoreResult<()> {
        let keys: Vec<(String, String)> = (0..table.rows.len())
            .map(|i| table.row(i))
            .filter(|r| !r.get(NUMBER).is_empty())
            .map(|r| (kind_key(r.get(KIND)), r.get(NUMBER).to_string()))
            .collect();
        let mut conn = cx.store.reader().acquire().await?;
        cx.cache.registered = imports::registered_licences(&mut conn, &keys)
            .await?
            .into_iter()
            .map(|l| ((l.kind, l.number), (l.region_code, l.entity_id, l.status)))
            .collect();
        Ok(())
    }

    async fn validate(
        &self,
        cx: &mut Context<'_, Cache>,
        row: RowRef<'_>,
    ) -> StoreResult<Result<LicenceRecord, Vec<RowProblem>>> {
        let n = row.number;
        let mut problems = Vec::new();
        let holder = match cx.cache.holders.find(cx.store, cx.actor, &HOLDER, row).await? {
            Ok(h) => {
                if let Err((code, message)) = cx.region_writable(&h.data.region_code).await? {
                    let column = if row.get(HOLDER_USCC).is_empty() { HOLDER_NAME } else { HOLDER_USCC };
                    problems.push(RowProblem::new(n, column, row.get(column), &code, message));
                }
                Some(h)
            }
            Err((column, value, message)) => {
                problems.push(RowProblem::new(n, &column, &value, "licence.holder_not_found", message));
                None
            }
        };
        let input = LicenceInput {
            kind: row.get(KIND).to_string(),
            number: row.get(NUMBER).to_string(),
            scope: row.opt("许可范围"),
            issued_by: row.opt("发证机关"),
            issued_on: row.get("发证日期").to_string(),
            valid_until: row.opt("有效期至"),
            last_verified_on: row.opt("上次校验日期"),
            status: row.opt("状态"),
        };
        let stand_in = crate::holders::placeholder();
        let parsed = input.parse(holder.as_ref().unwrap_or(&stand_in));
        if let Err(ps) = &parsed {
            for p in ps {
                problems.push(RowProblem::from_domain(n, column_of(p.field), p));
            }
        }
        if let Ok(data) = &parsed {
            let key = (data.kind.clone(), data.number.clone());
            let before = cx.cache.registered.get(&key).and_then(|(_, _, s)| RecordKind::parse(s));
            // The same rule as the licence form: no 吊销/暂扣 outside a penalty decision,
            // 注销/撤销 only by those who may.
            if let Err(e) = weijian_domain::licences::check_record_change(cx.actor, before, data.record) {
                problems.push(RowProblem::new(n, "状态", row.get("状态"), e.code, e.message));
            }
            if let Some((region, entity, _)) = cx.cache.registered.get(&key).cloned() {
                if cx.region_writable(&region).await?.is_err() {
                    problems.push(RowProblem::new(
                        n,
                        NUMBER,
                        &data.number,
                        "licence.registered_elsewhere",
                        "该许可证编号已由其他辖区登记，您无权修改",
                    ));
                } else if holder.as_ref().is_some_and(|h| h.id != entity) {
                    problems.push(RowProblem::new(
                        n,
                        NUMBER,
                        &data.number,
                        "licence.holder_fixed",
                        "该许可证编号已登记在其他持证单位名下，许可证的持证单位不能更改",
                    ));
                }
            }
        }
        Ok(match (parsed, holder) {
            (Ok(data), Some(holder)) if problems.is_empty() => Ok(LicenceRecord { holder, data }),
            _ => Err(problems),
        })
    }

    async fn write(
        &self,
        conn: &mut sqlx::AnyConnection,
        actor: &Actor,
        job: &str,
        r: &LicenceRecord,
    ) -> StoreResult<Written> {
        let existing = licences::find_by_number(conn, actor, &r.data.kind, &r.data.number).await?;
        Ok(match existing {
            None => {
                let l = licences::insert(conn, actor, &r.holder, &r.data).await?;
                Written { outcome: Outcome::Created, object_id: l.id.to_string() }
            }
            Some(l) if l.data == r.data => Written { outcome: Outcome::Unchanged, object_id: l.id.to_string() },
            Some(l) => {
                let reason = format!("批量导入（导入任务 {job}）");
                let after = licences::replace(conn, actor, &l, None, &r.data, Some(&reason)).await?;
                Written { outcome: Outcome::Updated, object_id: after.id.to_string() }
            }
        })
    }

    async fn export(&self, store: &Store, actor: &Actor, query: &ExportQuery) -> DomainResult<Vec<Vec<String>>> {
        let registry = Registry::official();
        let mut holders: HashMap<EntityId, Option<String>> = HashMap::new();
        let mut out = Vec::new();
        let mut q = Query {
            q: query.q.clone(),
            kind: query.kind.clone(),
            limit: Some(weijian_store::page::MAX_LIMIT),
            ..Query::default()
        };
        loop {
            let page = weijian_domain::licences::list(store, actor, &q).await?;
            for l in &page.items {
                let uscc = match holders.get(&l.data.entity_id) {
                    Some(u) => u.clone(),
                    None => {
                        let u = entities::get(store, actor, l.data.entity_id).await?.data.uscc;
                        holders.insert(l.data.entity_id, u.clone());
                        u
                    }
                };
                let d = &l.data;
                let date = |v: Option<chrono::NaiveDate>| v.map(|d| d.to_string()).unwrap_or_default();
                out.push(vec![
                    uscc.unwrap_or_default(),
                    l.entity_name.clone(),
                    l.region_code.clone(),
                    registry.licence_kind(&d.kind).map(|k| k.label.clone()).unwrap_or(d.kind.clone()),
                    d.number.clone(),
                    d.scope.clone().unwrap_or_default(),
                    d.issued_by.clone().unwrap_or_default(),
                    d.issued_on.to_string(),
                    date(d.valid_until),
                    date(d.last_verified_on),
                    d.record.label().to_string(),
                ]);
            }
            match page.next.as_deref().and_then(Cursor::decode) {
                Some(next) => q.after = Some(next),
                None => break,
            }
        }
        Ok(out)
    }
}
