//! Text for pages and e-mails: Markdown rendered safely, and the one HTML escaper for the
//! few places that build HTML by hand (search snippets, the privacy centre's data view).

pub mod markdown;

/// Appends `text` to `html` with `& < > " '` escaped (the five characters askama escapes).
pub fn escape_html_into(text: &str, html: &mut String) {
    for c in text.chars() {
        match c {
            '&' => html.push_str("&amp;"),
            '<' => html.push_str("&lt;"),
            '>' => html.push_str("&gt;"),
            '"' => html.push_str("&quot;"),
            '\'' => html.push_str("&#39;"),
            _ => html.push(c),
        }
    }
}

/// `text` with `& < > " '` escaped.
pub fn escape_html(text: &str) -> String {
    let mut html = String::with_capacity(text.len());
    escape_html_into(text, &mut html);
    html
}

/// The longest slug `slug` makes (before any suffix).
const SLUG_MAX: usize = 60;

/// A name as a lower-case address part: Danish and German letters spelled out (`æ` → `ae`,
/// `ø` → `oe`, `å` → `aa`, `ü` → `ue`), accents dropped, anything else a single `-`; at most
/// 60 characters, cut at a hyphen where possible; `company` for a name with no letters left.
pub fn slug(name: &str) -> String {
    let mut out = String::new();
    let mut hyphen = false;
    for c in name.chars().flat_map(char::to_lowercase) {
        let spelled: &str = match c {
            'a'..='z' | '0'..='9' => {
                if hyphen && !out.is_empty() {
                    out.push('-');
                }
                hyphen = false;
                out.push(c);
                continue;
            }
            'æ' | 'ä' => "ae",
            'ø' | 'ö' => "oe",
            'å' => "aa",
            'ü' => "ue",
            'ß' => "ss",
            'à' | 'á' | 'â' | 'ã' => "a",
            'è' | 'é' | 'ê' | 'ë' => "e",
            'ì' | 'í' | 'î' | 'ï' => "i",
            'ò' | 'ó' | 'ô' | 'õ' => "o",
            'ù' | 'ú' | 'û' => "u",
            'ç' => "c",
            'ñ' => "n",
            'ý' | 'ÿ' => "y",
            _ => {
                hyphen = true;
                continue;
            }
        };
        if hyphen && !out.is_empty() {
            out.push('-');
        }
        hyphen = false;
        out.push_str(spelled);
    }
    if out.len() > SLUG_MAX {
        out.truncate(SLUG_MAX);
        if let Some(cut) = out.rfind('-').filter(|i| *i > SLUG_MAX / 2) {
            out.truncate(cut);
        }
        while out.ends_with('-') {
            out.pop();
        }
    }
    if out.is_empty() {
        out.push_str("company");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_spell_out_danish_letters_and_join_words_with_hyphens() {
        assert_eq!(slug("Nordlys Demo ApS"), "nordlys-demo-aps");
        assert_eq!(slug("Ærø Øl & Bryg A/S"), "aeroe-oel-bryg-a-s");
        assert_eq!(slug("  Café Åen -- 2. sal  "), "cafe-aaen-2-sal");
        assert_eq!(slug("!!!"), "company");
        let long = slug(&"Meget lang virksomhed ".repeat(10));
        assert!(long.len() <= 60 && !long.ends_with('-'), "{long}");
    }

    #[test]
    fn escapes_the_five_html_characters() {
        let text = r#"<a href="x">Tom & Jerry's</a>"#;
        assert_eq!(
            escape_html(text),
            "&lt;a href=&quot;x&quot;&gt;Tom &amp; Jerry&#39;s&lt;/a&gt;"
        );
    }
}
