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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_the_five_html_characters() {
        let text = r#"<a href="x">Tom & Jerry's</a>"#;
        assert_eq!(
            escape_html(text),
            "&lt;a href=&quot;x&quot;&gt;Tom &amp; Jerry&#39;s&lt;/a&gt;"
        );
    }
}
