//! What a reaction may be: one Unicode emoji, or a short code for a custom one.

use super::MAX_SHORTCODE_CHARS;
use crate::error::{Error, Result};

/// An emoji is one emoji as Unicode's emoji data defines it (skin tones, ZWJ sequences and
/// flags included) or a short code `:name:` of 1 to 32 of `[a-z0-9_+-]`, for custom emoji.
pub fn validate_emoji(emoji: &str) -> Result<()> {
    if is_emoji(emoji) || is_shortcode(emoji) {
        return Ok(());
    }
    Err(Error::validation(
        "emoji",
        "emoji must be one Unicode emoji or a short code like :party_parrot:",
    ))
}

/// Every emoji the `emojis` crate accepts, one per line (see this crate's `build.rs`): about 5,200
/// entries, scanned in microseconds, once per reaction.
static EMOJI: &str = include_str!(concat!(env!("OUT_DIR"), "/emoji.txt"));

fn is_emoji(text: &str) -> bool {
    !text.is_empty() && EMOJI.split('\n').any(|emoji| emoji == text)
}

fn is_shortcode(text: &str) -> bool {
    text.len() <= MAX_SHORTCODE_CHARS
        && text
            .strip_prefix(':')
            .and_then(|rest| rest.strip_suffix(':'))
            .is_some_and(|name| {
                !name.is_empty()
                    && name.chars().all(|c| {
                        c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '_' | '+' | '-')
                    })
            })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emoji_rules() {
        for good in [
            "👍",
            "👍🏽",
            "👨‍👩‍👧‍👦",
            "🇯🇵",
            "❤️",
            ":+1:",
            ":party_parrot:",
            ":a:",
        ] {
            assert!(validate_emoji(good).is_ok(), "{good}");
        }
        let longest = format!(":{}:", "x".repeat(32));
        assert!(validate_emoji(&longest).is_ok());
        let too_long = format!(":{}:", "x".repeat(33));
        for bad in [
            "",
            "x",
            "a b",
            "👍👍",
            "::",
            ":A:",
            ":a b:",
            "🏽",
            too_long.as_str(),
        ] {
            assert!(validate_emoji(bad).is_err(), "{bad}");
        }
    }

    /// The build's list is exactly what the crate it comes from accepts: every entry is one of
    /// its emoji, and every emoji and skin tone it lists is in.
    #[test]
    fn the_emoji_list_is_the_crates() {
        let listed: Vec<&str> = EMOJI.split('\n').collect();
        assert!(listed.len() > 3000, "{} entries", listed.len());
        for emoji in &listed {
            assert!(emojis::get(emoji).is_some(), "{emoji:?}");
        }
        for emoji in emojis::iter() {
            assert!(is_emoji(emoji.as_str()), "{emoji}");
            for toned in emoji.skin_tones().into_iter().flatten() {
                assert!(is_emoji(toned.as_str()), "{toned}");
            }
        }
        // An unqualified form the crate accepts (U+2764 without U+FE0F).
        assert!(emojis::get("\u{2764}").is_some() && is_emoji("\u{2764}"));
    }
}
