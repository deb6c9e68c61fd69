//! Keyset pagination and search for the registries' lists.
//!
//! A page is `{"items": [...], "next": cursor|null}`. The cursor is the last
//! row's sort key and id, hex-encoded: opaque to clients, and the next page is
//! a range condition on an index instead of an OFFSET that reads every row
//! it skips.

use serde::Serialize;

/// Largest page a client may ask for.
pub const MAX_LIMIT: usize = 200;
pub const DEFAULT_LIMIT: usize = 50;

#[derive(Clone, Debug, Serialize)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next: Option<String>,
}

impl<T> Page<T> {
    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U> {
        Page { items: self.items.into_iter().map(f).collect(), next: self.next }
    }
}

/// A page from rows fetched with `LIMIT limit + 1`: the extra row only says
/// that there is a next page, whose cursor is the last kept row's key and id.
pub fn from_rows<T>(mut items: Vec<T>, limit: usize, cursor: impl Fn(&T) -> Cursor) -> Page<T> {
    let next = if items.len() > limit {
        items.truncate(limit);
        items.last().map(|last| cursor(last).encode())
    } else {
        None
    };
    Page { items, next }
}

/// Where the previous page ended: its last row's sort key and id.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cursor {
    pub key: String,
    pub id: String,
}

impl Cursor {
    pub fn encode(&self) -> String {
        hex::encode(format!("{}\n{}", self.key, self.id))
    }

    /// None for anything that is not a cursor we made.
    pub fn decode(s: &str) -> Option<Cursor> {
        let bytes = hex::decode(s).ok()?;
        let text = String::from_utf8(bytes).ok()?;
        let (key, id) = text.rsplit_once('\n')?;
        uuid::Uuid::parse_str(id).ok()?;
        Some(Cursor { key: key.to_string(), id: id.to_string() })
    }
}

/// The page size asked for, within bounds.
pub fn clamp_limit(limit: Option<usize>) -> usize {
    limit.unwrap_or(DEFAULT_LIMIT).clamp(1, MAX_LIMIT)
}

/// Search words: whitespace-separated, lower-cased (search columns are stored
/// lower-cased, so matching is case-blind on both backends), at most five.
pub fn search_words(q: Option<&str>) -> Vec<String> {
    q.unwrap_or_default().split_whitespace().take(5).map(|w| w.to_lowercase()).collect()
}

/// A LIKE pattern matching `word` anywhere, with `\` as the escape character.
pub fn contains_pattern(word: &str) -> String {
    let mut p = String::with_capacity(word.len() + 2);
    p.push('%');
    for c in word.chars() {
        if matches!(c, '%' | '_' | '\\') {
            p.push('\\');
        }
        p.push(c);
    }
    p.push('%');
    p
}

/// The text a search column holds for these parts: lower-cased, joined by a
/// separator no search word can span.
pub fn search_text<'a>(parts: impl IntoIterator<Item = &'a str>) -> String {
    parts.into_iter().filter(|p| !p.is_empty()).map(str::to_lowercase).collect::<Vec<_>>().join("\u{1f}")
}

/// `column` is the given region (bound to the clause's one `?`) or a region below it.
pub fn in_region(column: &str) -> String {
    format!("{column} IN (SELECT code FROM regions WHERE path LIKE (SELECT path FROM regions WHERE code = ?) || '%')")
}

/// Builds a WHERE clause with numbered placeholders and collects its values.
#[derive(Default)]
pub struct Conditions {
    pub clauses: Vec<String>,
    pub binds: Vec<String>,
}

impl Conditions {
    /// The next placeholder's number.
    pub fn next(&self) -> usize {
        self.binds.len() + 1
    }

    /// Adds a clause whose `?` marks are replaced by the next placeholders.
    pub fn push(&mut self, clause: &str, values: impl IntoIterator<Item = String>) {
        let mut out = String::new();
        let mut values = values.into_iter();
        for part in clause.split('?').enumerate() {
            if part.0 > 0 {
                let v = values.next().expect("one value per ? mark");
                self.binds.push(v);
                out.push_str(&format!("${}", self.binds.len()));
            }
            out.push_str(part.1);
        }
        self.clauses.push(out);
    }

    /// Rows after the cursor in `(key, id)` order. The leading `key >= ?` is a
    /// plain range both planners start an index scan from; the OR form alone
    /// made PostgreSQL read the list from its start and filter.
    pub fn push_after(&mut self, key_column: &str, id_column: &str, after: &Cursor) {
        self.push(
            &format!("{key_column} >= ? AND ({key_column} > ? OR {id_column} > ?)"),
            [after.key.clone(), after.key.clone(), after.id.clone()],
        );
    }

    /// Adds a jurisdiction filter built for the next placeholder.
    pub fn push_filter(&mut self, f: crate::jurisdiction::Filter) {
        self.clauses.push(f.sql);
        self.binds.extend(f.binds);
    }

    pub fn sql(&self) -> String {
        if self.clauses.is_empty() {
            "1 = 1".into()
        } else {
            self.clauses.join(" AND ")
        }
    }

    pub fn bind<'q>(&'q self, mut q: crate::jurisdiction::AnyQuery<'q>) -> crate::jurisdiction::AnyQuery<'q> {
        for b in &self.binds {
            q = q.bind(b.as_str());
        }
        q
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_junk_is_refused() {
        let c = Cursor { key: "枣强县\n人民医院".into(), id: "0190a0b2-0000-7000-8000-000000000000".into() };
        assert_eq!(Cursor::decode(&c.encode()), Some(c));
        assert_eq!(Cursor::decode("zz"), None);
        assert_eq!(Cursor::decode(&hex::encode("a\nnot-a-uuid")), None);
    }

    #[test]
    fn like_patterns_escape_wildcards() {
        assert_eq!(contains_pattern("诊所"), "%诊所%");
        assert_eq!(contains_pattern("50%_a\\"), "%50\\%\\_a\\\\%");
    }

    #[test]
    fn conditions_number_their_placeholders() {
        let mut c = Conditions::default();
        c.push("a = ?", ["1".to_string()]);
        c.push("(b > ? OR (b = ? AND id > ?))", ["x".into(), "x".into(), "y".into()]);
        assert_eq!(c.sql(), "a = $1 AND (b > $2 OR (b = $3 AND id > $4))");
        assert_eq!(c.next(), 5);
        c.push_after("n", "id", &Cursor { key: "k".into(), id: "i".into() });
        assert!(c.sql().ends_with("AND n >= $5 AND (n > $6 OR id > $7)"), "{}", c.sql());
        assert_eq!(&c.binds[4..], ["k", "k", "i"]);
    }
}
