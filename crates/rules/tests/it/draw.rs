//! The verifiable random draw against its specification (`../shared/design/draw-spec.md`).

use rand_chacha::rand_core::{RngCore, SeedableRng};
use rand_chacha::ChaCha20Rng;
use sha2::{Digest, Sha256};
use std::collections::{HashMap, HashSet};
use weijian_rules::draw::{
    self, chacha20_block, sample_size, uniform, verify, Beacon, Difference, DrawError, DrawInput, DrawRecord,
    Keystream, Recusal, Snapshot, Stratum, VerifyError, WordSource,
};

fn hex(s: &str) -> Vec<u8> {
    s.split_whitespace().map(|b| u8::from_str_radix(b, 16).unwrap()).collect()
}

fn stratum(name: &str, permille: u32, ids: &[&str]) -> Stratum {
    Stratum { name: name.into(), permille, entity_ids: ids.iter().map(|s| s.to_string()).collect() }
}

fn recusal(entity: &str, inspector: &str) -> Recusal {
    Recusal { entity: entity.into(), inspector: inspector.into() }
}

fn strings(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

// ---------------------------------------------------------------- ChaCha20

#[test]
fn block_function_matches_rfc8439_section_2_3_2() {
    let key: [u8; 32] = std::array::from_fn(|i| i as u8);
    let nonce: [u8; 12] = hex("00 00 00 09 00 00 00 4a 00 00 00 00").try_into().unwrap();
    let expected =
        hex("10 f1 e7 e4 d1 3b 59 15 50 0f dd 1f a3 20 71 c4 c7 d1 f4 c7 33 c0 68 03 04 22 aa 9a c3 d4 6c 4e
         d2 82 64 46 07 9f aa 09 14 c2 d7 05 d9 8b 02 a2 b5 12 9c d1 de 16 4e b9 cb d0 83 e8 a2 50 3c 4e");
    assert_eq!(chacha20_block(&key, 1, &nonce).to_vec(), expected);
}

#[test]
fn keystream_matches_rfc8439_section_2_4_2_encryption() {
    let key: [u8; 32] = std::array::from_fn(|i| i as u8);
    let nonce: [u8; 12] = hex("00 00 00 00 00 00 00 4a 00 00 00 00").try_into().unwrap();
    let plaintext = b"Ladies and Gentlemen of the class of '99: If I could offer you only one tip for the future, \
sunscreen would be it.";
    let expected =
        hex("6e 2e 35 9a 25 68 f9 80 41 ba 07 28 dd 0d 69 81 e9 7e 7a ec 1d 43 60 c2 0a 27 af cc fd 9f ae 0b
         f9 1b 65 c5 52 47 33 ab 8f 59 3d ab cd 62 b3 57 16 39 d6 24 e6 51 52 ab 8f 53 0c 35 9f 08 61 d8
         07 ca 0d bf 50 0d 6a 61 56 a3 8e 08 8a 22 b6 5e 52 bc 51 4d 16 cc f8 06 81 8c e9 1a b7 79 37 36
         5a f9 0b bf 74 a3 5b e6 b4 0b 8e ed f2 78 5e 42 87 4d");
    let keystream: Vec<u8> = (1..=2).flat_map(|counter| chacha20_block(&key, counter, &nonce)).collect();
    let ciphertext: Vec<u8> = plaintext.iter().zip(keystream).map(|(p, k)| p ^ k).collect();
    assert_eq!(ciphertext, expected);
}

#[test]
fn keystream_words_equal_rand_chacha_next_u64() {
    for seed in [[0u8; 32], std::array::from_fn(|i| i as u8), std::array::from_fn(|i| (i * 37 + 11) as u8)] {
        let mut ours = Keystream::new(&seed);
        let mut reference = ChaCha20Rng::from_seed(seed);
        // 8 words a block: 80 words cover ten blocks, across rand_chacha's 4-block buffer.
        for n in 0..80 {
            assert_eq!(ours.next_word(), reference.next_u64(), "word {n} of seed {seed:?}");
        }
        assert_eq!(ours.words_read(), 80);
    }
}

#[test]
fn keystream_words_are_the_zero_nonce_blocks_read_little_endian() {
    let seed = [7u8; 32];
    let mut words = Keystream::new(&seed);
    for counter in 0..3 {
        let block = chacha20_block(&seed, counter, &[0; 12]);
        for chunk in block.chunks_exact(8) {
            assert_eq!(words.next_word(), u64::from_le_bytes(chunk.try_into().unwrap()));
        }
    }
}

// ---------------------------------------------------------------- uniform

struct Words(Vec<u64>, usize);
impl WordSource for Words {
    fn next_word(&mut self) -> u64 {
        self.1 += 1;
        self.0[self.1 - 1]
    }
}

#[test]
fn uniform_rejects_exactly_from_the_boundary() {
    // n = 2^63 + 1: 2^64 mod n = 2^63 - 1, so the boundary 2^64 - (2^64 mod n) is n itself.
    let n = (1u64 << 63) + 1;
    let mut w = Words(vec![n, u64::MAX, n - 1], 0);
    assert_eq!(uniform(&mut w, n), n - 1, "n and 2^64-1 are rejected, n-1 is the first accepted");
    assert_eq!(w.1, 3);
    // n = 3: 2^64 mod 3 = 1, so only 2^64 - 1 is rejected; 2^64 - 2 ≡ 2 (mod 3) is kept.
    let mut w = Words(vec![u64::MAX, u64::MAX - 1], 0);
    assert_eq!(uniform(&mut w, 3), 2);
    assert_eq!(w.1, 2);
    // Just below the boundary is accepted at once and reduced mod n.
    let mut w = Words(vec![n - 1, 5], 0);
    assert_eq!(uniform(&mut w, n), n - 1);
    assert_eq!(w.1, 1);
    let mut w = Words(vec![10], 0);
    assert_eq!(uniform(&mut w, 3), 1);
}

// ---------------------------------------------------------------- k

#[test]
fn k_rounds_up_in_integers_and_never_exceeds_n() {
    assert_eq!(sample_size(7, 50), 1, "7 × 5% = 0.35 rounds up to 1");
    assert_eq!(sample_size(7, 0), 0);
    assert_eq!(sample_size(7, 1000), 7);
    assert_eq!(sample_size(20, 50), 1, "exactly 1");
    assert_eq!(sample_size(21, 50), 2, "1.05 rounds up");
    assert_eq!(sample_size(3, 500), 2);
    assert_eq!(sample_size(0, 500), 0);
    assert_eq!(sample_size(1, 1), 1);
    assert_eq!(sample_size(200_000, 20), 4_000);
}

// ---------------------------------------------------------------- snapshot

fn tiny_input() -> DrawInput {
    DrawInput {
        plan_id: "P-1".into(),
        strata: vec![stratum("A", 500, &["E3", "E1", "E2", "E1"]), stratum("B", 500, &["E5", "E4"])],
        inspectors: strings(&["I2", "I1", "I3", "I2"]),
        recusals: vec![recusal("E1", "I2"), recusal("E1", "I2")],
    }
}

#[test]
fn freezing_dedupes_sorts_and_writes_the_spec_text() {
    let s = Snapshot::freeze(tiny_input()).unwrap();
    assert_eq!(
        s.text(),
        "weijian-draw-v1\nplan:P-1\nstratum:A:500:2\ne:E1\ne:E2\ne:E3\nstratum:B:500:1\ne:E4\ne:E5\n\
         inspectors\ni:I1\ni:I2\ni:I3\nrecusals\nr:E1:I2\n"
    );
    assert_eq!(s.hash(), hex_sha256(s.text().as_bytes()));
    assert_eq!(s.sample_sizes(), &[2, 1]);
}

#[test]
fn recusals_sort_by_the_whole_line_not_by_the_pair() {
    // ':' (0x3a) sorts after '1' (0x31): "r:a1:x" < "r:a:x" although "a" < "a1".
    let input = DrawInput {
        plan_id: "p".into(),
        strata: vec![],
        inspectors: vec![],
        recusals: vec![recusal("a", "x"), recusal("a1", "x"), recusal("a", "w")],
    };
    let s = Snapshot::freeze(input).unwrap();
    assert!(s.text().ends_with("recusals\nr:a1:x\nr:a:w\nr:a:x\n"), "{}", s.text());
}

#[test]
fn strata_keep_plan_order_and_ids_sort_by_bytes() {
    let input = DrawInput {
        plan_id: "2026年双随机:第1批".into(),
        strata: vec![stratum("C", 0, &["b", "B", "医院", "a"]), stratum("A", 1000, &["z"])],
        ..DrawInput::default()
    };
    let s = Snapshot::freeze(input).unwrap();
    assert_eq!(
        s.text(),
        "weijian-draw-v1\nplan:2026年双随机:第1批\nstratum:C:0:0\ne:B\ne:a\ne:b\ne:医院\nstratum:A:1000:1\ne:z\n\
         inspectors\nrecusals\n"
    );
}

#[test]
fn invalid_inputs_are_rejected_with_stable_codes() {
    let with = |f: fn(&mut DrawInput)| {
        let mut i = tiny_input();
        f(&mut i);
        Snapshot::freeze(i).unwrap_err()
    };
    let e = with(|i| i.strata[0].entity_ids.push("E:9".into()));
    assert_eq!(e.code(), "draw.invalid_id");
    assert!(e.to_string().contains("E:9") && e.to_string().contains("冒号"), "{e}");
    assert_eq!(with(|i| i.inspectors.push("I\n9".into())).code(), "draw.invalid_id");
    assert_eq!(with(|i| i.inspectors.push(String::new())).code(), "draw.invalid_id");
    assert_eq!(with(|i| i.strata[1].name = "B:1".into()).code(), "draw.invalid_id");
    assert_eq!(with(|i| i.recusals.push(recusal("E1", "I:2"))).code(), "draw.invalid_id");
    assert_eq!(with(|i| i.plan_id = "P\n1".into()).code(), "draw.invalid_plan_id");
    assert_eq!(with(|i| i.plan_id = String::new()).code(), "draw.invalid_plan_id");
    assert_eq!(with(|i| i.strata[0].permille = 1001).code(), "draw.invalid_permille");
    assert_eq!(with(|i| i.strata[1].name = "A".into()).code(), "draw.duplicate_stratum");
    let e = with(|i| i.strata[1].entity_ids.push("E2".into()));
    assert_eq!(e, DrawError::EntityInTwoStrata { entity: "E2".into(), first: "A".into(), second: "B".into() });
    assert_eq!(e.code(), "draw.entity_in_two_strata");
    assert_eq!(Beacon::new(" ", "x").unwrap_err().code(), "draw.empty_beacon");
}

#[test]
fn a_snapshot_parses_back_to_the_same_inputs() {
    let s = Snapshot::freeze(golden_input()).unwrap();
    let back = Snapshot::parse(s.text()).unwrap();
    assert_eq!(back, s);
    assert_eq!(back.input(), s.input());
}

#[test]
fn malformed_snapshots_are_rejected_with_the_line() {
    let good = Snapshot::freeze(tiny_input()).unwrap().text().to_string();
    let bad = |text: &str| Snapshot::parse(text).unwrap_err();
    let cases: Vec<(String, usize, &str)> = vec![
        (good.replace("weijian-draw-v1", "weijian-draw-v2"), 1, "第一行"),
        (good.replace("plan:", "plan "), 2, "plan:"),
        (good.replace("e:E2\n", "e:E2\r\n"), 5, "回车"),
        (good.trim_end_matches('\n').to_string(), 15, "换行"),
        (good.replace("e:E2\ne:E3", "e:E3\ne:E2"), 5, "规范形式"),
        (good.replace("e:E3\n", "e:E2\n"), 6, "重复"),
        (good.replace("stratum:A:500:2", "stratum:A:500:3"), 3, "“stratum:A:500:2”"),
        (good.replace("stratum:A:500:2", "stratum:A:0500:2"), 3, "比例"),
        (good.replace("stratum:A:500:2", "stratum:A:1001:2"), 3, "比例"),
        (good.replace("stratum:A:500:2", "stratum:A:500"), 3, "stratum:"),
        (good.replace("e:E4", "e:E:4"), 8, "冒号"),
        (good.replace("i:I1\ni:I2", "i:I2\ni:I1"), 11, "规范形式"),
        (good.replace("r:E1:I2", "r:E1"), 15, "r:"),
        (good.replace("stratum:B", "stratum:A"), 7, "重复"),
        (good.replace("stratum:A:500:2\n", ""), 3, "stratum:"),
        (good.replace("recusals\nr:E1:I2\n", ""), 14, "recusals"),
        (format!("{good}\n"), 16, "r:"),
        // The first offending line wins over a missing final newline.
        (good.replace("e:E2", "e:E:2").trim_end_matches('\n').to_string(), 5, "冒号"),
        (String::new(), 1, "第一行"),
    ];
    for (text, line, words) in cases {
        let e = bad(&text);
        assert_eq!((e.line, e.code()), (line, "draw.snapshot_malformed"), "{text:?}: {e}");
        assert!(e.to_string().contains(words), "{text:?}: {e}");
        assert!(e.to_string().starts_with(&format!("快照第 {line} 行")), "{e}");
    }
}

// ---------------------------------------------------------------- golden draw

fn golden_input() -> DrawInput {
    let ids = |prefix: &str, n: usize| (1..=n).map(|i| format!("{prefix}{i:03}")).collect::<Vec<_>>();
    DrawInput {
        plan_id: "2026-双随机-001".into(),
        strata: vec![
            Stratum { name: "A".into(), permille: 300, entity_ids: ids("ENT-A", 6) },
            Stratum { name: "B".into(), permille: 150, entity_ids: ids("ENT-B", 8) },
            Stratum { name: "C".into(), permille: 500, entity_ids: ids("ENT-C", 6) },
        ],
        inspectors: ids("INS-", 6),
        recusals: vec![recusal("ENT-A002", "INS-003"), recusal("ENT-C001", "INS-001")],
    }
}

fn golden_beacon() -> Beacon {
    Beacon::new("福彩3D 2026052期开奖号码 4 1 7", "示例：中国福利彩票官方网站开奖公告").unwrap()
}

fn data(name: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data").join(name)
}

/// Compares with the checked-in file, or rewrites it with UPDATE_SNAPSHOTS=1.
fn golden(name: &str, actual: &str) {
    let path = data(name);
    if std::env::var_os("UPDATE_SNAPSHOTS").is_some() {
        std::fs::write(&path, actual).unwrap();
    }
    let expected = std::fs::read_to_string(&path).unwrap();
    assert!(expected == actual, "{name} differs from the golden file:\n{actual}");
}

#[test]
fn golden_draw_is_reproduced_byte_for_byte() {
    let snapshot = Snapshot::freeze(golden_input()).unwrap();
    golden("draw-golden-snapshot.txt", snapshot.text());
    let record = snapshot.draw(&golden_beacon()).unwrap();
    golden("draw-golden-record.json", &record.to_json());
    let c = verify(&record.to_json(), snapshot.text()).unwrap();
    assert_eq!((c.selected, c.assignments, c.inspectors, c.recusals), (7, 7, 6, 2));
    assert_eq!(DrawRecord::from_json(&record.to_json()).unwrap(), record);
}

// ---------------------------------------------------------------- independent re-derivation

fn hex_sha256(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

/// Re-derives a tiny draw from the spec alone (string literals, sha2, rand_chacha,
/// the swaps and picks written out) and only then compares with the library.
/// The literal intermediate values were also produced by a separate Python
/// implementation of the spec.
#[test]
fn independent_rederivation_of_a_tiny_draw_matches_the_library() {
    let text = "weijian-draw-v1\nplan:P-1\nstratum:A:500:2\ne:E1\ne:E2\ne:E3\nstratum:B:500:1\ne:E4\ne:E5\n\
                inspectors\ni:I1\ni:I2\ni:I3\nrecusals\nr:E1:I2\n";
    let hash = hex_sha256(text.as_bytes());
    assert_eq!(hash, "4071d51e7d60adb68ef3bb6bdf86c3f65d201a2f560a3231da48ac1c6df17dd2");
    let beacon = "9 6 0";
    let seed: [u8; 32] = Sha256::digest(format!("{hash}\n{beacon}").as_bytes()).into();
    assert_eq!(
        seed.iter().map(|b| format!("{b:02x}")).collect::<String>(),
        "17778a2b0440057945c411ff6132497e39e011c3ac83b319708a9391e95b4c54"
    );
    let mut rng = ChaCha20Rng::from_seed(seed);
    let mut uniform = |n: u64| loop {
        let x = rng.next_u64();
        let zone = u64::MAX - (u64::MAX % n + 1) % n; // 2^64 - (2^64 mod n) - 1, the last accepted word
        if x <= zone {
            return x % n;
        }
    };
    // Stratum A: N = 3, k = ceil(3 × 500 / 1000) = 2.
    let mut a = ["E1", "E2", "E3"];
    let j0 = uniform(3) as usize;
    assert_eq!(j0, 0);
    a.swap(0, j0);
    let j1 = 1 + uniform(2) as usize;
    assert_eq!(j1, 2);
    a.swap(1, j1);
    assert_eq!(a[..2], ["E1", "E3"]);
    // Stratum B: N = 2, k = 1.
    let mut b = ["E4", "E5"];
    let j0 = uniform(2) as usize;
    assert_eq!(j0, 1);
    b.swap(0, j0);
    assert_eq!(b[..1], ["E5"]);
    // Inspectors: T = 3, P = 3, cap = ceil(6 / 3) = 2.
    // E1: I2 is recused → [I1, I3].
    let mut el = vec!["I1", "I3"];
    let first = el.remove(uniform(2) as usize);
    let second = el[uniform(1) as usize];
    assert_eq!((first, second), ("I3", "I1"));
    // E3: loads I1 = 1, I3 = 1 → all three eligible.
    let mut el = vec!["I1", "I2", "I3"];
    let first = el.remove(uniform(3) as usize);
    let second = el[uniform(2) as usize];
    assert_eq!((first, second), ("I3", "I1"));
    // E5: I1 and I3 hold the cap of 2, leaving only I2 → the cap is dropped for E5.
    let mut el = vec!["I1", "I2", "I3"];
    let first = el.remove(uniform(3) as usize);
    let second = el[uniform(2) as usize];
    assert_eq!((first, second), ("I1", "I2"));

    let snapshot = Snapshot::freeze(tiny_input()).unwrap();
    assert_eq!(snapshot.text(), text);
    let record = snapshot.draw(&Beacon::new(beacon, "test").unwrap()).unwrap();
    assert_eq!(record.snapshot_hash, hash);
    assert_eq!(record.seed, "17778a2b0440057945c411ff6132497e39e011c3ac83b319708a9391e95b4c54");
    let selected: Vec<Vec<&str>> =
        record.strata.iter().map(|s| s.selected.iter().map(String::as_str).collect()).collect();
    assert_eq!(selected, vec![vec!["E1", "E3"], vec!["E5"]]);
    let assigned: Vec<(&str, Vec<&str>)> = record
        .assignments
        .iter()
        .map(|a| (a.entity.as_str(), a.inspectors.iter().map(String::as_str).collect()))
        .collect();
    assert_eq!(assigned, vec![("E1", vec!["I3", "I1"]), ("E3", vec!["I3", "I1"]), ("E5", vec!["I1", "I2"])]);
}

// ---------------------------------------------------------------- assignment rules

#[test]
fn the_cap_is_dropped_for_one_entity_when_fewer_than_two_remain() {
    // T = 2, P = 4: cap = 1. Both entities are recused from I3 and I4, so E1 takes
    // I1 and I2 (each then at the cap) and E2 must take them again over the cap.
    let input = DrawInput {
        plan_id: "cap".into(),
        strata: vec![stratum("A", 1000, &["E1", "E2"])],
        inspectors: strings(&["I1", "I2", "I3", "I4"]),
        recusals: vec![recusal("E1", "I3"), recusal("E1", "I4"), recusal("E2", "I3"), recusal("E2", "I4")],
    };
    let record = Snapshot::freeze(input).unwrap().draw(&Beacon::new("1", "t").unwrap()).unwrap();
    for a in &record.assignments {
        let mut got = a.inspectors.clone();
        got.sort();
        assert_eq!(got, strings(&["I1", "I2"]), "{}", a.entity);
    }
}

#[test]
fn an_entity_that_cannot_get_two_inspectors_fails_the_draw_by_name() {
    let input = DrawInput {
        plan_id: "short".into(),
        strata: vec![stratum("高风险", 1000, &["医院-7"])],
        inspectors: strings(&["I1", "I2", "I3"]),
        recusals: vec![recusal("医院-7", "I1"), recusal("医院-7", "I3")],
    };
    let e = Snapshot::freeze(input).unwrap().draw(&Beacon::new("1", "t").unwrap()).unwrap_err();
    assert_eq!(e, DrawError::Understaffed { entity: "医院-7".into(), stratum: "高风险".into(), eligible: 1 });
    assert_eq!(e.code(), "draw.understaffed");
    assert!(e.to_string().contains("医院-7"), "{e}");
    let empty_pool = DrawInput { inspectors: vec![], recusals: vec![], ..tiny_input() };
    let e = Snapshot::freeze(empty_pool).unwrap().draw(&Beacon::new("1", "t").unwrap()).unwrap_err();
    assert_eq!(e.code(), "draw.understaffed");
}

#[test]
fn a_draw_with_nothing_to_select_has_no_assignments() {
    let input = DrawInput { plan_id: "none".into(), strata: vec![stratum("A", 0, &["E1"])], ..DrawInput::default() };
    let s = Snapshot::freeze(input).unwrap();
    let r = s.draw(&Beacon::new("x", "t").unwrap()).unwrap();
    assert!(r.strata[0].selected.is_empty() && r.assignments.is_empty());
    assert!(verify(&r.to_json(), s.text()).is_ok());
}

// ---------------------------------------------------------------- verify

fn golden_files() -> (DrawRecord, String) {
    let s = Snapshot::freeze(golden_input()).unwrap();
    (s.draw(&golden_beacon()).unwrap(), s.text().to_string())
}

fn mismatch(record: &DrawRecord, text: &str) -> Difference {
    match verify(&record.to_json(), text) {
        Err(VerifyError::Mismatch(d)) => d,
        other => panic!("expected a mismatch, got {other:?}"),
    }
}

#[test]
fn verify_confirms_the_published_pair() {
    let (record, text) = golden_files();
    let c = verify(&record.to_json(), &text).unwrap();
    assert_eq!(c.plan_id, "2026-双随机-001");
    assert_eq!(c.snapshot_hash, record.snapshot_hash);
    let b = &c.strata[1];
    assert_eq!((b.name.as_str(), b.permille, b.eligible, b.selected), ("B", 150, 8, 2));
}

#[test]
fn verify_detects_an_altered_selection() {
    let (mut record, text) = golden_files();
    let original = record.strata[1].selected[1].clone();
    let other = (1..=8).map(|i| format!("ENT-B{i:03}")).find(|e| !record.strata[1].selected.contains(e)).unwrap();
    record.strata[1].selected[1] = other.clone();
    let d = mismatch(&record, &text);
    assert_eq!(
        d,
        Difference::Selected { stratum: "B".into(), index: 1, record: other.clone(), derived: original.clone() }
    );
    assert_eq!(d.code(), "draw.selection_mismatch");
    assert_eq!(d.message_en(), format!("stratum B selected[1]: record says {other}, re-derived {original}"));
    assert!(d.message_zh().contains("层“B”抽中名单第 2 位"), "{}", d.message_zh());
    // A dropped entity is a difference too.
    let (mut record, text) = golden_files();
    record.strata[2].selected.pop();
    assert!(matches!(mismatch(&record, &text), Difference::SelectedCount { record: 2, derived: 3, .. }));
}

#[test]
fn verify_detects_an_altered_assignment() {
    let (mut record, text) = golden_files();
    let a = &mut record.assignments[4];
    let entity = a.entity.clone();
    let derived = a.inspectors.clone();
    a.inspectors.reverse();
    let d = mismatch(&record, &text);
    assert_eq!(
        d,
        Difference::Inspectors { index: 4, entity, record: derived.iter().rev().cloned().collect(), derived }
    );
    assert_eq!(d.code(), "draw.assignment_mismatch");
    let (mut record, text) = golden_files();
    record.assignments.truncate(6);
    assert_eq!(mismatch(&record, &text), Difference::AssignmentCount { record: 6, derived: 7 });
}

#[test]
fn verify_detects_an_altered_beacon() {
    let (mut record, text) = golden_files();
    record.beacon = "福彩3D 2026052期开奖号码 4 1 8".into();
    let d = mismatch(&record, &text);
    assert!(matches!(&d, Difference::Seed { record: r, .. } if *r == golden_files().0.seed), "{d:?}");
    assert_eq!(d.code(), "draw.seed_mismatch");
    // Recomputing the seed to match does not help: the selection then differs.
    record.seed = hex_sha256(format!("{}\n{}", record.snapshot_hash, record.beacon).as_bytes());
    assert!(
        matches!(mismatch(&record, &text), Difference::Selected { .. } | Difference::Inspectors { .. }),
        "another beacon gives another draw"
    );
}

#[test]
fn verify_detects_an_altered_snapshot_line() {
    let (record, text) = golden_files();
    // Still a well-formed snapshot (sorted), but not the published one.
    let altered = text.replace("e:ENT-C006\n", "e:ENT-C007\n");
    assert_ne!(altered, text);
    let d = mismatch(&record, &altered);
    let expected =
        Difference::SnapshotHash { record: record.snapshot_hash.clone(), computed: hex_sha256(altered.as_bytes()) };
    assert_eq!(d, expected);
    assert_eq!(d.code(), "draw.snapshot_hash_mismatch");
    let removed_recusal = text.replace("r:ENT-C001:INS-001\n", "");
    assert_eq!(mismatch(&record, &removed_recusal).code(), "draw.snapshot_hash_mismatch");
}

#[test]
fn verify_detects_swapped_strata() {
    let (mut record, text) = golden_files();
    record.strata.swap(0, 1);
    let d = mismatch(&record, &text);
    assert_eq!(d, Difference::StratumName { index: 0, record: "B".into(), snapshot: "A".into() });
    assert_eq!(d.message_en(), "strata[0] name: record says \"B\", snapshot says \"A\"");
    // Swapping them in the snapshot gives a valid snapshot with another hash.
    let mut input = golden_input();
    input.strata.swap(0, 1);
    let swapped = Snapshot::freeze(input).unwrap();
    let (record, _) = golden_files();
    assert_eq!(mismatch(&record, swapped.text()).code(), "draw.snapshot_hash_mismatch");
}

#[test]
fn verify_reports_malformed_files_apart_from_mismatches() {
    let (record, text) = golden_files();
    let e = verify("{\"spec\": 1}", &text).unwrap_err();
    assert!(matches!(e, VerifyError::Record(_)) && e.code() == "draw.record_malformed", "{e:?}");
    let json = record.to_json().replace("\"k\"", "\"kk\"");
    assert_eq!(verify(&json, &text).unwrap_err().code(), "draw.record_malformed");
    let e = verify(&record.to_json(), &text.replace("inspectors\n", "inspector\n")).unwrap_err();
    assert!(matches!(&e, VerifyError::Snapshot(s) if s.line == 26), "{e:?}");
    let mut other = record.clone();
    other.spec = "weijian-draw-v2".into();
    assert_eq!(mismatch(&other, &text).code(), "draw.unsupported_spec");
    let mut other = record;
    other.plan_id = "2026-双随机-002".into();
    assert_eq!(mismatch(&other, &text).code(), "draw.plan_mismatch");
}

// ---------------------------------------------------------------- properties

mod properties {
    use super::*;
    use proptest::prelude::*;

    fn input() -> impl Strategy<Value = (DrawInput, String)> {
        let strata = proptest::collection::vec((0u32..=1000, proptest::collection::vec(0u16..60, 0..40)), 0..5);
        let pool = proptest::collection::vec(0u16..12, 0..10);
        let recusals = proptest::collection::vec((0usize..5, 0u16..60, 0u16..12), 0..30);
        (strata, pool, recusals, "[0-9]{1,6}[0-9 ]{0,6}").prop_map(|(strata, pool, recusals, beacon)| {
            let input = DrawInput {
                plan_id: "prop".into(),
                strata: strata
                    .into_iter()
                    .enumerate()
                    .map(|(s, (permille, ids))| Stratum {
                        name: format!("S{s}"),
                        permille,
                        entity_ids: ids.into_iter().map(|e| format!("S{s}-E{e}")).collect(),
                    })
                    .collect(),
                inspectors: pool.into_iter().map(|i| format!("I{i}")).collect(),
                recusals: recusals
                    .into_iter()
                    .map(|(s, e, i)| Recusal { entity: format!("S{s}-E{e}"), inspector: format!("I{i}") })
                    .collect(),
            };
            (input, beacon)
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 300, failure_persistence: None, ..ProptestConfig::default() })]
        #[test]
        fn draws_respect_the_rules_and_verify((input, beacon) in input()) {
            let snapshot = Snapshot::freeze(input).unwrap();
            match snapshot.draw(&Beacon::new(beacon, "prop").unwrap()) {
                Ok(record) => {
                    let mut seen = HashSet::new();
                    let frozen = snapshot.strata().iter().zip(snapshot.sample_sizes());
                    for (st, (s, k)) in record.strata.iter().zip(frozen) {
                        prop_assert_eq!(st.selected.len(), *k);
                        prop_assert_eq!(*k, sample_size(s.entity_ids.len(), s.permille));
                        for e in &st.selected {
                            prop_assert!(s.entity_ids.contains(e));
                            prop_assert!(seen.insert(e.clone()), "{} selected twice", e);
                        }
                    }
                    let recused: HashSet<(&str, &str)> =
                        snapshot.recusals().iter().map(|r| (r.entity.as_str(), r.inspector.as_str())).collect();
                    prop_assert_eq!(record.assignments.len(), seen.len());
                    let mut load: HashMap<&str, usize> = HashMap::new();
                    for a in &record.assignments {
                        prop_assert!(seen.contains(&a.entity));
                        prop_assert_eq!(a.inspectors.len(), 2);
                        prop_assert_ne!(&a.inspectors[0], &a.inspectors[1]);
                        for i in &a.inspectors {
                            prop_assert!(!recused.contains(&(a.entity.as_str(), i.as_str())), "recused pair assigned");
                            prop_assert!(snapshot.inspectors().contains(i));
                            *load.entry(i.as_str()).or_default() += 1;
                        }
                    }
                    prop_assert!(verify(&record.to_json(), snapshot.text()).is_ok());
                    prop_assert_eq!(Snapshot::parse(snapshot.text()).unwrap(), snapshot);
                }
                Err(DrawError::Understaffed { entity, .. }) => {
                    // Only when the entity really has fewer than two inspectors it may meet.
                    let free = snapshot
                        .inspectors()
                        .iter()
                        .filter(|i| !snapshot.recusals().iter().any(|r| r.entity == entity && &r.inspector == *i))
                        .count();
                    prop_assert!(free < 2);
                }
                Err(e) => prop_assert!(false, "unexpected {e}"),
            }
        }
    }
}

#[test]
fn module_constants_match_the_spec() {
    assert_eq!(draw::SPEC, "weijian-draw-v1");
    assert_eq!(hex_sha256(&draw::seed("h", "b")), hex_sha256(&Sha256::digest(b"h\nb")));
}
