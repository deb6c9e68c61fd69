//! Inspectors (执法人员) as a sheet. The unit is named by its name among the
//! units the actor may see; a linked account by its login name. The natural
//! key is the 执法证号.

use crate::file::{RowRef, Table};
use crate::sheet::{Column, Context, ExportQuery, Outcome, RowProblem, Sheet, Written};
use std::collections::HashMap;
use weijian_domain::inspectors::InspectorInput;
use weijian_domain::DomainResult;
use weijian_rules::registry::Registry;
use weijian_store::ids::{UnitId, UserId};
use weijian_store::inspectors::{self, InspectorData, Query};
use weijian_store::page::Cursor;
use weijian_store::units::{self, Unit};
use weijian_store::{imports, users, Actor, Store, StoreResult};

pub const NAME: &str = "姓名";
pub const UNIT: &str = "所属单位";
pub const CERT_NO: &str = "执法证号";
pub const VALID_FROM: &str = "执法证起始日期";
pub const VALID_UNTIL: &str = "执法证有效期至";
pub const SPECIALTIES: &str = "专业领域";
pub const USERNAME: &str = "登录用户名";

pub struct InspectorSheet;

/// A checked inspector with its unit.
pub struct InspectorRecord {
    pub unit: Unit,
    pub data: InspectorData,
}

fn column_of(field: &str) -> &'static str {
    match field {
        "name" => NAME,
        "unit_id" => UNIT,
        "user_id" => USERNAME,
        "cert_no" => CERT_NO,
        "cert_valid_from" => VALID_FROM,
        "cert_valid_until" => VALID_UNTIL,
        "specialties" => SPECIALTIES,
        "status" => "状态",
        "phone" => "电话",
        _ => "",
    }
}

fn normal_cert(raw: &str) -> String {
    raw.trim().to_uppercase()
}

/// Specialties as written in a cell: separated by 、 , ， ; ； or spaces.
pub fn split_specialties(cell: &str) -> Vec<String> {
    cell.split(['、', ',', '，', ';', '；', ' ', '\u{3000}'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

#[derive(Default)]
pub struct Cache {
    /// Units the actor may see, by name.
    units: HashMap<String, Vec<Unit>>,
    /// Accounts the actor may see: login name → id.
    users: HashMap<String, UserId>,
    /// 执法证号 → region of an inspector registered anywhere.
    certs: HashMap<String, String>,
    /// Linked user id → 执法证号 of the inspector it is linked to.
    linked: HashMap<String, String>,
}

impl Sheet for InspectorSheet {
    type Record = InspectorRecord;
    type Cache = Cache;

    fn label(&self) -> &'static str {
        "执法人员"
    }

    fn batch_action(&self) -> &'static str {
        "import.inspectors_batch"
    }

    fn columns(&self) -> Vec<Column> {
        let specialties: Vec<&str> = Registry::official().specialties.iter().map(|s| s.label.as_str()).collect();
        vec![
            Column::new(NAME, true, "必填，不超过50字"),
            Column::new(UNIT, true, "必填，您辖区内已登记的单位名称"),
            Column::new(CERT_NO, true, "必填，不得重复"),
            Column::new(VALID_FROM, true, "必填，如 2024-01-01"),
            Column::new(VALID_UNTIL, true, "必填，不得早于起始日期"),
            Column::new(SPECIALTIES, false, format!("多个用“、”或“,”分隔：{}", specialties.join("、"))),
            Column::new("状态", false, "在岗、暂停执法或离岗退休；留空为在岗"),
            Column::new("电话", false, "可留空"),
            Column::new(USERNAME, false, "关联的系统登录用户名，可留空"),
        ]
    }

    fn example(&self) -> Vec<String> {
        let specialty = Registry::official().specialties.first().map(|s| s.label.clone()).unwrap_or_default();
        vec![
            "张示例".into(),
            "枣强县卫生监督所".into(),
            "13112700001".into(),
            "2024-01-01".into(),
            "2029-12-31".into(),
            specialty,
            "在岗".into(),
            "13800000000".into(),
            String::new(),
        ]
    }

    fn check_headers(&self, table: &Table) -> Vec<RowProblem> {
        crate::sheet::default_header_check(&self.columns(), table)
    }

    fn natural_key(&self, row: RowRef<'_>) -> Option<(String, String)> {
        let cert = normal_cert(row.get(CERT_NO));
        (!cert.is_empty()).then(|| (CERT_NO.into(), cert))
    }

    async fn prepare(&self, cx: &mut Context<'_, Cache>, table: &Table) -> StoreResult<()> {
        for u in units::list(cx.store, cx.actor).await? {
            cx.cache.units.entry(u.name.clone()).or_default().push(u);
        }
        if table.has(USERNAME) {
            for u in users::list(cx.store, cx.actor).await? {
                cx.cache.users.insert(u.username.clone(), u.id);
            }
        }
        let certs: Vec<String> =
            (0..table.rows.len()).map(|i| normal_cert(table.row(i).get(CERT_NO))).filter(|c| !c.is_empty()).collect();
        let user_ids: Vec<String> = (0..table.rows.len())
            .filter_map(|i| cx.cache.users.get(table.row(i).get(USERNAME)))
            .map(|u| u.to_string())
            .collect();
        let mut conn = cx.store.reader().acquire().await?;
        for i in imports::registered_inspectors(&mut conn, &certs, &user_ids).await? {
            if let Some(user) = i.user_id {
                cx.cache.linked.insert(user, i.cert_no.clone());
            }
            cx.cache.certs.insert(i.cert_no, i.region_code);
        }
        Ok(())
    }

    async fn validate(
        &self,
        cx: &mut Context<'_, Cache>,
        row: RowRef<'_>,
    ) -> StoreResult<Result<InspectorRecord, Vec<RowProblem>>> {
        let n = row.number;
        let mut problems = Vec::new();
        let unit_name = row.get(UNIT);
        let unit = match cx.cache.units.get(unit_name).map(Vec::as_slice) {
            _ if unit_name.is_empty() => None,
            None | Some([]) => {
                problems.push(RowProblem::new(
                    n,
                    UNIT,
                    unit_name,
                    "inspector.unit_not_found",
                    format!("所属单位“{unit_name}”未登记，或不在您的辖区内"),
                ));
                None
            }
            Some([u]) => Some(u.clone()),
            Some(_) => {
                problems.push(RowProblem::new(
                    n,
                    UNIT,
                    unit_name,
                    "inspector.unit_ambiguous",
                    format!("您的辖区内有多个名为“{unit_name}”的单位，无法确定所属单位"),
                ));
                None
            }
        };
        if let Some(u) = &unit {
            if let Err((code, message)) = cx.region_writable(&u.region_code).await? {
                problems.push(RowProblem::new(n, UNIT, unit_name, &code, message));
            }
        }
        let username = row.get(USERNAME);
        let user_id = match username {
            "" => None,
            name => match cx.cache.users.get(name) {
                Some(id) => Some(*id),
                None => {
                    problems.push(RowProblem::new(
                        n,
                        USERNAME,
                        name,
                        "inspector.user_not_found",
                        format!("登录用户名“{name}”不存在，或不在您的辖区内"),
                    ));
                    None
                }
            },
        };
        let input = InspectorInput {
            name: row.get(NAME).to_string(),
            // A unit not found is reported above; the stand-in keeps the rest checked.
            unit_id: unit.as_ref().map(|u| u.id).unwrap_or_else(UnitId::new).to_string(),
            user_id: user_id.map(|u| u.to_string()),
            cert_no: row.get(CERT_NO).to_string(),
            cert_valid_from: row.get(VALID_FROM).to_string(),
            cert_valid_until: row.get(VALID_UNTIL).to_string(),
            specialties: split_specialties(row.get(SPECIALTIES)),
            status: row.opt("状态"),
            phone: row.opt("电话"),
        };
        let parsed = input.parse();
        if let Err(ps) = &parsed {
            for p in ps {
                problems.push(RowProblem::from_domain(n, column_of(p.field), p));
            }
        }
        if let Ok(data) = &parsed {
            if let Some(region) = cx.cache.certs.get(&data.cert_no).cloned() {
                if cx.region_writable(&region).await?.is_err() {
                    problems.push(RowProblem::new(
                        n,
                        CERT_NO,
                        &data.cert_no,
                        "inspector.registered_elsewhere",
                        "该执法证号已由其他辖区登记，您无权修改",
                    ));
                }
            }
            if let Some(user) = data.user_id {
                if cx.cache.linked.get(&user.to_string()).is_some_and(|cert| cert != &data.cert_no) {
                    problems.push(RowProblem::new(
                        n,
                        USERNAME,
                        username,
                        "inspector.duplicate_user",
                        "该用户账号已关联其他执法人员",
                    ));
                }
            }
        }
        Ok(match (parsed, unit) {
            (Ok(data), Some(unit)) if problems.is_empty() => Ok(InspectorRecord { unit, data }),
            _ => Err(problems),
        })
    }

    async fn write(
        &self,
        conn: &mut sqlx::AnyConnection,
        actor: &Actor,
        _job: &str,
        r: &InspectorRecord,
    ) -> StoreResult<Written> {
        let existing = inspectors::find_by_cert_no(conn, actor, &r.data.cert_no).await?;
        Ok(match existing {
            None => {
                let i = inspectors::insert(conn, actor, &r.unit, &r.data).await?;
                Written { outcome: Outcome::Created, object_id: i.id.to_string() }
            }
            Some(i) if i.data == r.data => Written { outcome: Outcome::Unchanged, object_id: i.id.to_string() },
            Some(i) => {
                let after = inspectors::replace(conn, actor, &i, &r.unit, None, &r.data).await?;
                Written { outcome: Outcome::Updated, object_id: after.id.to_string() }
            }
        })
    }

    async fn export(&self, store: &Store, actor: &Actor, query: &ExportQuery) -> DomainResult<Vec<Vec<String>>> {
        let registry = Registry::official();
        let usernames: HashMap<UserId, String> =
            users::list(store, actor).await?.into_iter().map(|u| (u.id, u.username)).collect();
        let mut out = Vec::new();
        let mut q = Query {
            q: query.q.clone(),
            specialty: weijian_domain::inspectors::specialty_filter(query.kind.as_deref())?,
            limit: Some(weijian_store::page::MAX_LIMIT),
            ..Query::default()
        };
        loop {
            let page = weijian_domain::inspectors::list(store, actor, &q).await?;
            for i in &page.items {
                let d = &i.data;
                let specialties: Vec<String> = d
                    .specialties
                    .iter()
                    .map(|k| registry.specialty(k).map(|s| s.label.clone()).unwrap_or(k.clone()))
                    .collect();
                out.push(vec![
                    d.name.clone(),
                    i.unit_name.clone(),
                    d.cert_no.clone(),
                    d.cert_valid_from.to_string(),
                    d.cert_valid_until.to_string(),
                    specialties.join("、"),
                    d.status.label().to_string(),
                    d.phone.clone().unwrap_or_default(),
                    d.user_id.and_then(|u| usernames.get(&u).cloned()).unwrap_or_default(),
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
