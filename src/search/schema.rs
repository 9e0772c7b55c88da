//! The index layout: which fields exist, how text is analysed, and how an ad becomes a document.
//! Nothing is stored and text keeps doc ids only (no positions, no term counts): the database
//! holds the ads, the index only finds their ids, and 1,000,000 ads stay within the index's
//! size budget (about 210 bytes per ad of some 250 words).

use tantivy::{
    TantivyDocument,
    schema::{
        FAST, Field, IndexRecordOption, NumericOptions, Schema, TextFieldIndexing, TextOptions,
    },
    tokenizer::{
        BoxTokenStream, Language, LowerCaser, RemoveLongFilter, SimpleTokenizer, Stemmer,
        TextAnalyzer, Tokenizer, TokenizerManager,
    },
};

use super::{AdLang, SearchDoc, stem_cache::CachingStemmer};

/// Bump whenever the fields or analysers change: an index of another version is wiped and
/// rebuilt from the database rather than misread.
pub(super) const SCHEMA_VERSION: u32 = 2;

/// Deadline stored for ads without one (2100-01-01), so that an ascending sort puts them last.
/// Not `i64::MAX`: the column is bit-packed by its value range, and that would cost 8 bytes
/// per ad instead of 4. Later deadlines are stored as this too.
pub(super) const NO_DEADLINE: i64 = 4_102_444_800;

/// Longer tokens are noise (URLs, hashes) and would bloat the term dictionary.
const MAX_TOKEN_BYTES: usize = 40;

/// Unstemmed lowercase words, for typeahead, "did you mean" and the query's own words.
pub(super) const WORDS_ANALYZER: &str = "jobboard_words";
/// Stemmed words, each value in its ad's language (see `ByLanguage`).
const TEXT_ANALYZER: &str = "jobboard_text";

/// Separates the values combined in one facet column.
pub(super) const FACET_SEPARATOR: char = '\u{1f}';

/// The filterable, countable dimensions of an ad. Each is one raw-string field, indexed for
/// filters. For counting, dimensions are paired into fast columns (see `FACET_COLUMNS`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Dimension {
    Municipality,
    Region,
    OccupationalField,
    Occupation,
    EmploymentType,
    Remote,
}

impl Dimension {
    pub(super) const ALL: [Dimension; 6] = [
        Dimension::Municipality,
        Dimension::Region,
        Dimension::OccupationalField,
        Dimension::Occupation,
        Dimension::EmploymentType,
        Dimension::Remote,
    ];

    pub(super) fn field_name(self) -> &'static str {
        match self {
            Dimension::Municipality => "municipality",
            Dimension::Region => "region",
            Dimension::OccupationalField => "field",
            Dimension::Occupation => "occupation",
            Dimension::EmploymentType => "employment_type",
            Dimension::Remote => "remote",
        }
    }

    fn value(self, ad: &SearchDoc) -> &str {
        match self {
            Dimension::Municipality => &ad.municipality_code,
            Dimension::Region => &ad.region_code,
            Dimension::OccupationalField => &ad.field_id,
            Dimension::Occupation => &ad.occupation_id,
            Dimension::EmploymentType => &ad.employment_type,
            Dimension::Remote => &ad.remote,
        }
    }
}

/// Facet columns: pairs of dimensions whose combined values are few (a municipality lies in
/// one region, an occupation in one field), so that counting reads three columns per hit
/// instead of six.
pub(super) const FACET_COLUMNS: [(&str, [Dimension; 2]); 3] = [
    ("facet_place", [Dimension::Municipality, Dimension::Region]),
    (
        "facet_occupation",
        [Dimension::OccupationalField, Dimension::Occupation],
    ),
    (
        "facet_terms",
        [Dimension::EmploymentType, Dimension::Remote],
    ),
];

impl AdLang {
    pub(super) const ALL: [AdLang; 3] = [AdLang::Da, AdLang::En, AdLang::Sv];

    pub(super) fn index(self) -> usize {
        match self {
            AdLang::Da => 0,
            AdLang::En => 1,
            AdLang::Sv => 2,
        }
    }

    fn stemmer_language(self) -> Language {
        match self {
            AdLang::Da => Language::Danish,
            AdLang::En => Language::English,
            AdLang::Sv => Language::Swedish,
        }
    }

    fn stemmer_algorithm(self) -> frostem::Algorithm {
        match self {
            AdLang::Da => frostem::Algorithm::Danish,
            AdLang::En => frostem::Algorithm::English,
            AdLang::Sv => frostem::Algorithm::Swedish,
        }
    }
}

/// For indexing: the same tokens as `stemming_analyzer`, with a stem cache.
pub(super) fn indexing_analyzer(lang: AdLang) -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(MAX_TOKEN_BYTES))
        .filter(LowerCaser)
        .filter(CachingStemmer::new(lang.stemmer_algorithm()))
        .build()
}

/// For queries and snippets.
pub(super) fn stemming_analyzer(lang: AdLang) -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(MAX_TOKEN_BYTES))
        .filter(LowerCaser)
        .filter(Stemmer::new(lang.stemmer_language()))
        .build()
}

pub(super) fn words_analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(MAX_TOKEN_BYTES))
        .filter(LowerCaser)
        .build()
}

pub(super) fn register_analyzers(tokenizers: &TokenizerManager) {
    tokenizers.register(
        TEXT_ANALYZER,
        TextAnalyzer::builder(ByLanguage {
            analyzers: AdLang::ALL.map(indexing_analyzer),
        })
        .build(),
    );
    tokenizers.register(WORDS_ANALYZER, words_analyzer());
}

/// Marks the language of a text value for `ByLanguage`: one control character in front.
fn language_marker(lang: AdLang) -> char {
    match lang {
        AdLang::Da => '\u{11}',
        AdLang::En => '\u{12}',
        AdLang::Sv => '\u{13}',
    }
}

/// Stems each text value in its own language, which `to_document` marks in front of it: one
/// field for all languages, so that a query word is one posting list (the ads of all languages
/// that contain it) rather than a union over per-language fields.
#[derive(Clone)]
struct ByLanguage {
    analyzers: [TextAnalyzer; 3],
}

impl Tokenizer for ByLanguage {
    type TokenStream<'a> = BoxTokenStream<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> BoxTokenStream<'a> {
        let (lang, text) = AdLang::ALL
            .iter()
            .find_map(|&lang| {
                text.strip_prefix(language_marker(lang))
                    .map(|rest| (lang, rest))
            })
            .unwrap_or((AdLang::Da, text));
        self.analyzers[lang.index()].token_stream(text)
    }
}

/// Field handles, resolved once.
#[derive(Clone, Debug)]
pub(super) struct Fields {
    pub id: Field,
    /// Everything searchable about an ad, stemmed in the ad's language. Occupation labels
    /// (English and Danish) go in with the ad's language's stemmer; queries stem each word for
    /// every language, so "developers" still finds a Danish ad labelled "Developer" (Danish
    /// stemming strips "-er" and "-ers" alike).
    pub text: Field,
    /// Title and occupation labels again. Only ever an optional clause, to score title matches
    /// higher; `text` decides what matches.
    pub title: Field,
    /// Unstemmed words of titles, labels, companies and places: typeahead and "did you mean".
    pub words: Field,
    /// Per `Dimension::ALL` position.
    pub dimensions: [Field; 6],
    /// Per `FACET_COLUMNS` position.
    pub facet_columns: [Field; 3],
    pub published_at: Field,
    pub deadline: Field,
    pub featured_until: Field,
}

impl Fields {
    pub(super) fn dimension(&self, dimension: Dimension) -> Field {
        let position = Dimension::ALL
            .iter()
            .position(|d| *d == dimension)
            .expect("every dimension is in ALL");
        self.dimensions[position]
    }
}

pub(super) fn build_schema() -> (Schema, Fields) {
    let mut builder = Schema::builder();
    // Doc ids only: no positions (there are no phrase queries) and no term frequencies, which
    // are a quarter of the postings and the index must stay small. Scores then come from
    // rarity and text length (BM25 with every count 1), plus the title boost.
    let searchable = |analyzer: &str| {
        TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(analyzer)
                .set_index_option(IndexRecordOption::Basic),
        )
    };
    let id = builder.add_i64_field("id", NumericOptions::default() | FAST);
    let text = builder.add_text_field("text", searchable(TEXT_ANALYZER));
    // Titles are short: their length says little, so they go without length norms.
    let title = builder.add_text_field(
        "title",
        TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(TEXT_ANALYZER)
                .set_index_option(IndexRecordOption::Basic)
                .set_fieldnorms(false),
        ),
    );
    let words = builder.add_text_field(
        "words",
        TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(WORDS_ANALYZER)
                .set_index_option(IndexRecordOption::Basic)
                .set_fieldnorms(false),
        ),
    );
    let dimensions = Dimension::ALL.map(|dimension| {
        builder.add_text_field(
            dimension.field_name(),
            TextOptions::default().set_indexing_options(
                TextFieldIndexing::default()
                    .set_tokenizer("raw")
                    .set_index_option(IndexRecordOption::Basic)
                    .set_fieldnorms(false),
            ),
        )
    });
    let facet_columns = FACET_COLUMNS
        .map(|(name, _)| builder.add_text_field(name, TextOptions::default().set_fast("raw")));
    let published_at = builder.add_i64_field("published_at", NumericOptions::default() | FAST);
    let deadline = builder.add_i64_field("deadline", NumericOptions::default() | FAST);
    let featured_until = builder.add_i64_field("featured_until", NumericOptions::default() | FAST);
    let fields = Fields {
        id,
        text,
        title,
        words,
        dimensions,
        facet_columns,
        published_at,
        deadline,
        featured_until,
    };
    (builder.build(), fields)
}

pub(super) fn to_document(fields: &Fields, ad: &SearchDoc) -> TantivyDocument {
    let mut doc = TantivyDocument::new();
    doc.add_i64(fields.id, ad.id);

    let marker = language_marker(ad.lang);
    let marked = |value: &str| format!("{marker}{value}");
    for value in [
        &ad.title,
        &ad.description,
        &ad.company,
        &ad.municipality_name,
    ] {
        doc.add_text(fields.text, marked(value));
    }
    doc.add_text(fields.title, marked(&ad.title));
    for label in &ad.occupation_labels {
        doc.add_text(fields.text, marked(label));
        doc.add_text(fields.title, marked(label));
    }

    for value in [&ad.title, &ad.company, &ad.municipality_name] {
        doc.add_text(fields.words, value);
    }
    for label in &ad.occupation_labels {
        doc.add_text(fields.words, label);
    }

    for (dimension, field) in Dimension::ALL.iter().zip(fields.dimensions) {
        doc.add_text(field, dimension.value(ad));
    }
    // Every ad gets every column, even with empty values: full columns are the fastest to read.
    for ((_, [first, second]), field) in FACET_COLUMNS.iter().zip(fields.facet_columns) {
        doc.add_text(
            field,
            format!("{}{FACET_SEPARATOR}{}", first.value(ad), second.value(ad)),
        );
    }
    doc.add_i64(fields.published_at, ad.published_at);
    doc.add_i64(
        fields.deadline,
        ad.deadline
            .map_or(NO_DEADLINE, |deadline| deadline.min(NO_DEADLINE)),
    );
    doc.add_i64(fields.featured_until, ad.featured_until.unwrap_or(0));
    doc
}
