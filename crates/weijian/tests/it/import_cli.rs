//! `weijian import` and `weijian export`, run as an operator would.

use crate::common::{text, url_of, weijian};
use weijian_store::both_backends;
use weijian_store::testing::uscc;

#[test]
fn import_and_export_have_help() {
    for args in [vec!["import", "--help"], vec!["export", "--help"]] {
        let o = weijian(&args);
        assert!(o.status.success(), "{args:?}: {}", text(&o));
    }
}

both_backends! {
    async fn import_export_and_reimport_from_the_command_line(db: &TestDb) {
        weijian_demo::seed(&db.store).await.unwrap();
        let url = url_of(db);
        let good = db.dir.join("entities.csv");
        std::fs::write(&good, format!(
            "名称,统一社会信用代码,行政区划代码,类别\r\n枣强县甲医院,{},131127,其他\r\n海口乙诊所,{},460100,其他\r\n",
            uscc(1, "131127"), uscc(2, "460100"))).unwrap();
        // --region keeps the import inside one region: the 海口 row is refused and nothing is written.
        let o = weijian(&["import", "entities", good.to_str().unwrap(), "--region", "131127", "--database", &url]);
        assert_eq!(o.status.code(), Some(1), "{}", text(&o));
        assert!(text(&o).contains("第 3 行 行政区划代码"), "{}", text(&o));
        let report = db.dir.join("entities.问题清单.csv");
        assert!(std::fs::read(&report).unwrap().starts_with(b"\xEF\xBB\xBF"));
        // Without it, the system imports both; again, nothing changes.
        let o = weijian(&["import", "entities", good.to_str().unwrap(), "--database", &url]);
        assert!(o.status.success(), "{}", text(&o));
        assert!(text(&o).contains("新增 2"), "{}", text(&o));
        let o = weijian(&["import", "entities", good.to_str().unwrap(), "--mode", "clean-rows-only", "--database", &url]);
        assert!(text(&o).contains("新增 0，更新 0，未变 2"), "{}", text(&o));
        // Export to XLSX and back: unchanged.
        let out = db.dir.join("all.xlsx");
        let o = weijian(&["export", "entities", "--format", "xlsx", "--out", out.to_str().unwrap(), "--database", &url]);
        assert!(o.status.success(), "{}", text(&o));
        let o = weijian(&["import", "entities", out.to_str().unwrap(), "--database", &url]);
        assert!(o.status.success() && text(&o).contains("新增 0，更新 0"), "{}", text(&o));
        // Licences whose end comes before their start: exit 1, a report.
        let lic = db.dir.join("licences.csv");
        std::fs::write(&lic, format!(
            "持证单位统一社会信用代码,许可证种类,许可证编号,发证日期,有效期至\r\n{},医疗机构执业许可证,PDY1,2024-03-01,2020-01-01\r\n",
            uscc(1, "131127"))).unwrap();
        let o = weijian(&["import", "licences", lic.to_str().unwrap(), "--database", &url]);
        assert_eq!(o.status.code(), Some(1), "{}", text(&o));
        assert!(text(&o).contains("有效期至"), "{}", text(&o));
        // Inspectors: export and back, unchanged.
        let ins = db.dir.join("inspectors.csv");
        let o = weijian(&["export", "inspectors", "--out", ins.to_str().unwrap(), "--database", &url]);
        assert!(o.status.success(), "{}", text(&o));
        let o = weijian(&["import", "inspectors", ins.to_str().unwrap(), "--database", &url]);
        assert!(o.status.success() && text(&o).contains("新增 0，更新 0"), "{}", text(&o));
        // Practitioners: the export masks every 身份证号, so it does not import back.
        let pr = db.dir.join("practitioners.csv");
        let o = weijian(&["export", "practitioners", "--out", pr.to_str().unwrap(), "--database", &url]);
        assert!(o.status.success(), "{}", text(&o));
        let exported = String::from_utf8(std::fs::read(&pr).unwrap()).unwrap();
        assert!(exported.lines().count() > 1);
        assert!(exported.lines().skip(1).all(|l| l.split(',').nth(1).is_some_and(|id| id.contains('*'))), "{exported}");
        let o = weijian(&["import", "practitioners", pr.to_str().unwrap(), "--database", &url]);
        assert_eq!(o.status.code(), Some(1), "{}", text(&o));
        let report = std::fs::read(db.dir.join("practitioners.问题清单.csv")).unwrap();
        assert!(String::from_utf8_lossy(&report).contains("身份证号已脱敏，无法导入"));
        let o = weijian(&["audit", "verify", "--database", &url]);
        assert!(o.status.success(), "{}", text(&o));
    }

    async fn a_duty_list_goes_out_and_back_in_from_the_command_line(db: &TestDb) {
        weijian_demo::seed(&db.store).await.unwrap();
        let url = url_of(db);
        let out = db.dir.join("权责清单.xlsx");
        let o = weijian(&["export", "duty-lists", "--unit", "枣强县卫生健康局", "--format", "xlsx", "--out", out.to_str().unwrap(), "--database", &url]);
        assert!(o.status.success(), "{}", text(&o));
        // The newest version is the draft: its own file changes nothing.
        let o = weijian(&["import", "duty-lists", out.to_str().unwrap(), "--unit", "枣强县卫生健康局", "--database", &url]);
        assert!(o.status.success(), "{}", text(&o));
        assert!(text(&o).contains("新增 0，更新 0"), "{}", text(&o));
        // A bad row: exit 1, the problem shown with its worksheet, and the report written.
        let bad = db.dir.join("bad.csv");
        let headers = weijian_exchange::duty_lists::headers().join(",");
        std::fs::write(&bad, format!("{headers}\r\n职责事项,1,,,事项\r\n")).unwrap();
        let o = weijian(&["import", "duty-lists", bad.to_str().unwrap(), "--unit", "枣强县卫生健康局", "--database", &url]);
        assert_eq!(o.status.code(), Some(1), "{}", text(&o));
        assert!(text(&o).contains("第 2 行 主要职责"), "{}", text(&o));
        assert!(db.dir.join("bad.问题清单.csv").exists());
        // No unit: refused before anything is read.
        let o = weijian(&["import", "duty-lists", bad.to_str().unwrap(), "--database", &url]);
        assert!(!o.status.success());
        assert!(text(&o).contains("--unit"), "{}", text(&o));
    }
}
