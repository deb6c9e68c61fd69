//! Line breaking for Chinese text: a line may break between any two CJK
//! characters, Latin words and numbers stay whole, and the common 避头尾 rule
//! holds: closing punctuation never starts a line and opening punctuation never
//! ends one (the character before is pushed down with it instead).

/// May not start a line.
pub fn no_line_start(c: char) -> bool {
    matches!(
        c,
        '，' | '。'
            | '、'
            | '；'
            | '：'
            | '？'
            | '！'
            | '）'
            | '」'
            | '』'
            | '》'
            | '”'
            | '’'
            | '〕'
            | '】'
            | '…'
            | '·'
    )
}

/// May not end a line.
pub fn no_line_end(c: char) -> bool {
    matches!(c, '（' | '「' | '『' | '《' | '“' | '‘' | '〔' | '【')
}

/// Letters, digits and ASCII punctuation form words that are never split (unless a
/// single word is wider than the whole line).
fn word_char(c: char) -> bool {
    c.is_ascii_graphic() || (c.is_alphanumeric() && !is_wide(c))
}

fn is_wide(c: char) -> bool {
    matches!(c as u32, 0x1100..=0x115F | 0x2E80..=0xA4CF | 0xAC00..=0xD7A3 | 0xF900..=0xFAFF | 0xFE30..=0xFE4F | 0xFF00..=0xFF60 | 0xFFE0..=0xFFE6 | 0x20000..=0x3FFFD)
}

#[derive(Debug)]
struct Atom {
    text: String,
    space: bool,
}

/// Pieces that are never split: a CJK character with the punctuation glued to it,
/// a word, a space.
fn atoms(text: &str) -> Vec<Atom> {
    let mut out: Vec<Atom> = vec![];
    let mut word = String::new();
    let flush = |word: &mut String, out: &mut Vec<Atom>| {
        if !word.is_empty() {
            out.push(Atom { text: std::mem::take(word), space: false });
        }
    };
    for c in text.chars() {
        if c.is_whitespace() {
            flush(&mut word, &mut out);
            out.push(Atom { text: " ".into(), space: true });
        } else if word_char(c) {
            word.push(c);
        } else {
            flush(&mut word, &mut out);
            out.push(Atom { text: c.to_string(), space: false });
        }
    }
    flush(&mut word, &mut out);
    // Glue: closing punctuation to what precedes it, opening punctuation to what follows.
    let mut glued: Vec<Atom> = vec![];
    let mut carry = String::new();
    for a in out {
        let first = a.text.chars().next().unwrap_or(' ');
        if !a.space && no_line_start(first) {
            if let Some(prev) = glued.last_mut().filter(|p| !p.space) {
                prev.text.push_str(&a.text);
                continue;
            }
        }
        if !a.space && a.text.chars().all(no_line_end) {
            carry.push_str(&a.text);
            continue;
        }
        if carry.is_empty() {
            glued.push(a);
        } else if a.space {
            glued.push(Atom { text: std::mem::take(&mut carry), space: false });
            glued.push(a);
        } else {
            glued.push(Atom { text: std::mem::take(&mut carry) + &a.text, space: false });
        }
    }
    if !carry.is_empty() {
        glued.push(Atom { text: carry, space: false });
    }
    glued
}

/// Breaks one paragraph (no newlines) into lines: the first at most `first_width`
/// wide, the rest at most `width`. `advance` gives a character's width.
pub fn break_lines(text: &str, first_width: f32, width: f32, mut advance: impl FnMut(char) -> f32) -> Vec<String> {
    const SLACK: f32 = 0.01;
    let mut lines: Vec<String> = vec![];
    let mut line = String::new();
    let mut used = 0.0;
    let limit = |lines: &Vec<String>| if lines.is_empty() { first_width } else { width };
    let finish = |line: &mut String, lines: &mut Vec<String>| {
        lines.push(line.trim_end().to_string());
        line.clear();
    };
    for atom in atoms(text) {
        let w: f32 = atom.text.chars().map(&mut advance).sum();
        if atom.space {
            if !line.is_empty() && used + w <= limit(&lines) + SLACK {
                line.push(' ');
                used += w;
            }
            continue;
        }
        if used + w <= limit(&lines) + SLACK {
            line.push_str(&atom.text);
            used += w;
            continue;
        }
        if !line.trim_end().is_empty() {
            finish(&mut line, &mut lines);
            used = 0.0;
        }
        if w <= limit(&lines) + SLACK {
            line.push_str(&atom.text);
            used = w;
            continue;
        }
        // Wider than a whole line: split it where it must be split; closing
        // punctuation then hangs past the margin rather than start a line.
        for c in atom.text.chars() {
            let cw = advance(c);
            if used + cw > limit(&lines) + SLACK && !line.is_empty() && !no_line_start(c) {
                finish(&mut line, &mut lines);
                used = 0.0;
            }
            line.push(c);
            used += cw;
        }
    }
    if !line.trim_end().is_empty() || lines.is_empty() {
        finish(&mut line, &mut lines);
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Full-width characters are 1 wide, everything else half.
    fn w(c: char) -> f32 {
        if is_wide(c) {
            1.0
        } else {
            0.5
        }
    }

    fn lines(text: &str, width: f32) -> Vec<String> {
        break_lines(text, width, width, w)
    }

    #[test]
    fn breaks_between_any_two_cjk_characters() {
        assert_eq!(lines("卫生监督意见书正文", 4.0), ["卫生监督", "意见书正", "文"]);
    }

    #[test]
    fn closing_punctuation_never_starts_a_line() {
        // "，" would fall at the start of line 2: "督" is pushed down with it.
        let out = lines("卫生监督，意见书。", 4.0);
        assert_eq!(out, ["卫生监", "督，意见", "书。"]);
        for text in ["一二三四。五六七八、九十", "甲乙丙丁）戊己", "一二三四》」五", "一二三四；", "一二三四：五？六！"]
        {
            for width in [2.0, 3.0, 4.0, 5.0] {
                for l in lines(text, width).iter().skip(1) {
                    let first = l.chars().next().unwrap();
                    assert!(!no_line_start(first), "{text:?} at width {width} starts a line with {first}");
                }
            }
        }
    }

    #[test]
    fn opening_punctuation_never_ends_a_line() {
        let out = lines("一二三（四五）", 4.0);
        assert_eq!(out, ["一二三", "（四五）"]);
        for l in lines("一二三《四五》六七「八九」", 3.0) {
            assert!(!no_line_end(l.chars().last().unwrap()), "{l:?} ends with an opening mark");
        }
    }

    #[test]
    fn latin_words_and_numbers_stay_together() {
        // "GB/T" and "9704-2012" are 2 and 4.5 wide: they move whole.
        let out = lines("依据GB/T 9704-2012执行", 5.0);
        assert_eq!(out, ["依据GB/T", "9704-2012", "执行"]);
        let out = lines("罚款20000元", 3.5);
        assert_eq!(out, ["罚款", "20000元"]);
    }

    #[test]
    fn a_word_wider_than_the_line_is_split() {
        let out = lines("ABCDEFGHIJ", 2.0);
        assert_eq!(out, ["ABCD", "EFGH", "IJ"]);
    }

    #[test]
    fn the_first_line_may_be_narrower() {
        let out = break_lines("一二三四五六七八", 2.0, 4.0, w);
        assert_eq!(out, ["一二", "三四五六", "七八"]);
    }

    #[test]
    fn empty_text_is_one_empty_line() {
        assert_eq!(lines("", 4.0), [""]);
    }
}
