//! Practitioners (医务人员) as a sheet. The primary institution is named like
//! a licence's holder: by its USCC, or by its name and region. The natural key
//! is the 身份证号; a 执业证书编号 may appear once in a file too.
//!
//! Exports carry the 身份证号 masked (`mask_citizen_id`, the one masking
//! function), never in full. An exported file therefore cannot be imported
//! back as it is: masked numbers are refused row by row.

use crate::file::{RowRef, Table};
use crate::holders::{Holders, Naming};
use crate::sheet::{Column, Context, ExportQuery, Outcome, RowProblem, Sheet, Written};
use std::collections::HashMap;
use weijian_domain::practitioners::PractitionerInput;
use weijian_domain::DomainResult;
use weijian_rules::ids::mask_citizen_id;
use weijian_rules::registry::PractitionerKind;
use weijian_store::entities::{self, Entity};
use weijian_store::ids::EntityId;
use weijian_store::page::Cursor;
use weijian_store::practitioners::{self, PractitionerData, Query};
use weijian_store::{imports, Actor, Store, StoreResult};

pub const NAME: &str = "姓名";
pub const ID_NUMBER: &str = "身份证号";
pub const KIND: &str = "类别";
pub const CERT_NO: &str = "执业证书编号";
pub const INSTITUTION_USCC: &str = "第一执业机构统一社会信用代码";
pub const INSTITUTION_NAME: &str = "第一执业机构名称";
pub const REGION: &str = "行政区划代码";

const INSTITUTION: Naming = Naming {
    uscc: INSTITUTION_USCC,
    name: INSTITUTION_NAME,
    region: REGION,
    role: "第一执业机构",
    import_first: "监管对象",
};

pub struct PractitionerSheet;

/// A checked practitioner with its primary institution.
pub struct PractitionerRecord {
    pub institution: Entity,
    pub data: PractitionerData,
}

fn column_of(field: &str) -> &'static str {
    match field {
        "name" => NAME,
        "id_number" => ID_NUMBER,
        "kind" => KIND,
        "qualification_no" => "资格证书编号",
        "practice_cert_no" => CERT_NO,
        "practice_category" => "执业类别",
        "practice_scope" => "执业范围",
        "entity_id" => INSTITUTION_USCC,
        "status" => "状态",
        "registered_on" => "注册日期",
        "cert_valid_until" => "证书有效期至",
        _ => "",
    }
}

/// A masked number, as exports write it.
pub fn is_masked(id_number: &str) -> bool {
    id_number.contains('*')
}

fn normal_id(raw: &str) -> String {
    raw.trim().to_uppercase()
}

fn normal_cert(raw: &str) -> String {
    raw.trim().to_uppercase()
}

fn kind_key(raw: &str) -> String {
    PractitionerKind::parse_key_or_label(raw.trim()).map(|k| k.key().to_string()).unwrap_or_else(|| raw.to_string())
}

#[derive(Default)]
pub struct Cache {
    holders: Holders,
    /// 身份证号 → region of a practitioner registered anywhere.
    by_id_number: HashMap<String, String>,
    /// (kind, 执业证书编号) → 身份证号 of its registered holder.
    by_cert: HashMap<(String, String), String>,
    /// 执业证书编号 → the rows of this file that carry it.
    cert_rows: HashMap<String, Vec<usize>>,
}

impl Sheet for PractitionerSheet {
    type Record = PractitionerRecord;
    type Cache = Cache;

    fn label(&self) -> &'static str {
        "医务人员"
    }

    fn batch_action(&self) -> &'static str {
        "import.practitioners_batch"
    }

    fn columns(&self) -> Vec<Column> {
        vec![
            Column::new(NAME, true, "必填，不超过50字"),
            Column::new(ID_NUMBER, true, "必填，18位居民身份证号；导出文件中的身份证号已脱敏，不能直接导入"),
            Column::new(KIND, true, "必填：医师、护士、医技人员"),
            Column::new("资格证书编号", false, "可留空"),
            Column::new(CERT_NO, false, "同一类别内不得重复"),
            Column::new("执业类别", false, "如：临床、口腔、中医、公共卫生"),
            Column::new("执业范围", false, "可留空"),
            Column::new(INSTITUTION_USCC, false, "第一执业机构须已登记；无代码的填写机构名称和行政区划代码"),
            Column::new(INSTITUTION_NAME, false, "无统一社会信用代码时必填"),
            Column::new(REGION, false, "第一执业机构的行政区划代码，无统一社会信用代码时必填"),
            Column::new("状态", false, "执业、暂停执业、吊销或注销；留空为执业"),
            Column::new("注册日期", false, "如 2020-07-01，可留空"),
            Column::new("证书有效期至", false, "护士执业证书填写，不得早于注册日期"),
        ]
    }

    fn example(&self) -> Vec<String> {
        let uscc = crate::entities::EntitySheet.example().get(1).cloned().unwrap_or_default();
        vec![
            "王示例".into(),
            "11010519491231002X".into(),
            "医师".into(),
            "199813110000001".into(),
            "110131127000001".into(),
            "临床".into(),
            "内科专业".into(),
            uscc,
            "枣强县示例医院".into(),
            "131127".into(),
            "执业".into(),
            "2020-07-01".into(),
            String::new(),
        ]
    }

    fn check_headers(&self, table: &Table) -> Vec<RowProblem> {
        let mut out = crate::sheet::default_header_check(&self.columns(), table);
        if !(table.has(INSTITUTION_USCC) || (table.has(INSTITUTION_NAME) && table.has(REGION))) {
            out.push(RowProblem::new(
                1,
                INSTITUTION_USCC,
                "",
                "import.missing_header",
                format!("缺少列“{INSTITUTION_USCC}”（或“{INSTITUTION_NAME}”与“{REGION}”两列）"),
            ));
        }
        out
    }

    fn natural_key(&self, row: RowRef<'_>) -> Option<(String, String)> {
        let id = normal_id(row.get(ID_NUMBER));
        // Masked numbers are refused on their own; they are not keys.
        if id.is_empty() || is_masked(&id) {
            return None;
        }
        Some((ID_NUMBER.into(), id))
    }

    fn report_value(&self, column: &str, value: &str) -> String {
        if column == ID_NUMBER {
            mask_citizen_id(value)
        } else {
            value.to_string()
        }
    }

    async fn prepare(&self, cx: &mut Context<'_, Cache>, table: &Table) -> StoreResult<()> {
        let mut ids = Vec::new();
        let mut certs = Vec::new();
        for i in 0..table.rows.len() {
            let row = table.row(i);
            let id = normal_id(row.get(ID_NUMBER));
            if id.len() == 18 && !is_masked(&id) {
                ids.push(id);
            }
            let cert = normal_cert(row.get(CERT_NO));
            if !cert.is_empty() {
                cx.cache.cert_rows.entry(format!("{}\n{cert}", kind_key(row.get(KIND)))).or_default().push(row.number);
                certs.push(cert);
            }
        }
        let mut conn = cx.store.reader().acquire().await?;
        for p in imports::registered_practitioners(&mut conn, &ids, &certs).await? {
            if let Some(cert) = p.practice_cert_no {
                cx.cache.by_cert.insert((p.kind, cert), p.id_number.clone());
            }
            cx.cache.by_id_number.insert(p.id_number, p.region_code);
        }
        Ok(())
    }

    async fn validate(
        &self,
        cx: &mut Context<'_, Cache>,
        row: RowRef<'_>,
    ) -> StoreResult<Result<PractitionerRecord, Vec<RowProblem>>> {
        let n = row.number;
        let mut problems = Vec::new();
        let institution = match cx.cache.holders.find(cx.store, cx.actor, &INSTITUTION, row).await? {
            Ok(e) => {
                if let Err((code, message)) = cx.region_writable(&e.data.region_code).await? {
                    let column = if row.get(INSTITUTION_USCC).is_empty() { INSTITUTION_NAME } else { INSTITUTION_USCC };
                    problems.push(RowProblem::new(n, column, row.get(column), &code, message));
                }
                Some(e)
            }
            Err((column, value, message)) => {
                problems.push(RowProblem::new(n, &column, &value, "practitioner.institution_not_found", message));
                None
            }
        };
        let masked = is_masked(row.get(ID_NUMBER));
        if masked {
            problems.push(RowProblem::new(
                n,
                ID_NUMBER,
                &mask_citizen_id(row.get(ID_NUMBER)),
                "practitioner.masked_id_number",
                "身份证号已脱敏，无法导入（导出文件中的身份证号均已脱敏，请填写完整的身份证号）",
            ));
        }
        let input = PractitionerInput {
            name: row.get(NAME).to_string(),
            id_number: row.get(ID_NUMBER).to_string(),
            kind: row.get(KIND).to_string(),
            qualification_no: row.opt("资格证书编号"),
            practice_cert_no: row.opt(CERT_NO),
            practice_category: row.opt("执业类别"),
            practice_scope: row.opt("执业范围"),
            entity_id: institution.as_ref().map(|e| e.id).unwrap_or_else(EntityId::new).to_string(),
            status: row.opt("状态"),
            registered_on: row.opt("注册日期"),
            cert_valid_until: row.opt("证书有效期至"),
        };
        let parsed = input.parse(weijian_domain::input::today());
        if let Err(ps) = &parsed {
            for p in ps.iter().filter(|p| !(masked && p.field == "id_number")) {
                problems.push(RowProblem::from_domain(n, column_of(p.field), p));
            }
        }
        let cert = normal_cert(row.get(CERT_NO));
        let cert_key = format!("{}\n{cert}", kind_key(row.get(KIND)));
        if let Some(rows) = cx.cache.cert_rows.get(&cert_key).filter(|r| !cert.is_empty() && r.len() > 1) {
            let others: Vec<String> = rows.iter().filter(|&&o| o != n).map(|o| o.to_string()).collect();
            problems.push(RowProblem::new(
                n,
                CERT_NO,
                &cert,
                "import.duplicate_key",
                format!("与第 {} 行的{CERT_NO}重复（同一证书只能出现一次）", others.join("、")),
            ));
        }
        if let Ok(data) = &parsed {
            if let Some(region) = cx.cache.by_id_number.get(&data.id_number).cloned() {
                if cx.region_writable(&region).await?.is_err() {
                    problems.push(RowProblem::new(
                        n,
                        ID_NUMBER,
                        &mask_citizen_id(&data.id_number),
                        "practitioner.registered_elsewhere",
                        "该身份证号已由其他辖区登记，您无权修改",
                    ));
                }
            }
            if let Some(cert) = &data.practice_cert_no {
                let holder = cx.cache.by_cert.get(&(data.kind.key().to_string(), cert.clone()));
                if holder.is_some_and(|h| h != &data.id_number) {
                    problems.push(RowProblem::new(
                        n,
                        CERT_NO,
                        cert,
                        "practitioner.duplicate_cert",
                        "该执业证书编号已登记在他人名下",
                    ));
                }
            }
        }
        Ok(match (parsed, institution) {
            (Ok(data), Some(institution)) if problems.is_empty() => Ok(PractitionerRecord { institution, data }),
            _ => Err(problems),
        })
    }

    async fn write(
        &self,
        conn: &mut sqlx::AnyConnection,
        actor: &Actor,
        _job: &str,
        r: &PractitionerRecord,
    ) -> StoreResult<Written> {
        let existing = practitioners::find_by_id_number(conn, actor, &r.data.id_number).await?;
        Ok(match existing {
            None => {
                let p = practitioners::insert(conn, actor, &r.institution, &r.data).await?;
                Written { outcome: Outcome::Created, object_id: p.id.to_string() }
            }
            Some(p) if p.data == r.data => Written { outcome: Outcome::Unchanged, object_id: p.id.to_string() },
            Some(p) => {
                let after = practitioners::replace(conn, actor, &p, &r.institution, None, &r.data).await?;
                Written { outcome: Outcome::Updated, object_id: after.id.to_string() }
            }
        })
    }

    async fn export(&self, store: &Store, actor: &Actor, query: &ExportQuery) -> DomainResult<Vec<Vec<String>>> {
        let mut institutions: HashMap<EntityId, Option<String>> = HashMap::new();
        let mut out = Vec::new();
        let mut q = Query {
            q: query.q.clone(),
            kind: query.kind.as_deref().and_then(PractitionerKind::parse_key_or_label),
            limit: Some(weijian_store::page::MAX_LIMIT),
            ..Query::default()
        };
        loop {
            // The domain's reads hand out masked numbers already.
            let page = weijian_domain::practitioners::list(store, actor, &q).await?;
            for p in &page.items {
                let uscc = match institutions.get(&p.data.entity_id) {
                    Some(u) => u.clone(),
                    None => {
                        let u = entities::get(store, actor, p.data.entity_id).await?.data.uscc;
                        institutions.insert(p.data.entity_id, u.clone());
                        u
                    }
                };
                let d = &p.data;
                let date = |v: Option<chrono::NaiveDate>| v.map(|d| d.to_string()).unwrap_or_default();
                let opt = |v: &Option<String>| v.clone().unwrap_or_default();
                out.push(vec![
                    d.name.clone(),
                    mask_citizen_id(&d.id_number),
                    d.kind.label().to_string(),
                    opt(&d.qualification_no),
                    opt(&d.practice_cert_no),
                    opt(&d.practice_category),
                    opt(&d.practice_scope),
                    uscc.unwrap_or_default(),
                    p.entity_name.clone(),
                    p.region_code.clone(),
                    d.status.label().to_string(),
                    date(d.registered_on),
                    date(d.cert_valid_until),
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
