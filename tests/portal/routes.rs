//! Every route the router serves, read from the source: each `.route(PATH, get(..).post(..))`
//! call in `src/**/*.rs`, with its path (a string literal or a `const NAME: &str`) and the
//! methods of its method router. The access matrix (`access.rs`) compares this list with its
//! table, so a route added anywhere cannot escape it.
//!
//! Why a scan rather than asking the router: axum's `Router` cannot list its routes, and a
//! route table kept by hand next to `app.rs` would be one more list to forget. The scan reads
//! the plain form every feature uses; anything it cannot read (a computed path, `.nest`,
//! `.route_service`, an unknown method-router call) fails with the place to look at, rather
//! than being skipped. Code under `#[cfg(test)]` is left out. The matrix also asks the running
//! server for each path's methods it did not find (405 expected), which catches a misread.

use std::{
    collections::{BTreeMap, BTreeSet},
    path::{Path, PathBuf},
};

/// One method on one path, and the file that registers it.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Route {
    pub method: String,
    pub path: String,
    pub file: String,
}

/// The methods a method router may name; `any` would need every method in the table.
const METHODS: &[&str] = &[
    "get", "post", "put", "patch", "delete", "head", "options", "trace",
];

/// Calls on a method router that add no method.
const MODIFIERS: &[&str] = &["layer", "route_layer"];

/// Router calls the scan does not read: they would hide routes from the matrix.
const UNREADABLE: &[&str] = &["nest", "nest_service", "route_service"];

/// The routes registered in the crate's `src/`.
pub fn in_source() -> Vec<Route> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&root, &mut files);
    files.sort();
    let sources: Vec<(String, Vec<Token>)> = files
        .iter()
        .map(|f| {
            let text = std::fs::read_to_string(f).expect("read a source file");
            let name = f
                .strip_prefix(Path::new(env!("CARGO_MANIFEST_DIR")))
                .unwrap_or(f)
                .display()
                .to_string();
            (name, without_test_code(tokens(&text)))
        })
        .collect();
    let mut constants = BTreeMap::new();
    for (_, tokens) in &sources {
        string_constants(tokens, &mut constants);
    }
    let mut routes = BTreeSet::new();
    for (file, tokens) in &sources {
        routes.extend(routes_in(file, tokens, &constants));
    }
    routes.into_iter().collect()
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("read src/").flatten() {
        let path = entry.path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// A small Rust lexer: enough to tell code from comments, strings and character literals.

#[derive(Clone, Debug, PartialEq, Eq)]
enum Token {
    Ident(String),
    Str(String),
    Punct(char),
    /// Numbers, character literals and lifetimes: nothing the scan looks for.
    Other,
}

fn tokens(text: &str) -> Vec<Token> {
    let chars: Vec<char> = text.chars().collect();
    let at = |i: usize| chars.get(i).copied().unwrap_or('\0');
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
        } else if c == '/' && at(i + 1) == '/' {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
        } else if c == '/' && at(i + 1) == '*' {
            let mut depth = 0;
            loop {
                if i >= chars.len() {
                    break;
                } else if chars[i] == '/' && at(i + 1) == '*' {
                    depth += 1;
                    i += 2;
                } else if chars[i] == '*' && at(i + 1) == '/' {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    i += 1;
                }
            }
        } else if c == '"' || ((c == 'b' || c == 'c') && at(i + 1) == '"') {
            i += if c == '"' { 1 } else { 2 };
            let mut value = String::new();
            while i < chars.len() && chars[i] != '"' {
                if chars[i] == '\\' {
                    i += 1;
                    value.push(match at(i) {
                        'n' => '\n',
                        't' => '\t',
                        other => other,
                    });
                } else {
                    value.push(chars[i]);
                }
                i += 1;
            }
            i += 1;
            out.push(Token::Str(value));
        } else if let Some(hashes) = raw_string_start(&chars, i) {
            // r"..", r#".."#, br#".."#: the text runs to a quote followed by as many hashes.
            i = chars[i..]
                .iter()
                .position(|&c| c == '"')
                .map_or(i, |p| i + p)
                + 1;
            let closing: Vec<char> = std::iter::once('"')
                .chain(std::iter::repeat_n('#', hashes))
                .collect();
            let start = i;
            while i < chars.len() && !chars[i..].starts_with(&closing) {
                i += 1;
            }
            out.push(Token::Str(
                chars[start..i.min(chars.len())].iter().collect(),
            ));
            i += closing.len();
        } else if c == '\'' {
            // A character literal ('a', '\n', '\'') or a lifetime ('static).
            if at(i + 1) == '\\' {
                // The quote, the backslash and the escaped character, then up to the close.
                i += 3;
                while i < chars.len() && chars[i] != '\'' {
                    i += 1;
                }
                i += 1;
            } else if at(i + 2) == '\'' {
                i += 3;
            } else {
                i += 1;
                while at(i).is_alphanumeric() || at(i) == '_' {
                    i += 1;
                }
            }
            out.push(Token::Other);
        } else if c.is_alphabetic() || c == '_' {
            let start = i;
            while at(i).is_alphanumeric() || at(i) == '_' {
                i += 1;
            }
            out.push(Token::Ident(chars[start..i].iter().collect()));
        } else if c.is_ascii_digit() {
            while at(i).is_alphanumeric() || at(i) == '_' {
                i += 1;
            }
            out.push(Token::Other);
        } else {
            out.push(Token::Punct(c));
            i += 1;
        }
    }
    out
}

/// The number of `#` of a raw string starting at `i` (`r"`, `r#"`, `br"`, ...), if one does.
fn raw_string_start(chars: &[char], i: usize) -> Option<usize> {
    let mut j = i;
    if chars.get(j) == Some(&'b') || chars.get(j) == Some(&'c') {
        j += 1;
    }
    if chars.get(j) != Some(&'r') {
        return None;
    }
    // Not the end of an identifier such as `for`.
    if i > 0 && (chars[i - 1].is_alphanumeric() || chars[i - 1] == '_') {
        return None;
    }
    j += 1;
    let hashes = chars[j..].iter().take_while(|&&c| c == '#').count();
    (chars.get(j + hashes) == Some(&'"')).then_some(hashes)
}

/// Drops each item marked `#[cfg(test)]`: test routers are not the server's.
fn without_test_code(tokens: Vec<Token>) -> Vec<Token> {
    let attribute: Vec<Token> = ["#", "[", "cfg", "(", "test", ")", "]"]
        .iter()
        .map(|t| match *t {
            "cfg" | "test" => Token::Ident(t.to_string()),
            p => Token::Punct(p.chars().next().unwrap()),
        })
        .collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < tokens.len() {
        if tokens[i..].starts_with(&attribute) {
            i += attribute.len();
            // The item runs to its first `;` outside brackets, or to the end of its block.
            let mut depth = 0;
            while i < tokens.len() {
                match tokens[i] {
                    Token::Punct('{' | '(' | '[') => depth += 1,
                    Token::Punct('}' | ')' | ']') => {
                        depth -= 1;
                        if depth == 0 && tokens[i] == Token::Punct('}') {
                            i += 1;
                            break;
                        }
                    }
                    Token::Punct(';') if depth == 0 => {
                        i += 1;
                        break;
                    }
                    _ => {}
                }
                i += 1;
            }
        } else {
            out.push(tokens[i].clone());
            i += 1;
        }
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Reading the router calls

/// `const NAME: &str = "..";` and `const NAME: &'static str = "..";`, by name. A name defined
/// twice with different texts is kept as ambiguous (`None`).
fn string_constants(tokens: &[Token], out: &mut BTreeMap<String, Option<String>>) {
    for (i, token) in tokens.iter().enumerate() {
        if *token != Token::Ident("const".into()) {
            continue;
        }
        let rest = &tokens[i + 1..];
        let (Some(Token::Ident(name)), Some(Token::Punct(':')), Some(Token::Punct('&'))) =
            (rest.first(), rest.get(1), rest.get(2))
        else {
            continue;
        };
        let rest = match rest.get(3) {
            Some(Token::Other) => &rest[4..],
            _ => &rest[3..],
        };
        if let (Some(Token::Ident(ty)), Some(Token::Punct('=')), Some(Token::Str(value))) =
            (rest.first(), rest.get(1), rest.get(2))
            && ty == "str"
        {
            out.entry(name.clone())
                .and_modify(|known| {
                    if known.as_deref() != Some(value) {
                        *known = None;
                    }
                })
                .or_insert_with(|| Some(value.clone()));
        }
    }
}

fn routes_in(
    file: &str,
    tokens: &[Token],
    constants: &BTreeMap<String, Option<String>>,
) -> Vec<Route> {
    let mut routes = Vec::new();
    for i in 0..tokens.len() {
        let (Token::Punct('.'), Some(Token::Ident(call)), Some(Token::Punct('('))) =
            (&tokens[i], tokens.get(i + 1), tokens.get(i + 2))
        else {
            continue;
        };
        if UNREADABLE.contains(&call.as_str()) {
            panic!(
                "{file}: the access matrix cannot read `.{call}(..)`; register each route with \
                 `.route(PATH, get(..).post(..))` so that tests/portal/access.rs sees it"
            );
        }
        if call != "route" {
            continue;
        }
        let args = arguments(&tokens[i + 2..]);
        let [path, router] = args.as_slice() else {
            panic!("{file}: a `.route(..)` call without two arguments");
        };
        let path = route_path(file, path, constants);
        for method in methods(file, &path, router) {
            routes.push(Route {
                method,
                path: path.clone(),
                file: file.to_string(),
            });
        }
    }
    routes
}

/// The arguments of the call whose `(` starts `tokens`, split at top-level commas.
fn arguments(tokens: &[Token]) -> Vec<&[Token]> {
    let mut args = Vec::new();
    let mut depth = 0;
    let mut start = 1;
    for (i, token) in tokens.iter().enumerate() {
        match token {
            Token::Punct('(' | '[' | '{') => depth += 1,
            Token::Punct(')' | ']' | '}') => {
                depth -= 1;
                if depth == 0 {
                    if start < i {
                        args.push(&tokens[start..i]);
                    }
                    return args;
                }
            }
            Token::Punct(',') if depth == 1 => {
                args.push(&tokens[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    panic!("a call without its closing parenthesis");
}

fn route_path(
    file: &str,
    tokens: &[Token],
    constants: &BTreeMap<String, Option<String>>,
) -> String {
    match tokens {
        [Token::Str(path)] => path.clone(),
        // A constant, possibly by its path (`consent::DECIDE_PATH`).
        [.., Token::Ident(name)]
            if tokens
                .iter()
                .all(|t| matches!(t, Token::Ident(_) | Token::Punct(':'))) =>
        {
            match constants.get(name) {
                Some(Some(path)) => path.clone(),
                _ => panic!(
                    "{file}: the route path `{name}` is not a `const {name}: &str = \"..\"` with \
                     one value in src/; write the path as a literal or such a constant"
                ),
            }
        }
        _ => panic!(
            "{file}: a route path the access matrix cannot read ({tokens:?}); write it as a \
             string literal or a `const NAME: &str`"
        ),
    }
}

/// The methods of a method router such as `get(a).post(b)` or `routing::post(b)`.
fn methods(file: &str, path: &str, tokens: &[Token]) -> Vec<String> {
    let mut found = Vec::new();
    let mut depth = 0;
    for (i, token) in tokens.iter().enumerate() {
        match token {
            Token::Punct('(' | '[' | '{') => depth += 1,
            Token::Punct(')' | ']' | '}') => depth -= 1,
            Token::Ident(name) if depth == 0 => {
                let called = tokens.get(i + 1) == Some(&Token::Punct('('));
                let is_path_segment = tokens.get(i + 1) == Some(&Token::Punct(':'));
                if is_path_segment {
                    continue;
                }
                if called && METHODS.contains(&name.as_str()) {
                    found.push(name.to_uppercase());
                } else if !(called && MODIFIERS.contains(&name.as_str())) {
                    panic!(
                        "{file}: the method router of {path} uses `{name}`, which the access \
                         matrix does not read; write it as `get(..).post(..)`"
                    );
                }
            }
            _ => {}
        }
    }
    assert!(!found.is_empty(), "{file}: no method found for {path}");
    found
}

#[test]
fn the_scan_reads_the_forms_the_features_use() {
    let source = r##"
        const SETTINGS: &str = "/cookies/settings";
        const LONG: &'static str = "/long";
        // .route("/commented", get(x))
        /* .route("/block", get(x)) /* nested */ .route("/still", get(x)) */
        fn routes() -> Router<AppState> {
            let quote = '"';
            let apostrophe = '\'';
            let text = ".route(\"/in-a-string\", get(x))";
            let raw = r#".route("/raw", get(x))"#;
            Router::new()
                .route("/", get(home))
                .route(
                    "/register",
                    get(registration::form).post(registration::submit),
                )
                .route(SETTINGS, axum::routing::get(settings))
                .route(consent::LONG, post(x).layer(limit()))
                .route_layer(middleware::from_fn(loopback_only))
        }
        #[cfg(test)]
        mod tests {
            fn router() { Router::new().route("/test-only", get(x)); }
        }
    "##;
    let tokens = without_test_code(tokens(source));
    let mut constants = BTreeMap::new();
    string_constants(&tokens, &mut constants);
    let found: Vec<(String, String)> = routes_in("sample.rs", &tokens, &constants)
        .into_iter()
        .map(|r| (r.method, r.path))
        .collect();
    let expected = [
        ("GET", "/"),
        ("GET", "/register"),
        ("POST", "/register"),
        ("GET", "/cookies/settings"),
        ("POST", "/long"),
    ]
    .map(|(m, p)| (m.to_string(), p.to_string()));
    assert_eq!(found, expected);
}

#[test]
fn the_scan_refuses_what_it_cannot_read() {
    for source in [
        r#"Router::new().nest("/api", api::routes())"#,
        r#"Router::new().route(&format!("/{x}"), get(x))"#,
        r#"Router::new().route("/x", any(x))"#,
        r#"Router::new().route("/x", UNKNOWN_CONSTANT_ROUTER)"#,
    ] {
        let tokens = tokens(source);
        let outcome =
            std::panic::catch_unwind(|| routes_in("sample.rs", &tokens, &BTreeMap::new()));
        assert!(outcome.is_err(), "read without complaint: {source}");
    }
}
