//! Keeps the house tidy: scans `src/` for `use` statements and `crate::` paths and checks the
//! rules in the README's "How the code is organised": only `main.rs` (and the tests) name the
//! composition root, and each ring imports only rings below it. What still breaks a rule is
//! listed in `KNOWN`, with the reason, so the list can only shrink.

use std::{collections::BTreeSet, path::Path};

/// Rings by module (a top-level module, or a module two levels deep where a folder is split).
/// Anything not named here is a feature (ring 2); `app` is the composition root (ring 3).
const RINGS: &[(&str, u8)] = &[
    // Ring 0, core.
    ("error", 0),
    ("db", 0),
    ("db_run", 0),
    ("config", 0),
    ("secrets", 0),
    ("calendar", 0),
    ("i18n", 0),
    ("text", 0),
    ("domain", 0),
    ("passwords", 0),
    // Ring 1, platform.
    ("state", 1),
    ("identity", 1),
    ("web", 1),
    ("mail", 1),
    ("files", 1),
    ("search", 1),
    ("privacy::registry", 1),
    ("privacy::limits", 1),
    ("privacy::recipients", 1),
    ("privacy::consent", 1),
    // The composition root.
    ("app", 3),
    ("lib", 3),
    ("main", 3),
];

/// Imports that still point upwards: (importing file, imported module), each with its reason.
const KNOWN: &[(&str, &str)] = &[
    // The policy version, cookie names and masked IPs live in privacy/mod.rs next to the
    // privacy centre's routes; they belong in the registry.
    ("src/privacy/consent/mod.rs", "privacy::MaskedIp"),
    ("src/privacy/consent/mod.rs", "privacy::POLICY_VERSION"),
    ("src/privacy/consent/mod.rs", "privacy::cookie_names"),
    ("src/privacy/consent/pages.rs", "privacy::MaskedIp"),
    ("src/privacy/consent/pages.rs", "privacy::POLICY_VERSION"),
    ("src/privacy/consent/pages.rs", "privacy::cookie_names"),
    ("src/privacy/consent/store.rs", "privacy::MaskedIp"),
    ("src/privacy/consent/store.rs", "privacy::POLICY_VERSION"),
    ("src/privacy/registry/cookies.rs", "privacy::cookie_names"),
    ("src/privacy/registry/mod.rs", "privacy::POLICY_UPDATED"),
    ("src/privacy/registry/mod.rs", "privacy::POLICY_VERSION"),
    // Consent counts visits for the statistics feature.
    ("src/privacy/consent/mod.rs", "privacy::statistics"),
];

fn ring(module: &[String]) -> u8 {
    let two = module
        .iter()
        .take(2)
        .cloned()
        .collect::<Vec<_>>()
        .join("::");
    let one = module.first().cloned().unwrap_or_default();
    RINGS
        .iter()
        .find(|(name, _)| *name == two)
        .or_else(|| RINGS.iter().find(|(name, _)| *name == one))
        .map_or(2, |(_, ring)| *ring)
}

/// `src/ads/view.rs` is `ads::view`; `src/ads/mod.rs` is `ads`; `src/lib.rs` is `lib`.
fn module_of(path: &Path) -> Vec<String> {
    let relative = path.strip_prefix(root().join("src")).unwrap();
    let mut parts: Vec<String> = relative
        .iter()
        .map(|p| p.to_string_lossy().trim_end_matches(".rs").to_string())
        .collect();
    if parts.last().is_some_and(|p| p == "mod") {
        parts.pop();
    }
    parts
}

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The paths one `use` tree names, flattened: `a::{b, c::d}` gives `a::b` and `a::c::d`.
fn flatten(tree: &str, prefix: &str, out: &mut Vec<String>) {
    let tree = tree.trim();
    if let Some(open) = tree.find('{') {
        let head = format!("{prefix}{}", &tree[..open]);
        let inner = &tree[open + 1..tree.rfind('}').unwrap()];
        let (mut depth, mut start) = (0, 0);
        for (i, c) in inner.char_indices() {
            match c {
                '{' => depth += 1,
                '}' => depth -= 1,
                ',' if depth == 0 => {
                    flatten(&inner[start..i], &head, out);
                    start = i + 1;
                }
                _ => {}
            }
        }
        flatten(&inner[start..], &head, out);
    } else if !tree.is_empty() {
        let name = tree.split(" as ").next().unwrap().trim();
        out.push(format!("{prefix}{name}"));
    }
}

/// The crate modules a file imports, as absolute paths of at most two segments.
fn imports(path: &Path, text: &str) -> BTreeSet<String> {
    let here = module_of(path);
    // Unit tests may reach anywhere.
    let text = text.split("#[cfg(test)]").next().unwrap();
    let mut paths = Vec::new();
    for statement in text.split("use ").skip(1) {
        let Some(end) = statement.find(';') else {
            continue;
        };
        let body: String = statement[..end]
            .lines()
            .map(|l| l.split("//").next().unwrap())
            .collect();
        if body
            .chars()
            .all(|c| c.is_alphanumeric() || "_:{}, *".contains(c))
        {
            flatten(&body, "", &mut paths);
        }
    }
    for piece in text.split("crate::").skip(1) {
        let path: String = piece
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == ':')
            .collect();
        paths.push(format!("crate::{}", path.trim_end_matches(':')));
    }
    let mut out = BTreeSet::new();
    for path in paths {
        let segments: Vec<&str> = path.split("::").filter(|s| !s.is_empty()).collect();
        let absolute: Vec<String> = match segments.first() {
            Some(&"crate") => segments[1..].iter().map(|s| s.to_string()).collect(),
            Some(&"super") => {
                let mut base = here.clone();
                let mut rest = &segments[..];
                while rest.first() == Some(&"super") {
                    base.pop();
                    rest = &rest[1..];
                }
                base.extend(rest.iter().map(|s| s.to_string()));
                base
            }
            _ => continue,
        };
        if !absolute.is_empty() {
            out.insert(absolute.into_iter().take(2).collect::<Vec<_>>().join("::"));
        }
    }
    out
}

fn sources(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn each_ring_imports_only_rings_below_it_and_only_main_names_the_root() {
    let mut files = Vec::new();
    sources(&root().join("src"), &mut files);
    let mut broken = Vec::new();
    let mut known_seen = BTreeSet::new();
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        let here = module_of(&file);
        let name = format!(
            "src/{}",
            file.strip_prefix(root().join("src")).unwrap().display()
        );
        let own = ring(&here);
        for import in imports(&file, &text) {
            let target: Vec<String> = import.split("::").map(String::from).collect();
            if target[0] == "app" && !matches!(here[0].as_str(), "app" | "main" | "lib") {
                broken.push(format!("{name} imports the composition root ({import})"));
                continue;
            }
            if ring(&target) > own && own < 3 {
                if KNOWN.contains(&(name.as_str(), import.as_str())) {
                    known_seen.insert((name.clone(), import.clone()));
                } else {
                    broken.push(format!(
                        "{name} (ring {own}) imports {import} (ring {})",
                        ring(&target)
                    ));
                }
            }
        }
    }
    assert!(broken.is_empty(), "imports against the rings: {broken:#?}");
    let stale: Vec<_> = KNOWN
        .iter()
        .filter(|(f, i)| !known_seen.contains(&(f.to_string(), i.to_string())))
        .collect();
    assert!(
        stale.is_empty(),
        "fixed, so remove them from KNOWN: {stale:?}"
    );
}

#[test]
fn the_scanner_sees_nested_and_relative_imports() {
    let path = root().join("src/ads/view.rs");
    let found = imports(
        &path,
        "use super::{store::AdRecord, taxonomy};\nuse crate::{i18n::{Tr, date}, web};\nfn f() { crate::app::router; }",
    );
    let expected: BTreeSet<String> = [
        "ads::store",
        "ads::taxonomy",
        "i18n::Tr",
        "i18n::date",
        "web",
        "app::router",
    ]
    .into_iter()
    .map(String::from)
    .collect();
    assert_eq!(found, expected);
}
