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
    ("privacy::policy", 1),
    ("privacy::sections", 1),
    ("marketing", 1),
    // The composition root.
    ("app", 3),
    ("lib", 3),
    ("main", 3),
];

/// Imports that still point upwards: (importing file, imported module), each with its reason.
const KNOWN: &[(&str, &str)] = &[
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
        "src/privacy/limits.rs",
        "the processing limits' queries, not yet in a store",
    ),
    (
        "src/privacy/requests.rs",
        "the request form's queries, not yet in a store",
    ),
    (
        "src/privacy/queue.rs",
        "the request queue's queries, not yet in a store",
    ),
    (
        "src/privacy/erasure.rs",
        "the erasure record, not yet in a store",
    ),
    (
        "src/privacy/statistics.rs",
        "the statistics' queries, not yet in a store",
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
        "src/profiles/mod.rs",
        "the profile pages' queries, not yet in a store",
    ),
    (
        "src/applications/store.rs",
        "joins ads, companies and profiles for the inbox",
    ),
    (
        "src/applications/seeker.rs",
        "the seeker's list, not yet in the store",
    ),
    (
        "src/applications/employer.rs",
        "the inbox filters, not yet in the store",
    ),
    (
        "src/applications/apply.rs",
        "the company's delivery settings",
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
        "src/marketing/consent.rs",
        "the consent record's queries, not yet in a store",
    ),
    ("src/documents/mod.rs", "a seeker's files and their keys"),
    (
        "src/files/keys.rs",
        "the data keys' queries, not yet in a store",
    ),
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
