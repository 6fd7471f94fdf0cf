//! Labels other people's clients render: display names, chat names, file names. A label says
//! what it is: no control characters (NUL, newlines, escapes) and no format characters (Unicode
//! category Cf, the bidi overrides among them: `invoice\u{202E}fdp.exe` shows as
//! `invoiceexe.pdf`), no line or paragraph separators and no private-use characters, which
//! render as whatever a font decides.
//!
//! What a language or an emoji needs stays: the zero-width joiner and non-joiner between two
//! visible characters (emoji sequences such as 👩‍💻, Persian and Indic scripts), and the tag
//! characters of a flag sequence after 🏴 (the flags of England, Scotland and Wales).

use unicode_properties::{GeneralCategory, UnicodeGeneralCategory};

use crate::error::{Error, Result};

const ZWNJ: char = '\u{200C}';
const ZWJ: char = '\u{200D}';
const BLACK_FLAG: char = '\u{1F3F4}';
const TAGS: std::ops::RangeInclusive<char> = '\u{E0020}'..='\u{E007F}';

/// 422 on `field` when `label` holds a character that could make it render as something else.
pub fn check_label(field: &str, label: &str) -> Result<()> {
    match label
        .chars()
        .enumerate()
        .find(|&(i, c)| !allowed(label, i, c))
    {
        None => Ok(()),
        Some((_, c)) => Err(Error::validation(
            field,
            format!(
                "{field} must not contain control or format characters (found U+{:04X})",
                u32::from(c)
            ),
        )),
    }
}

fn allowed(label: &str, index: usize, c: char) -> bool {
    match c.general_category() {
        GeneralCategory::Control
        | GeneralCategory::LineSeparator
        | GeneralCategory::ParagraphSeparator
        | GeneralCategory::PrivateUse
        | GeneralCategory::Surrogate => false,
        GeneralCategory::Format => {
            joins_two_visible(label, index, c) || in_flag_sequence(label, index, c)
        }
        _ => true,
    }
}

fn visible(c: char) -> bool {
    !c.is_whitespace() && c.general_category() != GeneralCategory::Format
}

fn joins_two_visible(label: &str, index: usize, c: char) -> bool {
    if c != ZWJ && c != ZWNJ {
        return false;
    }
    let before = index.checked_sub(1).and_then(|i| label.chars().nth(i));
    let after = label.chars().nth(index + 1);
    matches!((before, after), (Some(b), Some(a)) if visible(b) && visible(a))
}

/// A tag character that follows 🏴 or another tag character of the same sequence.
fn in_flag_sequence(label: &str, index: usize, c: char) -> bool {
    if !TAGS.contains(&c) {
        return false;
    }
    let before: Vec<char> = label.chars().take(index).collect();
    let start = before.iter().rposition(|b| !TAGS.contains(b));
    start.is_some_and(|i| before[i] == BLACK_FLAG)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(label: &str) -> bool {
        check_label("name", label).is_err()
    }

    #[test]
    fn labels_that_render_as_something_else_are_refused() {
        for bad in [
            "invoice\u{202E}fdp.exe",
            "a\u{0}b",
            "line\nbreak",
            "tab\there",
            "rtl\u{200F}mark",
            "zero\u{200B}width",
            "\u{FEFF}bom",
            "sep\u{2028}arator",
            "private\u{E000}use",
            "\u{200D}leading joiner",
            "trailing joiner\u{200D}",
            "space \u{200D} joiner",
            "stray tag\u{E0067}",
        ] {
            assert!(refused(bad), "{bad:?}");
        }
    }

    #[test]
    fn what_a_language_or_an_emoji_needs_is_kept() {
        for good in [
            "Ada Lovelace",
            "résumé.pdf",
            "李小龍",
            "👩\u{200D}💻 coders",
            "می\u{200C}خواهم",
            "\u{1F3F4}\u{E0067}\u{E0062}\u{E0065}\u{E006E}\u{E0067}\u{E007F} England",
            "#\u{FE0F}\u{20E3} keycap",
            "עברית and English",
        ] {
            assert!(!refused(good), "{good:?}");
        }
    }
}
