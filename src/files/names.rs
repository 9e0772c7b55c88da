//! The file name offered on download. The declared name is the person's own label, so it is
//! kept where harmless, but it never chooses a path, a hidden file or a misleading extension.

/// Characters of the stem, not counting the extension.
const MAX_STEM_CHARS: usize = 60;

/// `declared` reduced to its last path component and to letters, digits, `-`, `_`, `.` and
/// single spaces, then given `extension` (the detected type's). Other characters become `_`.
pub fn safe_name(declared: &str, extension: &str, fallback: &str) -> String {
    let last = declared.rsplit(['/', '\\']).next().unwrap_or_default();
    let stem = match last.rsplit_once('.') {
        Some((stem, ext))
            if !stem.trim_matches('.').is_empty()
                && (1..=5).contains(&ext.len())
                && ext.chars().all(|c| c.is_ascii_alphanumeric()) =>
        {
            stem
        }
        _ => last,
    };
    // "cv.pdf.exe" detected as PDF: "cv.pdf", not "cv.pdf.pdf".
    let stem = stem
        .strip_suffix(extension)
        .and_then(|s| s.strip_suffix('.'))
        .filter(|s| !s.trim_matches('.').is_empty())
        .unwrap_or(stem);

    let mut clean = String::new();
    for c in stem.chars() {
        let c = if c.is_alphanumeric() || matches!(c, '-' | '_' | '.') {
            c
        } else if c == ' ' {
            ' '
        } else {
            '_'
        };
        // No runs of separators ("..", "__", "  "): they only hide what the name says.
        let separator = |x: char| matches!(x, ' ' | '_' | '.');
        if separator(c) && clean.ends_with(separator) {
            continue;
        }
        clean.push(c);
    }
    let trimmed = clean.trim_matches(|c: char| matches!(c, ' ' | '_' | '.' | '-'));
    let mut stem: String = trimmed.chars().take(MAX_STEM_CHARS).collect();
    stem.truncate(stem.trim_end_matches([' ', '_', '.', '-']).len());
    if stem.is_empty() {
        stem = fallback.to_string();
    }
    if is_reserved_on_windows(&stem) {
        stem.push_str("_file");
    }
    format!("{stem}.{extension}")
}

/// Device names that Windows will not open as files, whatever the extension.
fn is_reserved_on_windows(stem: &str) -> bool {
    let upper = stem.to_ascii_uppercase();
    matches!(upper.as_str(), "CON" | "PRN" | "AUX" | "NUL")
        || ((upper.starts_with("COM") || upper.starts_with("LPT"))
            && upper.len() == 4
            && upper.as_bytes()[3].is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::safe_name;

    #[test]
    fn paths_and_odd_characters_do_not_survive() {
        assert_eq!(
            safe_name("../../etc/passwd", "txt", "document"),
            "passwd.txt"
        );
        assert_eq!(
            safe_name("..\\..\\Windows\\win.ini", "txt", "document"),
            "win.txt"
        );
        assert_eq!(safe_name("/", "pdf", "document"), "document.pdf");
        assert_eq!(safe_name("..", "pdf", "document"), "document.pdf");
        assert_eq!(safe_name(".bashrc", "txt", "document"), "bashrc.txt");
        assert_eq!(safe_name("", "png", "image"), "image.png");
        assert_eq!(safe_name("cv.pdf.exe", "pdf", "document"), "cv.pdf");
        assert_eq!(safe_name("cv.exe", "pdf", "document"), "cv.pdf");
        assert_eq!(
            safe_name("a<b>c:\"d|e?*\u{202e}fdp.exe", "pdf", "document"),
            "a_b_c_d_e_fdp.pdf"
        );
        assert_eq!(
            safe_name("CV\r\nX-Evil: 1.pdf", "pdf", "document"),
            "CV_X-Evil_1.pdf"
        );
        assert_eq!(safe_name("con.txt", "txt", "document"), "con_file.txt");
        assert_eq!(safe_name("LPT1", "txt", "document"), "LPT1_file.txt");
    }

    #[test]
    fn ordinary_names_are_kept_with_the_detected_extension() {
        assert_eq!(
            safe_name("Søren Ærø - CV 2025.docx", "pdf", "document"),
            "Søren Ærø - CV 2025.pdf"
        );
        assert_eq!(safe_name("portrait.JPG", "jpg", "image"), "portrait.jpg");
        assert_eq!(safe_name("notes", "txt", "document"), "notes.txt");
        let long = safe_name(&"x".repeat(500), "pdf", "document");
        assert_eq!(long, format!("{}.pdf", "x".repeat(60)));
    }
}
