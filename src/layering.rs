//! Keeps the house tidy: scans `src/` for `use` statements and `crate::` paths and checks the
//! rules in the README's "How the code is organised": only `main.rs` (and the tests) name the
//! composition root, each ring imports only rings below it, no import cycle spans folders, and
//! only a feature's store and privacy section name its tables. What still breaks a rule is
//! listed (`KNOWN`, `KNOWN_TABLE_USERS`), with the reason, so the lists only shrink; the cycle
//! rule has no exceptions.

use std::{
    collections::{BTreeMap, BTreeSet, HashMap},
    path::Path,
};

/// Rings by module (a top-level module, or one two or three levels deep where a folder is
/// split).
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
    ("privacy::policy", 1),
    ("privacy::sections", 1),
    // The privacy tables' queries, which the limits above need.
    ("privacy::store", 1),
    // The visit counts the consent middleware records; the statistics page is a feature.
    ("privacy::statistics::store", 1),
    ("marketing", 1),
    // The composition root.
    ("app", 3),
    ("lib", 3),
    ("main", 3),
];

/// Imports that still point upwards: (importing file, imported module), each with its reason.
const KNOWN: &[(&str, &str)] = &[];

/// The ring of the longest listed prefix of the module's path.
fn ring(module: &[String]) -> u8 {
    (1..=module.len().min(3))
        .rev()
        .find_map(|n| {
            let prefix = module[..n].join("::");
            RINGS.iter().find(|(name, _)| *name == prefix)
        })
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

/// The paths one `use` tree names, flattened, each with the name an `as` gives it:
/// `a::{b, c::d as e}` gives `a::b` and `a::c::d` (as `e`).
fn flatten(tree: &str, prefix: &str, out: &mut Vec<(String, Option<String>)>) {
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
        let mut parts = tree.split(" as ");
        let name = parts.next().unwrap().trim();
        let alias = parts.next().map(|a| a.trim().to_string());
        out.push((format!("{prefix}{name}"), alias));
    }
}

/// The crate modules a file imports, as absolute paths of at most three segments.
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
            let mut flat = Vec::new();
            flatten(&body, "", &mut flat);
            paths.extend(flat.into_iter().map(|(path, _)| path));
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
            out.insert(absolute.into_iter().take(3).collect::<Vec<_>>().join("::"));
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
        "ads::store::AdRecord",
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

/// A file's text without its unit tests, and the test-only modules it declares: a
/// `#[cfg(test)] mod name;` is dropped, and an inline `#[cfg(test)] mod name {` ends the text
/// (test modules come last).
fn production(text: &str) -> (String, Vec<String>) {
    let (mut out, mut test_only, mut rest) = (String::new(), Vec::new(), text);
    while let Some(at) = rest.find("#[cfg(test)]") {
        out.push_str(&rest[..at]);
        rest = rest[at + "#[cfg(test)]".len()..].trim_start();
        let Some(item) = rest.strip_prefix("mod ") else {
            continue;
        };
        let name: String = item
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect();
        match item[name.len()..].trim_start().strip_prefix(';') {
            Some(after) => {
                test_only.push(name);
                rest = after;
            }
            None => return (out, test_only),
        }
    }
    out.push_str(rest);
    (out, test_only)
}

/// The module a file is, with the crate root (`lib.rs`, `main.rs`) as the empty path.
fn module_path(file: &str) -> Vec<String> {
    let module = module_of(&root().join(file));
    if matches!(file, "src/lib.rs" | "src/main.rs") {
        Vec::new()
    } else {
        module
    }
}

/// The source file a module path names: its longest prefix that is a file, so `a::b::C` is
/// `src/a/b.rs` (or `src/a/b/mod.rs`) when there is no `src/a/b/C.rs`.
fn file_of(path: &[String], files: &BTreeSet<String>) -> Option<String> {
    (1..=path.len()).rev().find_map(|n| {
        let base = format!("src/{}", path[..n].join("/"));
        [format!("{base}.rs"), format!("{base}/mod.rs")]
            .into_iter()
            .find(|f| files.contains(f))
    })
}

/// Every `a::b::c` path in the text (not the tail of a longer one), as its segments.
fn paths_in(text: &str) -> Vec<Vec<String>> {
    let is_word = |c: char| c.is_alphanumeric() || c == '_';
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let starts = is_word(chars[i])
            && !chars[i].is_ascii_digit()
            && (i == 0 || !(is_word(chars[i - 1]) || chars[i - 1] == ':'));
        if !starts {
            i += 1;
            continue;
        }
        let mut segments = vec![String::new()];
        while i < chars.len() {
            if is_word(chars[i]) {
                segments.last_mut().unwrap().push(chars[i]);
                i += 1;
            } else if chars[i] == ':'
                && chars.get(i + 1) == Some(&':')
                && chars.get(i + 2).is_some_and(|c| is_word(*c))
            {
                segments.push(String::new());
                i += 2;
            } else {
                break;
            }
        }
        if segments.len() > 1 {
            out.push(segments);
        }
    }
    out
}

/// The files one file refers to, by `crate::`, `super::` and `self::` paths and by the names
/// its `use` and `mod` items bring into scope. A `use` of a module refers to that module's
/// file: `use crate::ads;` points at `src/ads/mod.rs` (and so at its routes and handlers) even
/// if only `ads::store::ad` follows, so import the module you use.
fn references(file: &str, text: &str, files: &BTreeSet<String>) -> BTreeSet<String> {
    let here = module_path(file);
    let absolute = |segments: &[String], scope: &HashMap<String, Vec<String>>| {
        let (head, mut rest) = segments.split_first()?;
        let mut path = match head.as_str() {
            "crate" => Vec::new(),
            "self" => here.clone(),
            "super" => here[..here.len().saturating_sub(1)].to_vec(),
            name => scope.get(name)?.clone(),
        };
        while head == "super" && rest.first().is_some_and(|s| s == "super") {
            path.pop();
            rest = &rest[1..];
        }
        path.extend(
            rest.iter()
                .filter(|s| !matches!(s.as_str(), "self" | "*"))
                .cloned(),
        );
        Some(path)
    };
    let mut scope: HashMap<String, Vec<String>> = HashMap::new();
    for line in text.lines() {
        let item = line.trim_start();
        let item = ["pub ", "pub(crate) "]
            .iter()
            .find_map(|p| item.strip_prefix(p))
            .unwrap_or(item);
        if let Some(name) = item.strip_prefix("mod ").and_then(|r| r.strip_suffix(';')) {
            scope.insert(name.to_string(), [here.clone(), vec![name.into()]].concat());
        }
    }
    let mut uses = Vec::new();
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
            flatten(&body, "", &mut uses);
        }
    }
    let mut targets = Vec::new();
    // Twice, since a `use` may start with a name that a later one brings in.
    for _ in 0..2 {
        for (path, alias) in &uses {
            let segments: Vec<String> = path.split("::").map(String::from).collect();
            let Some(target) = absolute(&segments, &scope) else {
                continue;
            };
            let name = match (alias, segments.as_slice()) {
                (Some(alias), _) => Some(alias.clone()),
                (None, [.., last]) if last == "*" => None,
                (None, [.., module, last]) if last == "self" => Some(module.clone()),
                (None, [.., last]) => Some(last.clone()),
                (None, []) => None,
            };
            if let Some(name) = name.filter(|n| !matches!(n.as_str(), "crate" | "super" | "self")) {
                scope.entry(name).or_insert_with(|| target.clone());
            }
            targets.push(target);
        }
    }
    for segments in paths_in(text) {
        targets.extend(absolute(&segments, &scope));
    }
    targets
        .iter()
        .filter_map(|target| file_of(target, files))
        .filter(|f| f != file)
        .collect()
}

/// The folder a file is in; a file directly in `src/` is a folder of its own.
fn folder(file: &str) -> &str {
    match file.rsplit_once('/') {
        Some(("src", _)) | None => file.trim_end_matches(".rs"),
        Some((dir, _)) => dir,
    }
}

/// The strongly connected components of the graph (Tarjan), each sorted.
fn cycles(graph: &BTreeMap<String, BTreeSet<String>>) -> Vec<Vec<String>> {
    struct Walk<'a> {
        graph: &'a BTreeMap<String, BTreeSet<String>>,
        index: HashMap<&'a str, usize>,
        low: HashMap<&'a str, usize>,
        stack: Vec<&'a str>,
        on_stack: BTreeSet<&'a str>,
        out: Vec<Vec<String>>,
    }
    impl<'a> Walk<'a> {
        fn visit(&mut self, v: &'a str) {
            let n = self.index.len();
            self.index.insert(v, n);
            self.low.insert(v, n);
            self.stack.push(v);
            self.on_stack.insert(v);
            let graph = self.graph;
            for w in graph.get(v).into_iter().flatten() {
                let w = w.as_str();
                if !self.index.contains_key(w) {
                    self.visit(w);
                    let low = self.low[v].min(self.low[w]);
                    self.low.insert(v, low);
                } else if self.on_stack.contains(w) {
                    let low = self.low[v].min(self.index[w]);
                    self.low.insert(v, low);
                }
            }
            if self.low[v] == self.index[v] {
                let mut component = Vec::new();
                while let Some(w) = self.stack.pop() {
                    self.on_stack.remove(w);
                    component.push(w.to_string());
                    if w == v {
                        break;
                    }
                }
                component.sort();
                self.out.push(component);
            }
        }
    }
    let mut walk = Walk {
        graph,
        index: HashMap::new(),
        low: HashMap::new(),
        stack: Vec::new(),
        on_stack: BTreeSet::new(),
        out: Vec::new(),
    };
    for v in graph.keys() {
        if !walk.index.contains_key(v.as_str()) {
            walk.visit(v);
        }
    }
    walk.out
}

/// The file-level graph of the crate's code, without its unit tests.
fn import_graph() -> BTreeMap<String, BTreeSet<String>> {
    let mut paths = Vec::new();
    sources(&root().join("src"), &mut paths);
    let files: BTreeSet<String> = paths
        .iter()
        .map(|p| {
            format!(
                "src/{}",
                p.strip_prefix(root().join("src")).unwrap().display()
            )
        })
        .collect();
    let mut texts = BTreeMap::new();
    let mut test_only = BTreeSet::new();
    for file in &files {
        let (text, tests) = production(&std::fs::read_to_string(root().join(file)).unwrap());
        for name in tests {
            test_only.extend(file_of(&[module_path(file), vec![name]].concat(), &files));
        }
        texts.insert(file.clone(), text);
    }
    texts
        .iter()
        .filter(|(file, _)| !test_only.contains(*file))
        .map(|(file, text)| {
            let to = references(file, text, &files);
            (file.clone(), &to - &test_only)
        })
        .collect()
}

#[test]
fn no_import_cycle_spans_folders() {
    let graph = import_graph();
    let mut broken = Vec::new();
    for component in cycles(&graph) {
        let folders: BTreeSet<&str> = component.iter().map(|f| folder(f)).collect();
        if folders.len() < 2 {
            continue;
        }
        let within: BTreeSet<&String> = component.iter().collect();
        let arrows: Vec<String> = component
            .iter()
            .flat_map(|from| {
                graph[from]
                    .iter()
                    .filter(|to| within.contains(to) && folder(from) != folder(to))
                    .map(move |to| format!("{from} -> {to}"))
            })
            .collect();
        broken.push(arrows);
    }
    assert!(
        broken.is_empty(),
        "import cycles across folders (their arrows between folders): {broken:#?}"
    );
}

#[test]
fn the_graph_follows_the_names_a_file_brings_into_scope() {
    let files: BTreeSet<String> = [
        "src/ads/mod.rs",
        "src/ads/lifecycle.rs",
        "src/ads/store.rs",
        "src/billing/mod.rs",
        "src/billing/employer.rs",
        "src/billing/store.rs",
        "src/teams/mod.rs",
        "src/teams/store.rs",
        "src/error.rs",
    ]
    .into_iter()
    .map(String::from)
    .collect();
    let found = references(
        "src/billing/employer.rs",
        "use super::store;\nuse crate::{ads, teams::store as team_store, error::Result};\n\
         fn f() { ads::lifecycle::submit_in(); team_store::may_work_on(); store::products(); }",
        &files,
    );
    let expected: BTreeSet<String> = [
        "src/ads/mod.rs",
        "src/ads/lifecycle.rs",
        "src/teams/store.rs",
        "src/billing/store.rs",
        "src/error.rs",
    ]
    .into_iter()
    .map(String::from)
    .collect();
    assert_eq!(found, expected);
    let (text, test_only) = production(
        "mod a;\n#[cfg(test)]\nmod tests;\nmod b;\n#[cfg(test)]\nmod more {\n use crate::x;\n}",
    );
    assert_eq!(test_only, ["tests"]);
    assert!(text.contains("mod b;") && !text.contains("crate::x"));
}

/// Which feature owns each table: only that feature's `store.rs` and privacy section
/// (`privacy.rs`) may name it in SQL. A table not listed here fails the test below.
const TABLE_OWNERS: &[(&str, &[&str])] = &[
    (
        "accounts",
        &[
            "users",
            "companies",
            "company_members",
            "sessions",
            "account_tokens",
            "auth_attempts",
            "login_events",
            "operator_factors",
            "operator_recovery_codes",
            "operator_passkeys",
        ],
    ),
    (
        "mail",
        &["outbox", "outbox_attachments", "outbox_documents"],
    ),
    (
        "ads",
        &[
            "ads",
            "ad_revisions",
            "ad_changes",
            "moderation_decisions",
            "ad_statistics",
        ],
    ),
    ("profiles", &["seeker_profiles", "saved_ads"]),
    ("companies", &["company_pages"]),
    ("files", &["data_keys", "files", "pending_objects"]),
    (
        "applications",
        &[
            "applications",
            "application_files",
            "application_notes",
            "disclosures",
        ],
    ),
    ("privacy/consent", &["consent_texts", "cookie_consents"]),
    ("privacy/statistics", &["page_views", "campaign_visits"]),
    (
        "newsletter",
        &["newsletter_subscribers", "newsletter_issues"],
    ),
    ("marketing", &["marketing_consents"]),
    ("alerts", &["job_alerts"]),
    (
        "privacy",
        &[
            "processing_limits",
            "privacy_events",
            "erasure_records",
            "privacy_requests",
            "privacy_request_events",
        ],
    ),
    (
        "billing",
        &[
            "billing_products",
            "billing_profiles",
            "customer_status_events",
            "billing_series",
            "billing_packages",
            "billing_orders",
            "invoices",
            "invoice_lines",
            "credit_notes",
            "credit_note_lines",
            "billing_payments",
            "bank_import_lines",
            "billing_reminders",
        ],
    ),
    ("operator", &["account_blocks"]),
    ("audit", &["operator_audit", "audit_chain"]),
    ("support", &["support_inquiries", "support_messages"]),
    (
        "teams",
        &[
            "company_invitations",
            "company_member_events",
            "ad_assignments",
        ],
    ),
    (
        "retention",
        &[
            "legal_holds",
            "retention_lease",
            "retention_runs",
            "retention_warnings",
        ],
    ),
];

/// Files that still name other features' tables (or keep SQL outside their store), with the
/// reason. The list can only shrink: a fixed file must leave it.
const KNOWN_TABLE_USERS: &[(&str, &str)] = &[
    // The buyer's name and CVR, and whether an erased person was a company's last member.
    (
        "src/billing/store.rs",
        "reads the company's name and members from the accounts' tables",
    ),
    // The privacy core finds the data subject's account; the platform must not import accounts.
    (
        "src/privacy/sections.rs",
        "the data subject is looked up in the accounts' users",
    ),
    // Privacy sections that show a person's rows with another feature's names for them.
    ("src/profiles/privacy.rs", "saved jobs show the ads' titles"),
    (
        "src/ads/privacy.rs",
        "the contact's ads show the company's name",
    ),
    (
        "src/privacy/own_sections.rs",
        "the privacy feature's own sections (`privacy::privacy` would repeat the name)",
    ),
    (
        "src/privacy/centre.rs",
        "reads the sections' tables for its summary",
    ),
    (
        "src/privacy/recipients.rs",
        "who received a person's applications: a join over ads",
    ),
    (
        "src/retention/rules.rs",
        "each rule selects what is due in the tables it governs",
    ),
    (
        "src/retention/store.rs",
        "what is held and what is due, across features",
    ),
    (
        "src/profiles/store.rs",
        "saved jobs show the ads, candidates the accounts' names, and a photo is a file",
    ),
    (
        "src/applications/store.rs",
        "joins ads, companies and profiles for the inbox",
    ),
    (
        "src/ads/indexing.rs",
        "the search document of an ad, with its company",
    ),
    ("src/ads/listing.rs", "public lists join the company's name"),
    ("src/ads/feeds.rs", "the feed's last-modified date"),
    (
        "src/ads/store.rs",
        "ads join the company's name and the author",
    ),
    ("src/api/mod.rs", "the API's change feed"),
    (
        "src/alerts/worker.rs",
        "new ads since the last run, from the change log",
    ),
    (
        "src/alerts/store.rs",
        "alerts of people inactive since a date",
    ),
    ("src/newsletter/store.rs", "a subscriber's account"),
    (
        "src/marketing/store.rs",
        "a person's consent history includes the steps under their account's address",
    ),
    ("src/documents/mod.rs", "a seeker's files and their keys"),
    (
        "src/mail/outbox.rs",
        "the outbox's queries, and its attachments' files",
    ),
    (
        "src/housekeeping.rs",
        "deletes expired tokens, attempts and login events",
    ),
    // Platform code that every request needs, and must not import the accounts feature for.
    ("src/identity.rs", "the signed-in user, once per request"),
    ("src/db/session_store.rs", "the session store itself"),
    // The demo seeds every table directly.
    ("src/demo.rs", "seeds the demo data"),
    ("src/demo_ads.rs", "seeds the demo ads"),
];

/// The tables a file's SQL names (after `FROM`, `JOIN`, `INTO` or `UPDATE`).
fn tables_named(text: &str) -> BTreeSet<String> {
    let text = text.split("#[cfg(test)]").next().unwrap();
    let mut out = BTreeSet::new();
    let words: Vec<&str> = text
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .filter(|w| !w.is_empty())
        .collect();
    for pair in words.windows(2) {
        if matches!(pair[0], "FROM" | "JOIN" | "INTO" | "UPDATE") {
            out.insert(pair[1].to_string());
        }
    }
    out
}

#[test]
fn only_a_features_store_and_privacy_section_name_its_tables() {
    let mut files = Vec::new();
    sources(&root().join("src"), &mut files);
    let mut broken = Vec::new();
    let mut known_seen = BTreeSet::new();
    for file in files {
        let name = format!(
            "src/{}",
            file.strip_prefix(root().join("src")).unwrap().display()
        );
        let text = std::fs::read_to_string(&file).unwrap();
        for table in tables_named(&text) {
            let Some((owner, _)) = TABLE_OWNERS
                .iter()
                .find(|(_, tables)| tables.contains(&table.as_str()))
            else {
                continue;
            };
            let allowed = [
                format!("src/{owner}/store.rs"),
                format!("src/{owner}/privacy.rs"),
            ];
            if allowed.contains(&name) {
                continue;
            }
            if KNOWN_TABLE_USERS.iter().any(|(f, _)| *f == name) {
                known_seen.insert(name.clone());
            } else {
                broken.push(format!("{name} names {table}, a table of {owner}"));
            }
        }
    }
    assert!(
        broken.is_empty(),
        "SQL outside the owning feature's store: {broken:#?}"
    );
    let stale: Vec<_> = KNOWN_TABLE_USERS
        .iter()
        .filter(|(f, _)| !known_seen.contains(*f))
        .collect();
    assert!(
        stale.is_empty(),
        "fixed, so remove them from KNOWN_TABLE_USERS: {stale:?}"
    );
}

#[test]
fn every_table_of_the_migrations_has_an_owner() {
    let mut missing = Vec::new();
    for entry in std::fs::read_dir(root().join("migrations/sqlite")).unwrap() {
        let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
        let words: Vec<&str> = text
            .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .filter(|w| !w.is_empty())
            .collect();
        for pair in words.windows(3) {
            let table = pair[2];
            if pair[0] == "CREATE"
                && pair[1] == "TABLE"
                && !table.ends_with("_new")
                && !TABLE_OWNERS.iter().any(|(_, t)| t.contains(&table))
            {
                missing.push(table.to_string());
            }
        }
    }
    assert!(
        missing.is_empty(),
        "tables without an owner in TABLE_OWNERS (src/layering.rs): {missing:?}"
    );
}
