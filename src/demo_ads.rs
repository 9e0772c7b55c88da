//! Synthetic job ads for demos and benchmarks: realistic Danish, Swedish and English ads across
//! municipalities, occupations and salaries, inserted in large batches so that a million take
//! about a minute. The same seed gives the same ads.

use rand::{RngExt, SeedableRng, rngs::StdRng};
use sqlx::QueryBuilder;
use time::{Duration, OffsetDateTime};

use crate::{
    ads::taxonomy::{Municipality, taxonomy},
    db::{Db, now},
    db_run,
    error::{Error, Result},
};

/// Rows per INSERT: below SQLite's limit of 32,766 bound values for the 24-column revisions.
const BATCH: usize = 1000;

/// Large towns get more ads, as on real job boards.
const HUBS: &[(&str, u32)] = &[
    ("101", 30),
    ("751", 14),
    ("461", 8),
    ("851", 7),
    ("147", 4),
    ("157", 3),
    ("0180", 20),
    ("1480", 10),
    ("1280", 7),
    ("0380", 4),
    ("0580", 3),
    ("1880", 3),
];

struct Company {
    id: i64,
    name: String,
}

pub async fn insert_ads(db: &Db, count: u64, seed: u64) -> Result<u64> {
    if count == 0 {
        return Ok(0);
    }
    let companies: Vec<Company> = db_run!(pool db, |p| sqlx::query_as::<_, (i64, String)>(
        "SELECT id, name FROM companies ORDER BY id"
    )
    .fetch_all(p)
    .await)?
    .into_iter()
    .map(|(id, name)| Company { id, name })
    .collect();
    if companies.is_empty() {
        return Err(Error::BadRequest(
            "demo ads need companies: add --companies N".into(),
        ));
    }
    let mut rng = StdRng::seed_from_u64(seed ^ 0x05ee_dad5);
    let tax = taxonomy();
    let hub_weight: u32 = HUBS.iter().map(|(_, w)| w).sum();
    let now = now();
    let mut inserted = 0u64;
    while inserted < count {
        let size = BATCH.min((count - inserted) as usize);
        let ads: Vec<SyntheticAd> = (0..size)
            .map(|_| {
                let roll = rng.random_range(0..hub_weight + 60);
                let municipality = if roll < hub_weight {
                    let mut acc = 0;
                    let code = HUBS
                        .iter()
                        .find(|(_, w)| {
                            acc += w;
                            roll < acc
                        })
                        .map(|(c, _)| *c)
                        .unwrap_or("101");
                    tax.municipality(code).expect("hub municipality")
                } else {
                    &tax.municipalities[rng.random_range(0..tax.municipalities.len())]
                };
                let company = &companies[rng.random_range(0..companies.len())];
                SyntheticAd::generate(&mut rng, company, municipality, now)
            })
            .collect();
        write_batch(db, &ads).await?;
        inserted += size as u64;
        if inserted.is_multiple_of(100_000) {
            tracing::info!(inserted, "demo ads");
        }
    }
    Ok(inserted)
}

struct SyntheticAd {
    company_id: i64,
    lang: &'static str,
    title: String,
    description: String,
    municipality_code: &'static str,
    remote: &'static str,
    occupation_id: &'static str,
    employment_type: &'static str,
    working_time: &'static str,
    hours: Option<i32>,
    salary_min: i64,
    salary_max: i64,
    period: &'static str,
    currency: &'static str,
    published_at: OffsetDateTime,
    expires_at: OffsetDateTime,
    deadline: Option<time::Date>,
    contact_name: String,
    contact_email: String,
    apply_method: &'static str,
}

const FIRST: &[&str] = &[
    "Anne", "Mette", "Lars", "Søren", "Karin", "Jonas", "Erik", "Sara", "Maria", "Anders", "Lena",
    "Pia",
];
const LAST: &[&str] = &[
    "Jensen",
    "Nielsen",
    "Hansen",
    "Larsen",
    "Holm",
    "Berg",
    "Lindqvist",
    "Andersson",
    "Karlsson",
    "Dahl",
];

impl SyntheticAd {
    fn generate(
        rng: &mut StdRng,
        company: &Company,
        m: &Municipality,
        now: OffsetDateTime,
    ) -> SyntheticAd {
        let tax = taxonomy();
        let occupation = &tax.occupations[rng.random_range(0..tax.occupations.len())];
        let swedish = m.country == "SE";
        let lang = match (swedish, rng.random_range(0..10)) {
            (_, 0..=1) => "en",
            (true, _) => "sv",
            (false, _) => "da",
        };
        let base_title = match lang {
            "da" => occupation.da.to_string(),
            _ => occupation.en.to_string(),
        };
        let title = match (lang, rng.random_range(0..8)) {
            ("da", 0) => format!("Erfaren {}", base_title.to_lowercase()),
            ("da", 1) => format!("{base_title} til {}", m.name),
            ("sv", 0) => format!("Erfaren {}", base_title.to_lowercase()),
            ("en", 0) => format!("Senior {}", base_title.to_lowercase()),
            ("en", 1) => format!("{base_title} in {}", m.name),
            _ => base_title.clone(),
        };
        let employment_type = [
            "permanent",
            "permanent",
            "permanent",
            "temporary",
            "freelance",
            "internship",
            "student",
        ][rng.random_range(0..7)];
        let part_time = employment_type == "student" || rng.random_range(0..6) == 0;
        let (period, base) = match rng.random_range(0..10) {
            0 => ("hour", 180),
            1 => ("year", 480_000),
            _ => ("month", 38_000),
        };
        let spread = base / 10;
        let salary_min = base + rng.random_range(0..spread * 4) / 100 * 100;
        let salary_max = salary_min + spread + rng.random_range(0..spread * 2) / 100 * 100;
        let published_at = now - Duration::minutes(rng.random_range(0..60 * 24 * 55));
        let deadline = (rng.random_range(0..3) > 0)
            .then(|| (published_at + Duration::days(rng.random_range(14..60))).date());
        let expires_at = match deadline {
            Some(d) => crate::calendar::end_of_day(d),
            None => published_at + Duration::days(60),
        };
        let contact = format!(
            "{} {}",
            FIRST[rng.random_range(0..FIRST.len())],
            LAST[rng.random_range(0..LAST.len())]
        );
        let contact_email = format!(
            "{}@company{}.example.com",
            contact.split(' ').next().unwrap_or("hr").to_lowercase(),
            company.id
        );
        SyntheticAd {
            company_id: company.id,
            lang,
            description: describe(rng, lang, &title, &company.name, m.name),
            title,
            municipality_code: m.code,
            remote: ["no", "no", "no", "hybrid", "hybrid", "fully"][rng.random_range(0..6)],
            occupation_id: occupation.id,
            employment_type,
            working_time: if part_time { "part" } else { "full" },
            hours: part_time.then(|| rng.random_range(8..31)),
            salary_min,
            salary_max,
            period,
            currency: if swedish { "SEK" } else { "DKK" },
            published_at,
            expires_at,
            deadline,
            contact_name: contact,
            contact_email,
            apply_method: ["site", "site", "url", "email"][rng.random_range(0..4)],
        }
    }
}

fn describe(rng: &mut StdRng, lang: &str, title: &str, company: &str, place: &str) -> String {
    let pick = |rng: &mut StdRng, options: &[&str]| {
        options[rng.random_range(0..options.len())].to_string()
    };
    match lang {
        "da" => format!(
            "{company} søger en {title} til vores team i {place}. {}\n\nDu vil {}\n\n- {}\n- {}\n- {}\n\nVi tilbyder {} Send din ansøgning hurtigst muligt — vi holder samtaler løbende.",
            pick(
                rng,
                &[
                    "Vi er i vækst og har travlt.",
                    "Stillingen er ny og spændende.",
                    "Du bliver en del af en erfaren afdeling.",
                    "Vi har gode kunder og mange opgaver."
                ]
            ),
            pick(
                rng,
                &[
                    "få ansvar for daglig drift og udvikling af vores opgaver.",
                    "arbejde tæt sammen med kolleger og kunder.",
                    "planlægge, udføre og følge op på opgaverne.",
                    "være med til at forbedre vores arbejdsgange."
                ]
            ),
            pick(
                rng,
                &[
                    "Relevant uddannelse eller erfaring",
                    "Gode samarbejdsevner",
                    "Kørekort er en fordel",
                    "Du taler og skriver dansk"
                ]
            ),
            pick(
                rng,
                &[
                    "Selvstændig og struktureret",
                    "Godt humør og mødestabilitet",
                    "Erfaring fra en lignende stilling",
                    "Lyst til at lære nyt"
                ]
            ),
            pick(
                rng,
                &[
                    "Fleksibel arbejdstid",
                    "Pension og sundhedsforsikring",
                    "Frokostordning",
                    "Efteruddannelse"
                ]
            ),
            pick(
                rng,
                &[
                    "en god løn, pension og et godt arbejdsmiljø.",
                    "faglig udvikling og søde kolleger.",
                    "en stilling med stor indflydelse.",
                    "ordnede forhold og overenskomst."
                ]
            ),
        ),
        "sv" => format!(
            "{company} söker en {title} till vårt team i {place}. {}\n\nDu kommer att {}\n\n- {}\n- {}\n\nVi erbjuder {} Skicka din ansökan redan idag, urval sker löpande.",
            pick(
                rng,
                &[
                    "Vi växer och har mycket att göra.",
                    "Tjänsten är nyinrättad.",
                    "Du blir en del av en erfaren avdelning."
                ]
            ),
            pick(
                rng,
                &[
                    "ansvara för den dagliga driften.",
                    "arbeta nära kollegor och kunder.",
                    "planera och följa upp arbetet."
                ]
            ),
            pick(
                rng,
                &[
                    "Relevant utbildning eller erfarenhet",
                    "Goda samarbetsförmågor",
                    "B-körkort är meriterande"
                ]
            ),
            pick(
                rng,
                &[
                    "Självständig och strukturerad",
                    "Erfarenhet från liknande roll",
                    "Vilja att lära nytt"
                ]
            ),
            pick(
                rng,
                &[
                    "god lön, tjänstepension och friskvårdsbidrag.",
                    "kompetensutveckling och trevliga kollegor.",
                    "kollektivavtal och flexibla arbetstider."
                ]
            ),
        ),
        _ => format!(
            "{company} is looking for a {title} to join our team in {place}. {}\n\nYou will {}\n\n- {}\n- {}\n- {}\n\nWe offer {} Apply today — we interview continuously.",
            pick(
                rng,
                &[
                    "We are growing fast.",
                    "This is a newly created position.",
                    "You will join an experienced department.",
                    "We have great customers and plenty of work."
                ]
            ),
            pick(
                rng,
                &[
                    "take responsibility for daily operations and development.",
                    "work closely with colleagues and customers.",
                    "plan, carry out and follow up on the work.",
                    "help us improve how we work."
                ]
            ),
            pick(
                rng,
                &[
                    "Relevant education or experience",
                    "Good collaboration skills",
                    "A driving licence is an advantage",
                    "Fluent English"
                ]
            ),
            pick(
                rng,
                &[
                    "Independent and well organised",
                    "Positive and reliable",
                    "Experience from a similar role",
                    "Eager to learn"
                ]
            ),
            pick(
                rng,
                &[
                    "Flexible hours",
                    "Pension and health insurance",
                    "Canteen",
                    "Training budget"
                ]
            ),
            pick(
                rng,
                &[
                    "a competitive salary, pension and a good working environment.",
                    "professional growth and friendly colleagues.",
                    "a role with real influence.",
                    "a collective agreement."
                ]
            ),
        ),
    }
}

/// Inserts one batch: the ads, their (live) revisions, the pointers between them and the
/// change-log rows, in one transaction.
async fn write_batch(db: &Db, ads: &[SyntheticAd]) -> Result<()> {
    let mut tx = db.begin().await?;
    let created = now();
    let ids: Vec<i64> = db_run!(tx &mut tx, |c| {
        let mut insert = QueryBuilder::new(
            "INSERT INTO ads (company_id, state, first_published_at, published_at, expires_at, created_at, updated_at) ",
        );
        insert.push_values(ads, |mut row, ad| {
            let state = if ad.expires_at <= created { "expired" } else { "published" };
            row.push_bind(ad.company_id)
                .push_bind(state)
                .push_bind(ad.published_at)
                .push_bind(ad.published_at)
                .push_bind(ad.expires_at)
                .push_bind(ad.published_at)
                .push_bind(created);
        });
        insert.push(" RETURNING id");
        insert.build_query_scalar().fetch_all(&mut *c).await
    })?;
    let mut ids = ids;
    // Identity values are handed out in row order; sorting makes the pairing explicit.
    ids.sort_unstable();
    db_run!(tx &mut tx, |c| {
        let mut insert = QueryBuilder::new(
            "INSERT INTO ad_revisions (ad_id, lang, title, description, municipality_code, remote, occupation_id, \
             employment_type, working_time, hours_per_week, salary_min, salary_max, salary_period, salary_currency, \
             deadline, contact_name, contact_email, apply_method, apply_url, apply_email, created_at) ",
        );
        insert.push_values(ads.iter().zip(&ids), |mut row, (ad, id)| {
            let apply_url = (ad.apply_method == "url").then(|| format!("https://jobs.company{}.example.com/{}", ad.company_id, id));
            let apply_email = (ad.apply_method == "email").then(|| ad.contact_email.clone());
            row.push_bind(*id)
                .push_bind(ad.lang)
                .push_bind(&ad.title)
                .push_bind(&ad.description)
                .push_bind(ad.municipality_code)
                .push_bind(ad.remote)
                .push_bind(ad.occupation_id)
                .push_bind(ad.employment_type)
                .push_bind(ad.working_time)
                .push_bind(ad.hours)
                .push_bind(ad.salary_min)
                .push_bind(ad.salary_max)
                .push_bind(ad.period)
                .push_bind(ad.currency)
                .push_bind(ad.deadline)
                .push_bind(&ad.contact_name)
                .push_bind(&ad.contact_email)
                .push_bind(ad.apply_method)
                .push_bind(apply_url)
                .push_bind(apply_email)
                .push_bind(created);
        });
        insert.build().execute(&mut *c).await.map(|r| r.rows_affected())
    })?;
    let (first, last) = (ids[0], ids[ids.len() - 1]);
    db_run!(tx &mut tx, |c| sqlx::query(
        "UPDATE ads SET live_revision_id = (SELECT MAX(r.id) FROM ad_revisions r WHERE r.ad_id = ads.id) \
         WHERE id BETWEEN $1 AND $2"
    )
    .bind(first)
    .bind(last)
    .execute(&mut *c)
    .await
    .map(|r| r.rows_affected()))?;
    db_run!(tx &mut tx, |c| sqlx::query(
        "INSERT INTO ad_changes (ad_id, changed_at) SELECT id, $3 FROM ads WHERE id BETWEEN $1 AND $2 ORDER BY id"
    )
    .bind(first)
    .bind(last)
    .bind(created)
    .execute(&mut *c)
    .await
    .map(|r| r.rows_affected()))?;
    tx.commit().await
}
