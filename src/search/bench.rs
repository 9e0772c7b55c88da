//! A rough local measurement, not a benchmark suite:
//! `BENCH_ADS=200000 cargo test --release --lib search::bench -- --ignored --nocapture`

use std::time::{Duration, Instant};

use super::*;

/// Small deterministic generator (xorshift).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    /// Roughly Zipf-distributed index below n (frequent words first).
    fn zipf(&mut self, n: usize) -> usize {
        let u = (self.next() % 1_000_000) as f64 / 1_000_000.0;
        ((n as f64).powf(u) - 1.0) as usize % n
    }
}

const DA_WORDS: &[&str] = &[
    "og",
    "i",
    "at",
    "en",
    "til",
    "af",
    "med",
    "vi",
    "du",
    "som",
    "har",
    "er",
    "på",
    "for",
    "erfaring",
    "udvikling",
    "team",
    "kunder",
    "opgaver",
    "ansvar",
    "kolleger",
    "arbejde",
    "virksomhed",
    "stilling",
    "ansøgning",
    "løn",
    "pension",
    "kompetencer",
    "samarbejde",
    "projekter",
    "ledelse",
    "faglig",
    "uddannelse",
    "tværfaglig",
    "engageret",
    "selvstændig",
    "sygeplejerske",
    "udvikler",
    "tømrer",
    "pædagog",
    "lærer",
    "elektriker",
    "chauffør",
    "konsulent",
    "projektleder",
    "bogholder",
    "sælger",
    "kok",
    "rengøring",
    "lager",
];
const EN_WORDS: &[&str] = &[
    "and",
    "the",
    "to",
    "of",
    "a",
    "in",
    "with",
    "you",
    "we",
    "for",
    "is",
    "our",
    "on",
    "are",
    "experience",
    "development",
    "team",
    "customers",
    "tasks",
    "responsibility",
    "colleagues",
    "work",
    "company",
    "position",
    "application",
    "salary",
    "pension",
    "skills",
    "cooperation",
    "projects",
    "management",
    "professional",
    "education",
    "independent",
    "motivated",
    "nurse",
    "developer",
    "carpenter",
    "teacher",
    "electrician",
    "driver",
    "consultant",
    "manager",
    "accountant",
    "sales",
    "chef",
    "cleaning",
    "warehouse",
    "engineer",
    "designer",
];
const SV_WORDS: &[&str] = &[
    "och",
    "i",
    "att",
    "en",
    "till",
    "av",
    "med",
    "vi",
    "du",
    "som",
    "har",
    "är",
    "på",
    "för",
    "erfarenhet",
    "utveckling",
    "team",
    "kunder",
    "uppgifter",
    "ansvar",
    "kollegor",
    "arbete",
    "företag",
    "tjänst",
    "ansökan",
    "lön",
    "pension",
    "kompetens",
    "samarbete",
    "projekt",
    "ledning",
    "utbildning",
    "självständig",
    "sjuksköterska",
    "utvecklare",
    "snickare",
    "lärare",
    "elektriker",
    "chaufför",
    "konsult",
    "projektledare",
    "ekonom",
    "säljare",
    "kock",
];
const OCCUPATIONS: &[(&str, &str, &str, &str)] = &[
    ("nurse", "Nurse", "Sygeplejerske", "health"),
    (
        "software-developer",
        "Software developer",
        "Softwareudvikler",
        "it",
    ),
    ("carpenter", "Carpenter", "Tømrer", "construction"),
    ("teacher", "Teacher", "Lærer", "education"),
    ("electrician", "Electrician", "Elektriker", "construction"),
    ("driver", "Driver", "Chauffør", "transport"),
    ("consultant", "IT consultant", "IT-konsulent", "it"),
    (
        "project-manager",
        "Project manager",
        "Projektleder",
        "management",
    ),
    ("accountant", "Accountant", "Bogholder", "finance"),
    ("sales", "Sales representative", "Sælger", "sales"),
    ("chef", "Chef", "Kok", "hospitality"),
    ("cleaner", "Cleaner", "Rengøringsassistent", "service"),
    (
        "warehouse",
        "Warehouse worker",
        "Lagermedarbejder",
        "logistics",
    ),
    ("pedagogue", "Pedagogue", "Pædagog", "education"),
];
const EMPLOYMENT: &[&str] = &[
    "permanent",
    "temporary",
    "freelance",
    "internship",
    "student",
];
const REMOTE: &[&str] = &["no", "hybrid", "fully"];

/// A synthetic vocabulary word: base words first, then made-up words for a long tail.
fn word(rng: &mut Rng, base: &[&str]) -> String {
    let rank = rng.zipf(30_000);
    if rank < base.len() {
        return base[rank].to_string();
    }
    const SYLLABLES: &[&str] = &[
        "ka", "le", "mi", "no", "ru", "sa", "te", "vi", "bo", "de", "fi", "gu", "hå", "jø", "ke",
        "lo", "ma", "ne", "po", "ri", "st", "tr", "an", "er", "in", "or", "ul", "ys",
    ];
    let mut seed = rank as u64 * 2_654_435_761;
    let syllables = 2 + (seed % 3) as usize;
    let mut out = String::new();
    for _ in 0..syllables {
        out.push_str(SYLLABLES[(seed % SYLLABLES.len() as u64) as usize]);
        seed /= SYLLABLES.len() as u64;
        seed = seed.wrapping_mul(31).wrapping_add(7);
    }
    out
}

fn synthetic_ad(id: i64) -> SearchDoc {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15 ^ (id as u64).wrapping_mul(0x2545_F491_4F6C_DD1D));
    let lang = match rng.below(10) {
        0..=5 => AdLang::Da,
        6..=7 => AdLang::En,
        _ => AdLang::Sv,
    };
    let base = match lang {
        AdLang::Da => DA_WORDS,
        AdLang::En => EN_WORDS,
        AdLang::Sv => SV_WORDS,
    };
    let (occupation, en, da, field) = OCCUPATIONS[rng.zipf(OCCUPATIONS.len())];
    let words = 50 + rng.below(400);
    let mut description = String::with_capacity(words * 8);
    for i in 0..words {
        if i > 0 {
            description.push(if i % 12 == 0 { '.' } else { ' ' });
            if i % 12 == 0 {
                description.push(' ');
            }
        }
        description.push_str(&word(&mut rng, base));
    }
    let municipality = 100 + rng.zipf(98) as i64;
    SearchDoc {
        id,
        lang,
        title: format!(
            "{} {}",
            if lang == AdLang::En { en } else { da },
            word(&mut rng, base)
        ),
        description,
        company: format!("Firma {} ApS", rng.below(20_000)),
        occupation_id: occupation.to_string(),
        occupation_labels: vec![en.to_string(), da.to_string()],
        field_id: field.to_string(),
        municipality_code: municipality.to_string(),
        municipality_name: format!("Kommune{municipality}"),
        region_code: (1081 + municipality % 5).to_string(),
        employment_type: EMPLOYMENT[rng.zipf(EMPLOYMENT.len())].to_string(),
        remote: REMOTE[rng.zipf(REMOTE.len())].to_string(),
        published_at: 1_780_000_000 - rng.below(90 * 86_400) as i64,
        deadline: (rng.below(3) > 0).then(|| 1_780_000_000 + rng.below(60 * 86_400) as i64),
        featured_until: None,
    }
}

/// Resident memory: total, anonymous (heap) and file-backed (mapped index files), in MB.
fn rss_mb() -> String {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find(|line| line.starts_with(name))
            .and_then(|line| line.split_whitespace().nth(1))
            .and_then(|kb| kb.parse::<f64>().ok())
            .map_or(0.0, |kb| kb / 1024.0)
    };
    format!(
        "{:.0} MB (heap {:.0}, files {:.0})",
        field("VmRSS:"),
        field("RssAnon:"),
        field("RssFile:")
    )
}

fn dir_mb(dir: &Path) -> f64 {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|entry| entry.unwrap().metadata().unwrap().len())
        .sum::<u64>() as f64
        / 1e6
}

/// CPU time of the whole process (all threads), user and system.
fn process_cpu_time() -> Duration {
    // SAFETY: an all-zero rusage is a valid value for getrusage to fill in.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: `usage` is a valid, writable rusage.
    unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut usage) };
    let time = |t: libc::timeval| Duration::new(t.tv_sec as u64, t.tv_usec as u32 * 1000);
    time(usage.ru_utime) + time(usage.ru_stime)
}

/// CPU time of the calling thread: unlike wall time, not inflated by other work on the machine.
fn thread_cpu_time() -> Duration {
    let mut now = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `now` is a valid, writable timespec.
    unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut now) };
    Duration::new(now.tv_sec as u64, now.tv_nsec as u32)
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 * p) as usize).min(sorted.len() - 1)]
}

fn request(q: &str) -> SearchRequest {
    SearchRequest {
        q: q.to_string(),
        limit: 20,
        facets: true,
        ..SearchRequest::default()
    }
}

#[test]
#[ignore]
fn measure() {
    let _ = tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .try_init();
    let only = std::env::var("BENCH_ONLY").ok();
    let ads: i64 = std::env::var("BENCH_ADS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(200_000);
    let dir = std::env::var("BENCH_DIR").map_or_else(
        |_| tempfile::tempdir().unwrap().keep(),
        std::path::PathBuf::from,
    );
    let index = SearchIndex::open(&dir).unwrap();
    let started = Instant::now();
    let mut tokens = 0;
    let mut analyzer = super::schema::stemming_analyzer(AdLang::Da);
    for id in 1..=20_000 {
        let ad = synthetic_ad(id);
        let mut stream = analyzer.token_stream(&ad.description);
        while stream.advance() {
            tokens += 1;
        }
    }
    eprintln!(
        "20k synthetic ads generated and their descriptions stemmed: {:.2} s, {tokens} tokens",
        started.elapsed().as_secs_f64()
    );
    let started = Instant::now();
    for id in 1..=20_000 {
        std::hint::black_box(synthetic_ad(id));
    }
    eprintln!(
        "20k synthetic ads generated only: {:.2} s",
        started.elapsed().as_secs_f64()
    );
    if index.num_docs() + 100 < ads as u64 || std::env::var("BENCH_REBUILD").is_ok() {
        let started = Instant::now();
        let cpu_started = process_cpu_time();
        let count = index.rebuild((1..=ads).map(synthetic_ad), 1).unwrap();
        eprintln!(
            "rebuild: {count} ads in {:.1} s ({:.1} s CPU, synthetic ads included), {} segments, \
             RSS after {}",
            started.elapsed().as_secs_f64(),
            (process_cpu_time() - cpu_started).as_secs_f64(),
            index.inner.reader.searcher().segment_readers().len(),
            rss_mb()
        );
    }
    eprintln!(
        "index: {:.0} MB on disk, {} docs",
        dir_mb(&dir),
        index.num_docs()
    );

    let started = Instant::now();
    index
        .apply(
            (1..=100).map(|id| synthetic_ad(id * 7)).collect(),
            &[3, 5],
            2,
        )
        .unwrap();
    eprintln!("apply of 100 ads: {:?}", started.elapsed());
    let started = Instant::now();
    index.apply(vec![synthetic_ad(11)], &[], 3).unwrap();
    eprintln!("apply of 1 ad (writer open): {:?}", started.elapsed());

    let mut cases: Vec<(&str, SearchRequest)> = vec![
        ("all + facets", request("")),
        (
            "all, no facets",
            SearchRequest {
                facets: false,
                ..request("")
            },
        ),
        ("common word", request("udvikler")),
        (
            "common word no facets",
            SearchRequest {
                facets: false,
                ..request("udvikler")
            },
        ),
        ("two words", request("erfaring sygeplejerske")),
        ("english two words", request("experienced developers")),
        ("stopword-ish", request("og")),
        (
            "municipality filter",
            SearchRequest {
                municipalities: vec!["101".into()],
                ..request("")
            },
        ),
        (
            "word + filters",
            SearchRequest {
                fields: vec!["it".into()],
                remote: vec!["hybrid".into(), "fully".into()],
                ..request("udvikler")
            },
        ),
        (
            "within 20",
            SearchRequest {
                within: Some((100..120).map(|m| m.to_string()).collect()),
                sort: Sort::Newest,
                ..request("sygeplejerske")
            },
        ),
        (
            "deadline sort",
            SearchRequest {
                sort: Sort::Deadline,
                ..request("lærer")
            },
        ),
        ("typo", request("sygeplejeske")),
        ("typo long", request("softwareudvikeler")),
        ("unknown word (suggest)", request("xqzzyv")),
        ("rare made-up word", request("kalemino")),
        (
            "page 50",
            SearchRequest {
                offset: 1000,
                ..request("team")
            },
        ),
    ];
    let highlighter_started = Instant::now();
    let highlighter = index.highlighter("udvikler erfaring").unwrap();
    let text = synthetic_ad(42).description;
    for _ in 0..20 {
        std::hint::black_box(highlighter.snippet(AdLang::Da, &text, 200));
    }
    eprintln!(
        "highlighter + 20 snippets: {:?}",
        highlighter_started.elapsed()
    );
    let started = Instant::now();
    let completions = index.typeahead("ud", 8).unwrap();
    eprintln!("typeahead 'ud': {:?} {:?}", started.elapsed(), completions);

    eprintln!(
        "{:<28} {:>8} {:>9} {:>9} {:>9}",
        "query", "total", "p50", "p99", "max"
    );
    for (name, request) in &mut cases {
        if only.as_deref().is_some_and(|only| !name.contains(only)) {
            continue;
        }
        let mut times = Vec::new();
        let mut total = 0;
        for _ in 0..30 {
            let started = thread_cpu_time();
            let response = index
                .search_with(&index.inner.reader.searcher(), request)
                .unwrap();
            times.push(thread_cpu_time() - started);
            total = response.total;
        }
        times.sort();
        eprintln!(
            "{:<28} {:>8} {:>9.2?} {:>9.2?} {:>9.2?}",
            name,
            total,
            percentile(&times, 0.5),
            percentile(&times, 0.99),
            times[times.len() - 1]
        );
    }

    if only.is_some() {
        return;
    }
    let mix: Vec<SearchRequest> = cases.iter().map(|(_, r)| r.clone()).collect();
    throughput(&index, &mix, false);
    throughput(&index, &mix, true);
}

/// 4 clients cycling through a mixed workload.
fn throughput(index: &SearchIndex, mix: &[SearchRequest], cached: bool) {
    let run_for = Duration::from_secs(5);
    let started = Instant::now();
    let handles: Vec<_> = (0..4)
        .map(|client| {
            let index = index.clone();
            let mix = mix.to_vec();
            std::thread::spawn(move || {
                let mut times = Vec::new();
                let mut i = client * 3;
                while started.elapsed() < run_for {
                    let t = Instant::now();
                    let request = &mix[i % mix.len()];
                    if cached {
                        index.search(request).unwrap();
                    } else {
                        index
                            .search_with(&index.inner.reader.searcher(), request)
                            .unwrap();
                    }
                    times.push(t.elapsed());
                    i += 1;
                }
                times
            })
        })
        .collect();
    let mut times: Vec<Duration> = handles
        .into_iter()
        .flat_map(|h| h.join().unwrap())
        .collect();
    times.sort();
    eprintln!(
        "4 clients, mixed, cache {}: {:.0} searches/s, p50 {:.2?}, p99 {:.2?}, RSS {}",
        if cached { "on" } else { "off" },
        times.len() as f64 / started.elapsed().as_secs_f64(),
        percentile(&times, 0.5),
        percentile(&times, 0.99),
        rss_mb()
    );
}

#[test]
#[ignore]
fn space() {
    let dir = std::path::PathBuf::from(std::env::var("BENCH_DIR").unwrap());
    let index = SearchIndex::open(&dir).unwrap();
    let usage = index.inner.reader.searcher().space_usage().unwrap();
    let mut per_part: std::collections::BTreeMap<String, u64> = Default::default();
    for segment in usage.segments() {
        for (part, fields) in [
            ("termdict", segment.termdict()),
            ("postings", segment.postings()),
            ("fast", segment.fast_fields()),
            ("fieldnorms", segment.fieldnorms()),
        ] {
            for field in fields.fields() {
                *per_part
                    .entry(format!("{part} {}", field.field_name()))
                    .or_default() += field.total().get_bytes();
            }
        }
        *per_part.entry("store".into()).or_default() += segment.store().total().get_bytes();
        *per_part.entry("deletes".into()).or_default() += segment.deletes().get_bytes();
    }
    for (part, bytes) in per_part {
        eprintln!("{part:<30} {:>8.1} MB", bytes as f64 / 1e6);
    }
    eprintln!("total {:.1} MB", usage.total().get_bytes() as f64 / 1e6);
}

/// The query kinds of `benches/search.rs`, against the index of a portal filled with
/// `jobboard demo` (`BENCH_DIR=<data dir>/search-index`): CPU time per uncached search, so the
/// figures hold while other work shares the machine.
/// `BENCH_DIR=… cargo test --release --lib search::bench::portal -- --ignored --nocapture`
#[test]
#[ignore]
fn portal() {
    let dir = std::path::PathBuf::from(std::env::var("BENCH_DIR").expect("BENCH_DIR"));
    let rounds: usize = std::env::var("BENCH_ROUNDS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(3);
    let only = std::env::var("BENCH_ONLY").ok();
    let index = SearchIndex::open(&dir).unwrap();
    eprintln!(
        "index: {} docs, {} segments",
        index.num_docs(),
        index.inner.reader.searcher().segment_readers().len()
    );
    let common = ["team", "erfaring", "vores", "søger", "tilbyder", "arbejde"];
    let words = [
        "sygeplejerske",
        "developer",
        "tømrer",
        "lærer",
        "chauffør",
        "pædagog",
    ];
    let page = |q: &str| SearchRequest {
        q: q.to_string(),
        limit: 10,
        ..SearchRequest::default()
    };
    let kinds: Vec<(&str, Vec<SearchRequest>)> = vec![
        ("one term", words.iter().map(|w| page(w)).collect()),
        (
            "term + municipality",
            words
                .iter()
                .map(|w| SearchRequest {
                    municipalities: vec!["751".into()],
                    ..page(w)
                })
                .collect(),
        ),
        (
            "newest first",
            ["101", "751", "461"]
                .iter()
                .map(|m| SearchRequest {
                    sort: Sort::Newest,
                    limit: 20,
                    municipalities: vec![m.to_string()],
                    ..page("")
                })
                .collect(),
        ),
        (
            "facet counts",
            words
                .iter()
                .map(|w| SearchRequest {
                    facets: true,
                    ..page(w)
                })
                .collect(),
        ),
        (
            "deep paging",
            (0..12)
                .map(|i| SearchRequest {
                    offset: 1000 + 20 * (i * 7 % 50),
                    limit: 20,
                    ..page(common[i % common.len()])
                })
                .collect(),
        ),
        ("very common term", common.iter().map(|w| page(w)).collect()),
    ];
    eprintln!(
        "{:<20} {:>8} {:>9} {:>9} {:>9}",
        "kind", "total", "median", "mean", "max"
    );
    for (name, requests) in &kinds {
        if only.as_deref().is_some_and(|only| !name.contains(only)) {
            continue;
        }
        let mut times = Vec::new();
        let mut total = 0;
        for _ in 0..rounds {
            for request in requests {
                let started = thread_cpu_time();
                let response = index
                    .search_with(&index.inner.reader.searcher(), request)
                    .unwrap();
                let spent = thread_cpu_time() - started;
                times.push(spent);
                total = response.total;
                if std::env::var("BENCH_VERBOSE").is_ok() {
                    eprintln!(
                        "  {:?} offset {}: {total} in {spent:.2?}",
                        request.q, request.offset
                    );
                }
            }
        }
        times.sort();
        let mean = times.iter().sum::<Duration>() / times.len() as u32;
        eprintln!(
            "{:<20} {:>8} {:>9.2?} {:>9.2?} {:>9.2?}",
            name,
            total,
            percentile(&times, 0.5),
            mean,
            times[times.len() - 1]
        );
    }
    // The deep pages as `benches/search.rs` sends them (each request the next of 48 variants,
    // 400 in all), through `search` and its cache: how many are computed, at what CPU cost.
    let started = thread_cpu_time();
    let common = ["team", "erfaring", "vores", "søger", "tilbyder", "arbejde"];
    let mut slow = 0;
    for i in 0..400 {
        let variant = i % 48;
        let request = SearchRequest {
            offset: 1000 + 20 * (variant % 50),
            limit: 20,
            ..page(common[variant % common.len()])
        };
        let one = thread_cpu_time();
        index.search(&request).unwrap();
        slow += usize::from(thread_cpu_time() - one > Duration::from_micros(500));
    }
    eprintln!(
        "deep paging mix through the cache: 400 requests, {slow} over 0.5 ms CPU, {:.2?} CPU in all",
        thread_cpu_time() - started
    );
}
