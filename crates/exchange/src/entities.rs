//! Supervised entities (监管对象) as a sheet. Category attributes are columns
//! named by their labels; a label shared by several categories (床位数) is one
//! column. The natural key is the USCC, else region + name + address.

use crate::file::{RowRef, Table};
use crate::sheet::{Column, Context, ExportQuery, Outcome, RowProblem, Sheet, Written};
use std::collections::{BTreeMap, HashMap};
use weijian_domain::authz::Permission;
use weijian_domain::entities::{Determinations, EntityInput};
use weijian_domain::DomainResult;
use weijian_rules::registry::{Category, Registry};
use weijian_store::entities::{self, EntityData, Query};
use weijian_store::page::Cursor;
use weijian_store::{imports, Actor, Store, StoreResult};

pub const NAME: &str = "名称";
pub const USCC: &str = "统一社会信用代码";
pub const EXEMPTION: &str = "无代码原因";
pub const REGION: &str = "行政区划代码";
pub const CATEGORY: &str = "类别";
const TAIL: [&str; 8] = ["法定代表人", "地址", "网格", "联系人", "联系电话", "经营状态", "风险等级", "信用等级"];

pub struct EntitySheet;

/// The column of a category attribute: its label, unless the label is one of
/// the fixed columns (医疗机构's 类别), then prefixed with the category's label.
pub fn attribute_header(category: &Category, label: &str) -> String {
    if [NAME, USCC, EXEMPTION, REGION, CATEGORY].contains(&label) || TAIL.contains(&label) {
        format!("{}{label}", category.label)
    } else {
        label.to_string()
    }
}

/// Every attribute column, in the order of the vocabulary, each once.
fn attribute_headers() -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for c in &Registry::official().categories {
        for a in &c.attributes {
            let h = attribute_header(c, &a.label);
            if !out.contains(&h) {
                out.push(h);
            }
        }
    }
    out
}

fn column_of(field: &str) -> &'static str {
    match field {
        "region_code" => REGION,
        "name" => NAME,
        "uscc" => USCC,
        "uscc_exemption" => EXEMPTION,
        "category" => CATEGORY,
        "legal_representative" => "法定代表人",
        "address" => "地址",
        "grid" => "网格",
        "contact_person" => "联系人",
        "contact_phone" => "联系电话",
        "status" => "经营状态",
        "risk_grade" => "风险等级",
        "credit_grade" => "信用等级",
        _ => "",
    }
}

/// USCCs registered anywhere → the owning region.
#[derive(Default)]
pub struct Cache {
    registered: HashMap<String, String>,
}

fn normal_uscc(raw: &str) -> String {
    raw.trim().to_uppercase()
}

impl Sheet for EntitySheet {
    type Record = EntityData;
    type Cache = Cache;

    fn label(&self) -> &'static str {
        "监管对象"
    }

    fn batch_action(&self) -> &'static str {
        "import.entities_batch"
    }

    fn columns(&self) -> Vec<Column> {
        let categories: Vec<&str> = Registry::official().categories.iter().map(|c| c.label.as_str()).collect();
        let mut cols = vec![
            Column::new(NAME, true, "必填，不超过100字"),
            Column::new(USCC, true, "18位；无代码的须填写无代码原因"),
            Column::new(EXEMPTION, false, "无统一社会信用代码时必填，如：个体从业者"),
            Column::new(REGION, true, "必填，6位行政区划代码"),
            Column::new(CATEGORY, true, format!("必填：{}", categories.join("、"))),
        ];
        for h in attribute_headers() {
            cols.push(Column::new(h, false, "类别属性，不适用的留空"));
        }
        for h in TAIL {
            let note = match h {
                "经营状态" => "正常经营、停业或注销关闭；留空为正常经营",
                "风险等级" | "信用等级" => "A、B、C、D，可留空",
                _ => "可留空",
            };
            cols.push(Column::new(h, false, note));
        }
        cols
    }

    fn example(&self) -> Vec<String> {
        let mut values: HashMap<String, String> = [
            (NAME, "枣强县示例医院"),
            (USCC, "12131127MB1234567L"),
            (REGION, "131127"),
            (CATEGORY, "医疗机构"),
            ("医疗机构类别", "综合医院"),
            ("级别", "二级"),
            ("经营性质", "非营利性"),
            ("床位数", "200"),
            ("法定代表人", "张三"),
            ("地址", "枣强县示例路1号"),
            ("联系人", "李四"),
            ("联系电话", "0318-8221234"),
            ("经营状态", "正常经营"),
            ("风险等级", "B"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        if let Some(valid) = example_uscc() {
            values.insert(USCC.into(), valid);
        }
        self.columns().iter().map(|c| values.remove(&c.header).unwrap_or_default()).collect()
    }

    fn check_headers(&self, table: &Table) -> Vec<RowProblem> {
        crate::sheet::default_header_check(&self.columns(), table)
    }

    fn natural_key(&self, row: RowRef<'_>) -> Option<(String, String)> {
        let uscc = normal_uscc(row.get(USCC));
        if !uscc.is_empty() {
            return Some((USCC.into(), uscc));
        }
        let name = row.get(NAME);
        if name.is_empty() {
            return None;
        }
        Some((NAME.into(), format!("{}\n{name}\n{}", row.get(REGION), row.get("地址"))))
    }

    async fn prepare(&self, cx: &mut Context<'_, Cache>, table: &Table) -> StoreResult<()> {
        let usccs: Vec<String> =
            (0..table.rows.len()).map(|i| normal_uscc(table.row(i).get(USCC))).filter(|u| u.len() == 18).collect();
        let mut conn = cx.store.reader().acquire().await?;
        cx.cache.registered = imports::registered_usccs(&mut conn, &usccs).await?.into_iter().collect();
        Ok(())
    }

    async fn validate(
        &self,
        cx: &mut Context<'_, Cache>,
        row: RowRef<'_>,
    ) -> StoreResult<Result<EntityData, Vec<RowProblem>>> {
        let n = row.number;
        let mut problems = Vec::new();
        let registry = Registry::official();
        let category = registry.category_by_key_or_label(row.get(CATEGORY));
        // Attributes column by column, so each problem names its column.
        let mut attributes = BTreeMap::new();
        for h in attribute_headers() {
            let value = row.get(&h);
            let spec =
                category.and_then(|c| c.attributes.iter().find(|a| attribute_header(c, &a.label) == h).map(|a| (c, a)));
            match (value.is_empty(), spec, category) {
                (true, _, _) => {}
                (false, None, Some(c)) => problems.push(RowProblem::new(
                    n,
                    &h,
                    value,
                    "entity.invalid_attribute",
                    format!("“{}”类别没有“{h}”这一项，请留空", c.label),
                )),
                (false, None, None) => {}
                (false, Some((c, a)), _) => {
                    let one = BTreeMap::from([(a.key.clone(), value.to_string())]);
                    match c.check_attributes(&one) {
                        Ok(_) => {
                            attributes.insert(a.key.clone(), value.to_string());
                        }
                        Err(e) if e.key == a.key => {
                            problems.push(RowProblem::new(n, &h, value, "entity.invalid_attribute", e.message))
                        }
                        // Only a required attribute other than this one is missing.
                        Err(_) => {
                            attributes.insert(a.key.clone(), value.to_string());
                        }
                    }
                }
            }
        }
        if let Some(c) = category {
            for a in c.attributes.iter().filter(|a| a.required) {
                let h = attribute_header(c, &a.label);
                if row.get(&h).is_empty() {
                    problems.push(RowProblem::new(
                        n,
                        &h,
                        "",
                        "entity.invalid_attribute",
                        format!("{}不能为空（{}必填）", h, c.label),
                    ));
                }
            }
        }
        let input = EntityInput {
            region_code: row.get(REGION).to_string(),
            name: row.get(NAME).to_string(),
            uscc: row.opt(USCC),
            uscc_exemption: row.opt(EXEMPTION),
            category: row.get(CATEGORY).to_string(),
            attributes,
            legal_representative: row.opt("法定代表人"),
            address: row.opt("地址"),
            grid: row.opt("网格"),
            contact_person: row.opt("联系人"),
            contact_phone: row.opt("联系电话"),
            status: row.opt("经营状态"),
            risk_grade: row.opt("风险等级"),
            credit_grade: row.opt("信用等级"),
        };
        let parsed = input.parse();
        if let Err(ps) = &parsed {
            for p in ps.iter().filter(|p| p.field != "attributes") {
                problems.push(RowProblem::from_domain(n, column_of(p.field), p));
            }
        }
        let region = row.get(REGION);
        if !region.is_empty() {
            if let Err((code, message)) = cx.region_writable(region).await? {
                problems.push(RowProblem::new(n, REGION, region, &code, message));
            }
        }
        let uscc = normal_uscc(row.get(USCC));
        if let Some(owner) = cx.cache.registered.get(&uscc).cloned() {
            if cx.region_writable(&owner).await?.is_err() {
                problems.push(RowProblem::new(
                    n,
                    USCC,
                    &uscc,
                    "entity.registered_elsewhere",
                    "该统一社会信用代码已由其他辖区登记，您无权修改",
                ));
            }
        }
        if let Ok(data) = &parsed {
            // Status and grades are the bureau's determinations: a row of an
            // actor who may not change them must leave them as they are.
            if !weijian_domain::authz::allows(cx.actor, Permission::ChangeEntityGrades) {
                let mut conn = cx.store.reader().acquire().await?;
                let existing = entities::find_natural(
                    &mut conn,
                    cx.actor,
                    data.uscc.as_deref(),
                    &data.region_code,
                    &data.name,
                    data.address.as_deref(),
                )
                .await?;
                let before = existing.as_ref().map(|e| Determinations::of(&e.data)).unwrap_or(Determinations::NEW);
                for change in Determinations::of(data).changes_from(&before) {
                    let column = change.split(' ').next().unwrap_or_default().to_string();
                    problems.push(RowProblem::new(
                        n,
                        &column,
                        row.get(&column),
                        "entity.determination_forbidden",
                        format!("您的角色无权变更{change}（须由股室负责人或局领导写明原因后变更）"),
                    ));
                }
            }
        }
        Ok(match parsed {
            Ok(data) if problems.is_empty() => Ok(data),
            _ => Err(problems),
        })
    }

    async fn write(
        &self,
        conn: &mut sqlx::AnyConnection,
        actor: &Actor,
        _job: &str,
        data: &EntityData,
    ) -> StoreResult<Written> {
        let existing = entities::find_natural(
            conn,
            actor,
            data.uscc.as_deref(),
            &data.region_code,
            &data.name,
            data.address.as_deref(),
        )
        .await?;
        Ok(match existing {
            None => {
                let e = entities::insert(conn, actor, data).await?;
                Written { outcome: Outcome::Created, object_id: e.id.to_string() }
            }
            Some(e) if &e.data == data => Written { outcome: Outcome::Unchanged, object_id: e.id.to_string() },
            Some(e) => {
                let after = entities::replace(conn, actor, &e, None, data).await?;
                Written { outcome: Outcome::Updated, object_id: after.id.to_string() }
            }
        })
    }

    async fn export(&self, store: &Store, actor: &Actor, query: &ExportQuery) -> DomainResult<Vec<Vec<String>>> {
        let columns = self.columns();
        let mut out = Vec::new();
        let mut q = Query {
            q: query.q.clone(),
            region_code: query.region_code.clone(),
            category: query.category.clone(),
            limit: Some(weijian_store::page::MAX_LIMIT),
            ..Query::default()
        };
        loop {
            let page = weijian_domain::entities::list(store, actor, &q).await?;
            for e in &page.items {
                out.push(columns.iter().map(|c| cell(&e.data, &c.header)).collect());
            }
            match page.next.as_deref().and_then(Cursor::decode) {
                Some(next) => q.after = Some(next),
                None => break,
            }
        }
        Ok(out)
    }
}

/// A valid USCC for the template (computed, so the example always passes).
fn example_uscc() -> Option<String> {
    use weijian_rules::ids::{org_code_check_char, uscc_check_char};
    let org = format!("MB123456{}", org_code_check_char("MB123456")?);
    let first17 = format!("12131127{org}");
    Some(format!("{first17}{}", uscc_check_char(&first17)?))
}

/// One cell of an exported entity, as an import reads it back.
fn cell(d: &EntityData, header: &str) -> String {
    let opt = |v: &Option<String>| v.clone().unwrap_or_default();
    match header {
        NAME => d.name.clone(),
        USCC => opt(&d.uscc),
        EXEMPTION => opt(&d.uscc_exemption),
        REGION => d.region_code.clone(),
        CATEGORY => Registry::official().category(&d.category).map(|c| c.label.clone()).unwrap_or(d.category.clone()),
        "法定代表人" => opt(&d.legal_representative),
        "地址" => opt(&d.address),
        "网格" => opt(&d.grid),
        "联系人" => opt(&d.contact_person),
        "联系电话" => opt(&d.contact_phone),
        "经营状态" => d.status.label().to_string(),
        "风险等级" => d.risk_grade.map(|g| g.key().to_string()).unwrap_or_default(),
        "信用等级" => d.credit_grade.map(|g| g.key().to_string()).unwrap_or_default(),
        attribute => Registry::official()
            .category(&d.category)
            .and_then(|c| c.attributes.iter().find(|a| attribute_header(c, &a.label) == attribute))
            .and_then(|a| d.attributes.get(&a.key))
            .map(|v| v.to_string())
            .unwrap_or_default(),
    }
}
