//! No SQL in the store spells a status out: every state is a bound key of
//! its enum, and every status change goes through crate::lifecycle. This
//! scans the sources and names each file and line that breaks the rule.

use std::path::Path;

const PATTERNS: &[&str] = &["status = '", "status IN ('", "status <> '", "status NOT IN ('", "status != '"];

fn offending(text: &str) -> Vec<(usize, String)> {
    text.lines()
        .enumerate()
        .filter(|(_, line)| PATTERNS.iter().any(|p| line.contains(p)))
        .map(|(i, line)| (i + 1, line.trim().to_string()))
        .collect()
}

#[test]
fn no_status_literal_in_store_sql() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut found = Vec::new();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "rs") {
            let text = std::fs::read_to_string(&path).unwrap();
            for (line, code) in offending(&text) {
                found.push(format!("{}:{line}: {code}", path.file_name().unwrap().to_string_lossy()));
            }
        }
    }
    assert!(found.is_empty(), "status literals in SQL (bind the enum's key instead):\n{}", found.join("\n"));
}

#[test]
fn the_scan_finds_what_it_looks_for() {
    let sample = "let a = 1;\n\"UPDATE t SET x = 1 WHERE status = 'open'\"\n\"WHERE d.status IN ('a', 'b')\"";
    assert_eq!(offending(sample).iter().map(|(l, _)| *l).collect::<Vec<_>>(), [2, 3]);
    assert!(offending("WHERE status = $1").is_empty());
}
