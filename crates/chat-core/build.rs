//! The emoji a reaction may use, as one newline-separated list in `$OUT_DIR/emoji.txt`, made
//! from the `emojis` crate's Unicode data at build time.
//!
//! The crate answers the question exactly (every fully qualified emoji, its skin tones, and the
//! minimally qualified and unqualified forms it also accepts), but linking it brings every
//! emoji's name, group, version and short codes and two hash maps along: about 90 KB of the
//! messages function's zip, which the 3 MiB target cannot spare. The list keeps only the
//! strings, so `validate_emoji` accepts exactly what `emojis::get` accepts.

use std::collections::BTreeSet;
use std::path::PathBuf;

const VARIATION_SELECTOR_16: char = '\u{FE0F}';

fn main() {
    let mut accepted = BTreeSet::new();
    for emoji in emojis::iter() {
        accepted.insert(emoji.as_str().to_owned());
        for toned in emoji.skin_tones().into_iter().flatten() {
            accepted.insert(toned.as_str().to_owned());
        }
    }
    // Less qualified forms: the same sequence with some of its U+FE0F left out.
    let qualified: Vec<String> = accepted.iter().cloned().collect();
    for emoji in &qualified {
        for form in without_some_selectors(emoji) {
            if emojis::get(&form).is_some() {
                accepted.insert(form);
            }
        }
    }
    let list: Vec<&str> = accepted.iter().map(String::as_str).collect();
    let Some(out_dir) = std::env::var_os("OUT_DIR") else {
        panic!("cargo sets OUT_DIR for build scripts");
    };
    let path = PathBuf::from(out_dir).join("emoji.txt");
    if let Err(error) = std::fs::write(&path, list.join("\n")) {
        panic!("writing {}: {error}", path.display());
    }
    println!("cargo::rerun-if-changed=build.rs");
}

/// Every string made by removing a non-empty subset of the U+FE0F in `emoji` (an emoji has at
/// most a few).
fn without_some_selectors(emoji: &str) -> Vec<String> {
    let selectors = emoji
        .chars()
        .filter(|&c| c == VARIATION_SELECTOR_16)
        .count();
    (1..1u32 << selectors)
        .map(|removed| {
            let mut index = 0;
            emoji
                .chars()
                .filter(|&c| {
                    if c != VARIATION_SELECTOR_16 {
                        return true;
                    }
                    index += 1;
                    removed & (1 << (index - 1)) == 0
                })
                .collect()
        })
        .collect()
}
