//! Ad descriptions: employers write a little Markdown (paragraphs, lists, bold, links); we render
//! it with pulldown-cmark and keep only those elements with ammonia, so no script, style, image
//! or tracking pixel can reach a visitor. Plain text (for search and feeds) comes from the same
//! parse.

use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd, html};

/// Safe HTML for pages, feeds and JSON-LD.
pub fn to_html(markdown: &str) -> String {
    let mut raw = String::new();
    html::push_html(&mut raw, Parser::new_ext(markdown, Options::empty()));
    ammonia::Builder::empty()
        .add_tags(["p", "br", "ul", "ol", "li", "strong", "b", "em", "i", "a"])
        .add_tag_attributes("a", ["href"])
        .url_schemes(["http", "https", "mailto"].into_iter().collect())
        .link_rel(Some("nofollow noopener noreferrer ugc"))
        .clean(&raw)
        .to_string()
}

/// The words of the description without markup, paragraphs separated by blank lines.
pub fn to_plain_text(markdown: &str) -> String {
    let mut text = String::new();
    for event in Parser::new_ext(markdown, Options::empty()) {
        match event {
            Event::Text(t) | Event::Code(t) => text.push_str(&t),
            Event::SoftBreak | Event::HardBreak => text.push(' '),
            Event::End(TagEnd::Paragraph | TagEnd::Item | TagEnd::Heading(_)) => {
                text.push_str("\n\n")
            }
            Event::Start(Tag::Item) => text.push_str("• "),
            _ => {}
        }
    }
    text.trim().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allowed_formatting_survives() {
        let html = to_html(
            "We offer:\n\n- **good** pay\n- *flexible* hours\n\n[Read more](https://example.com)",
        );
        assert!(
            html.contains("<ul>")
                && html.contains("<strong>good</strong>")
                && html.contains("<em>flexible</em>")
        );
        assert!(
            html.contains(
                r#"<a href="https://example.com" rel="nofollow noopener noreferrer ugc">"#
            )
        );
    }

    #[test]
    fn scripts_images_and_javascript_links_are_removed() {
        let html = to_html(
            "<script>alert(1)</script>\n\n![x](https://tracker.example/p.gif)\n\n[click](javascript:alert(1)) <img src=x onerror=alert(1)>",
        );
        assert!(
            !html.contains("script") && !html.contains("<img") && !html.contains("javascript:"),
            "{html}"
        );
    }

    #[test]
    fn plain_text_drops_markup() {
        assert_eq!(
            to_plain_text("Hello **world**\n\n- one\n- two"),
            "Hello world\n\n• one\n\n• two"
        );
    }
}
