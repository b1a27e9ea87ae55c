//! Text as employees are stored and searched: trimmed, and folded for search.

use unicode_normalization::{UnicodeNormalization, char::is_combining_mark};

/// Folds text for search: lower case, Vietnamese diacritics removed (`Nguyễn Đức` → `nguyen duc`).
pub fn fold(text: &str) -> String {
    text.nfd()
        .filter(|c| !is_combining_mark(*c))
        .map(|c| match c {
            'đ' | 'Đ' => 'd',
            c => c,
        })
        .collect::<String>()
        .to_lowercase()
}

/// The value trimmed; none when empty.
pub(super) fn clean(value: Option<String>) -> Option<String> {
    value.map(|v| v.trim().to_owned()).filter(|v| !v.is_empty())
}
