//! Company pages and ad statistics: the public page with its logo, schema.org `Organization`
//! data and ads, linked from the ad page and the search; gone (410, out of the sitemap) once
//! the company is blocked; logos checked by their content and stripped of metadata; and the
//! cookie-less counters of views, impressions, apply clicks, applications and saves, which
//! leave robots out, as the employer sees them and exports them.

use jobboard::{accounts::store as accounts, operator::blocks};
use reqwest::{StatusCode, header, multipart};

use crate::applications::{apply, pdf, upload_document};
use crate::fixtures::{self, content};
use crate::helpers::*;
use crate::story;

const BROWSER: &str = "Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0";
const GOOGLEBOT: &str = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)";

/// A PNG of `width` × `height` pixels.
fn png(width: u32, height: u32) -> Vec<u8> {
    let image = image::RgbImage::from_pixel(width, height, image::Rgb([20, 90, 160]));
    let mut out = Vec::new();
    image
        .write_to(&mut std::io::Cursor::new(&mut out), image::ImageFormat::Png)
        .unwrap();
    out
}

/// The PNG with a `tEXt` chunk (a comment naming a person) right after its header.
fn png_with_text(text: &str) -> Vec<u8> {
    let plain = png(64, 32);
    let data = format!("Comment\0{text}").into_bytes();
    let mut chunk = (data.len() as u32).to_be_bytes().to_vec();
    let mut crc = flate2::Crc::new();
    crc.update(b"tEXt");
    crc.update(&data);
    chunk.extend_from_slice(b"tEXt");
    chunk.extend_from_slice(&data);
    chunk.extend_from_slice(&crc.sum().to_be_bytes());
    // Signature (8 bytes) and IHDR (4 + 4 + 13 + 4 bytes) come first.
    let at = 8 + 25;
    [&plain[..at], &chunk, &plain[at..]].concat()
}

/// A JPEG with an EXIF segment that holds a (made-up) GPS note.
fn jpeg_with_exif(note: &str) -> Vec<u8> {
    use image::ImageEncoder;
    let mut plain = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut plain, 90)
        .write_image(
            &[120u8; 32 * 16 * 3],
            32,
            16,
            image::ExtendedColorType::Rgb8,
        )
        .unwrap();
    // A minimal TIFF header with an empty directory, then the note.
    let mut body = b"Exif\0\0II*\0\x08\0\0\0\0\0\0\0\0\0".to_vec();
    body.extend_from_slice(note.as_bytes());
    let mut segment = vec![0xFF, 0xE1];
    segment.extend_from_slice(&((body.len() + 2) as u16).to_be_bytes());
    segment.extend_from_slice(&body);
    [&plain[..2], &segment, &plain[2..]].concat()
}

/// Gives a company a logo behind the scenes (for the access matrix); returns its address.
pub async fn give_logo(app: &TestApp, company: i64) -> String {
    let bytes = bytes::Bytes::from(png(40, 20));
    let body = futures_util::stream::once(async move { Ok::<_, std::io::Error>(bytes) });
    let logo = jobboard::files::store_logo(&app.state.files, company, body, 1_000_000, 2000)
        .await
        .unwrap();
    jobboard::companies::store::set_logo(
        &app.state.db,
        company,
        Some(jobboard::companies::store::LogoRecord {
            key: logo.key.as_str(),
            content_type: logo.content_type,
            width: logo.width.into(),
            height: logo.height.into(),
        }),
    )
    .await
    .unwrap();
    jobboard::companies::logo(&app.state, company)
        .await
        .unwrap()
        .expect("the logo is public")
        .path
}

/// An employer who can log in, with their company (and an operator to approve its ads).
async fn employer(app: &TestApp, email: &str, name: &str, cvr: &str) -> fixtures::Company {
    app.registered_employer(email, name, cvr).await;
    let user = accounts::login_record(&app.state.db, email)
        .await
        .unwrap()
        .unwrap()
        .id;
    let id = accounts::account_detail(&app.state.db, user)
        .await
        .unwrap()
        .unwrap()
        .company_id
        .unwrap();
    let operator = jobboard::accounts::cli::create_operator(
        &app.state.db,
        &format!("ops@{cvr}.example.com"),
        PASSWORD,
    )
    .await
    .unwrap();
    fixtures::Company { id, user, operator }
}

/// Uploads a logo through the company page's form, as the employer signed in on `app`.
async fn upload_logo(app: &TestApp, name: &str, mime: &str, bytes: Vec<u8>) -> Page {
    let action = app.get("/employer/company").await.upload_action();
    let form = multipart::Form::new().part(
        "logo",
        multipart::Part::bytes(bytes)
            .file_name(name.to_string())
            .mime_str(mime)
            .unwrap(),
    );
    let response = app
        .client
        .post(app.url(&action))
        .multipart(form)
        .send()
        .await
        .unwrap();
    Page::from(response).await
}

/// A visitor's request, from a browser that keeps no cookies.
async fn get_as(app: &TestApp, path: &str, agent: &str) -> Page {
    let response = reqwest::Client::new()
        .get(app.url(path))
        .header(header::USER_AGENT, agent)
        .send()
        .await
        .unwrap();
    Page::from(response).await
}

/// Waits until this node's search index holds ad `id`.
async fn indexed(app: &TestApp, id: i64) {
    for _ in 0..100 {
        if app.state.search.contains(id).unwrap() {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("ad {id} never reached the search index");
}

/// The JSON-LD object a page carries.
fn json_ld(page: &Page) -> serde_json::Value {
    let doc = page.document();
    let script = doc
        .select(&scraper::Selector::parse("script[type='application/ld+json']").unwrap())
        .next()
        .expect("a JSON-LD script");
    serde_json::from_str(&script.text().collect::<String>()).expect("JSON-LD")
}

story!(
    the_company_page_shows_its_logo_and_ads_and_is_gone_once_blocked,
    |app| {
        let company = employer(
            &app,
            "hr@lysende.example.com",
            "Lysende Tårne ApS",
            "24256790",
        )
        .await;
        let ad = fixtures::published(
            &app,
            &company,
            content("Tekniker", "Vi søger en tekniker til vores tårne.", "751"),
        )
        .await;
        indexed(&app, ad).await;
        app.login("hr@lysende.example.com", PASSWORD).await;

        // The employer writes the page; a bad address and an unknown place are refused, and
        // nothing is saved.
        let form = app.get("/employer/company").await;
        let refused = form
            .form("Save company page")
            .fill("Short description", "We build **bright** towers.")
            .fill("Website (https://…)", "javascript:alert(1)")
            .fill("Locations", "no-such-place")
            .submit(&app)
            .await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(refused.field_error("Website (https://…)").is_some());
        assert!(refused.field_error("Locations").is_some());
        assert!(
            !app.get("/companies/lysende-taarne-aps")
                .await
                .contains("bright")
        );
        let saved = app
            .get("/employer/company")
            .await
            .form("Save company page")
            .fill("Short description", "We build **bright** towers.")
            .fill("Website (https://…)", "https://lysende.example.com")
            .fill("Locations", "751")
            .submit(&app)
            .await;
        assert!(
            saved.contains("The company page is saved."),
            "{}",
            saved.text()
        );
        let uploaded = upload_logo(&app, "logo.png", "image/png", png(300, 100)).await;
        assert!(
            uploaded.contains("The logo is saved."),
            "{}",
            uploaded.text()
        );

        // The ad page links to the company page and names the logo in its JobPosting.
        let ad_page = app.get(&format!("/jobs/{ad}")).await;
        assert_eq!(
            ad_page.link("Lysende Tårne ApS"),
            "/companies/lysende-taarne-aps"
        );
        let posting = json_ld(&ad_page);
        let logo_url = posting["hiringOrganization"]["logo"]
            .as_str()
            .expect("the logo in hiringOrganization")
            .to_string();
        assert!(logo_url.starts_with(&app.url("/companies/lysende-taarne-aps/logo/")));
        assert_eq!(
            posting["hiringOrganization"]["sameAs"],
            app.url("/companies/lysende-taarne-aps")
        );
        // So do the search results.
        let results = app.get("/jobs?q=tekniker").await;
        assert_eq!(
            results.link("Lysende Tårne ApS"),
            "/companies/lysende-taarne-aps"
        );

        let page = app.get("/companies/lysende-taarne-aps").await;
        assert_eq!(page.status, StatusCode::OK);
        assert_eq!(page.heading(), "Lysende Tårne ApS");
        assert!(page.body.contains("<strong>bright</strong>"));
        assert!(page.contains("Aarhus"));
        assert_eq!(page.link("Tekniker"), format!("/jobs/{ad}"));
        let organization = json_ld(&page);
        assert_eq!(organization["@type"], "Organization");
        assert_eq!(organization["name"], "Lysende Tårne ApS");
        assert_eq!(
            organization["url"],
            app.url("/companies/lysende-taarne-aps")
        );
        assert_eq!(organization["logo"], logo_url.as_str());
        assert_eq!(organization["sameAs"][0], "https://lysende.example.com/");
        assert_eq!(organization["address"][0]["addressLocality"], "Aarhus");

        // The logo itself: a PNG, cached for a year under an address that changes with it.
        let logo = app.client.get(&logo_url).send().await.unwrap();
        assert_eq!(logo.status(), StatusCode::OK);
        assert_eq!(logo.headers()[header::CONTENT_TYPE], "image/png");
        assert_eq!(
            logo.headers()[header::CACHE_CONTROL],
            "public, max-age=31536000, immutable"
        );
        let bytes = logo.bytes().await.unwrap();
        assert_eq!(image::load_from_memory(&bytes).unwrap().width(), 300);
        let sitemap = app.get("/sitemap.xml").await;
        assert!(sitemap.body.contains("/companies/lysende-taarne-aps</loc>"));

        // A block takes the page, its logo and its sitemap line away at once.
        let note = blocks::Note::parse("Fake company, checked by phone.").unwrap();
        assert!(
            blocks::block_company(
                &app.state,
                company.id,
                blocks::Decision {
                    operator: company.operator,
                    reason: blocks::BlockReason::Fraud,
                    note: &note,
                },
            )
            .await
            .unwrap()
        );
        let gone = app
            .other_browser()
            .get("/companies/lysende-taarne-aps")
            .await;
        assert_eq!(gone.status, StatusCode::GONE);
        assert!(gone.contains("This company page is no longer available"));
        assert!(!gone.contains("bright"));
        let logo = app.client.get(&logo_url).send().await.unwrap();
        assert_eq!(logo.status(), StatusCode::GONE);
        let sitemap = app.get("/sitemap.xml").await;
        assert!(!sitemap.body.contains("/companies/lysende-taarne-aps"));
        assert_eq!(
            app.get("/companies/no-such-company").await.status,
            StatusCode::NOT_FOUND
        );
    }
);

story!(
    logos_are_checked_by_their_content_and_lose_their_metadata,
    |app| {
        employer(&app, "hr@logo.example.com", "Logo Prøven A/S", "32345670").await;
        app.login("hr@logo.example.com", PASSWORD).await;
        let refusals: [(&str, &str, Vec<u8>, &str); 4] = [
        (
            "logo.svg",
            "image/svg+xml",
            br#"<svg xmlns="http://www.w3.org/2000/svg"><script>alert(document.cookie)</script><rect width="10" height="10"/></svg>"#.to_vec(),
            "This type of image is not accepted",
        ),
        (
            "logo.png",
            "image/png",
            [b"\x7fELF\x02\x01\x01\0".as_slice(), &[0u8; 400]].concat(),
            "This type of image is not accepted",
        ),
        (
            "big.png",
            "image/png",
            [png(10, 10), vec![0u8; 1_100_000]].concat(),
            "The file is too large. The limit is 1 MB.",
        ),
        (
            "wide.png",
            "image/png",
            png(2500, 4),
            "The image is too large. Please upload one of at most 2000 × 2000 pixels.",
        ),
    ];
        for (name, mime, bytes, message) in refusals {
            let page = upload_logo(&app, name, mime, bytes).await;
            assert!(page.contains(message), "{name}: {}", page.text());
            assert!(!page.contains("The logo is saved."), "{name}");
        }
        let page = app.get("/employer/company").await;
        assert!(
            page.document()
                .select(&scraper::Selector::parse(".company-logo img").unwrap())
                .next()
                .is_none()
        );
        assert!(page.contains("SVG files are not accepted"));
        // Nothing was written to the store.
        let public = app.env.data_path().join("files/public");
        assert!(!public.exists() || walk(&public) == 0);

        // A PNG with a text chunk and a JPEG with EXIF are accepted, rebuilt without either.
        for (name, mime, bytes, secret) in [
            (
                "logo.png",
                "image/png",
                png_with_text("Made by Karen Hemmelig"),
                "Karen Hemmelig",
            ),
            (
                "logo.jpg",
                "image/jpeg",
                jpeg_with_exif("GPS 56.15N 10.20E Karen"),
                "GPS 56.15N",
            ),
        ] {
            assert!(bytes.windows(secret.len()).any(|w| w == secret.as_bytes()));
            let page = upload_logo(&app, name, mime, bytes).await;
            assert!(
                page.contains("The logo is saved."),
                "{name}: {}",
                page.text()
            );
            let src = page
                .document()
                .select(&scraper::Selector::parse(".company-logo img").unwrap())
                .next()
                .and_then(|i| i.value().attr("src").map(str::to_string))
                .expect("the logo on the form");
            let served = app.client.get(app.url(&src)).send().await.unwrap();
            assert_eq!(served.status(), StatusCode::OK);
            let stored = served.bytes().await.unwrap();
            assert!(
                !stored.windows(secret.len()).any(|w| w == secret.as_bytes()),
                "{name}"
            );
            assert!(
                !stored.windows(4).any(|w| w == b"tEXt" || w == b"Exif"),
                "{name}"
            );
            image::load_from_memory(&stored).expect("a valid image");
        }
        // Only the current logo stays in the store.
        assert_eq!(walk(&public), 1);
    }
);

fn walk(dir: &std::path::Path) -> usize {
    std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .flatten()
                .map(|e| {
                    if e.path().is_dir() {
                        walk(&e.path())
                    } else {
                        1
                    }
                })
                .sum()
        })
        .unwrap_or(0)
}

story!(
    ad_statistics_count_people_without_cookies_and_leave_robots_out,
    |app| {
        let company = employer(&app, "hr@tal.example.com", "Tælleværket ApS", "31245672").await;
        let ad = fixtures::published(
            &app,
            &company,
            content(
                "Statistiker",
                "Vi søger en statistiker til vores team.",
                "101",
            ),
        )
        .await;
        let other = fixtures::published(
            &app,
            &company,
            content(
                "Dataanalytiker",
                "Vi søger også en statistiker med flair for data.",
                "101",
            ),
        )
        .await;
        indexed(&app, ad).await;
        indexed(&app, other).await;

        // A visitor's browser: three views, one search listing both ads, one apply click.
        let mut viewed = Vec::new();
        for _ in 0..3 {
            let page = get_as(&app, &format!("/jobs/{ad}"), BROWSER).await;
            assert_eq!(page.status, StatusCode::OK);
            viewed.push(page);
        }
        let results = get_as(&app, "/jobs?q=statistiker", BROWSER).await;
        assert!(results.contains("Statistiker") && results.contains("Dataanalytiker"));
        let click = get_as(&app, &format!("/jobs/{ad}/apply-link"), BROWSER).await;
        assert!(click.path().starts_with("/login"), "{}", click.path());
        // No cookie is needed or set for the counting (the login page the click ends on keeps
        // its own, for its form).
        for page in viewed.iter().chain([&results]) {
            assert!(page.headers.get(header::SET_COOKIE).is_none());
        }

        // A crawler and a request without a User-Agent count for nothing.
        for agent in [GOOGLEBOT, ""] {
            get_as(&app, &format!("/jobs/{ad}"), agent).await;
            get_as(&app, "/jobs?q=statistiker", agent).await;
            get_as(&app, &format!("/jobs/{ad}/apply-link"), agent).await;
        }

        // A job seeker saves the ad and applies through the site.
        app.registered_seeker("maria@seekers.example.com").await;
        app.login("maria@seekers.example.com", PASSWORD).await;
        upload_document(&app, "cv", "cv.pdf", pdf("Maria's CV")).await;
        let saved = app
            .get(&format!("/jobs/{ad}"))
            .await
            .form("Save job")
            .submit(&app)
            .await;
        assert_eq!(saved.status, StatusCode::OK);
        let sent = apply(&app, ad, "I would like to count for you.").await;
        assert_eq!(sent.status, StatusCode::OK, "{}", sent.text());
        app.logout().await;

        // The counts reach the database in a batch (here on demand; a worker does it every
        // few seconds and at shutdown).
        jobboard::ads::statistics::flush(&app.state).await.unwrap();

        app.login("hr@tal.example.com", PASSWORD).await;
        // The list of the company's ads shows each one's page views.
        let list = app.get("/employer/ads").await;
        let rows: Vec<String> = list
            .document()
            .select(&scraper::Selector::parse("tbody tr").unwrap())
            .map(|r| {
                r.text()
                    .collect::<Vec<_>>()
                    .join(" ")
                    .split_whitespace()
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .collect();
        assert!(
            rows.iter()
                .any(|r| r.starts_with("Statistiker ") && r.ends_with(" 3")),
            "{rows:?}"
        );
        assert!(
            rows.iter()
                .any(|r| r.starts_with("Dataanalytiker ") && r.ends_with(" 0")),
            "{rows:?}"
        );
        let manage = app.get(&format!("/employer/ads/{ad}")).await;
        assert!(
            manage.contains("Page views per day, last 30 days"),
            "{}",
            manage.text()
        );
        let svg = manage.document();
        let bars: Vec<String> = svg
            .select(&scraper::Selector::parse("svg.chart rect").unwrap())
            .filter_map(|r| r.value().attr("data-value").map(str::to_string))
            .collect();
        assert_eq!(bars.len(), 30);
        assert_eq!(bars.last().map(String::as_str), Some("3"));
        assert!(manage.contains("Page views 3"), "{}", manage.text());
        assert!(manage.contains("Shown in search results 1"));
        assert!(manage.contains("Clicks on apply 1"));
        assert!(manage.contains("Applications on the site 1"));
        assert!(manage.contains("Saved by job seekers 1"));

        let csv = app
            .client
            .get(app.url(&manage.link("Download every day as CSV")))
            .send()
            .await
            .unwrap();
        assert_eq!(csv.status(), StatusCode::OK);
        assert!(
            csv.headers()[header::CONTENT_TYPE]
                .to_str()
                .unwrap()
                .starts_with("text/csv")
        );
        let text = csv.text().await.unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(
            lines[0],
            "ad_id,day,page_views,search_impressions,apply_clicks,applications,saves"
        );
        let today = jobboard::calendar::today();
        assert_eq!(lines[1], format!("{ad},{today},3,1,1,1,1"));
        assert_eq!(lines.len(), 2);
        let other_csv = app
            .get(&format!("/employer/ads/{other}/statistics.csv"))
            .await;
        assert!(
            other_csv
                .body
                .contains(&format!("{other},{today},0,1,0,0,0"))
        );

        // The cookie policy says how they are counted.
        let policy = app.get("/cookie-policy").await;
        assert!(
            policy.contains("We count this on our server without any cookie"),
            "{}",
            policy.text()
        );

        // Another company sees none of it.
        app.logout().await;
        employer(&app, "hr@andre.example.com", "Andre Tal ApS", "10150817").await;
        app.login("hr@andre.example.com", PASSWORD).await;
        assert_eq!(
            app.get(&format!("/employer/ads/{ad}/statistics.csv"))
                .await
                .status,
            StatusCode::NOT_FOUND
        );
    }
);

story!(
    erasing_the_last_account_erases_the_company_page_and_its_logo,
    |app| {
        employer(
            &app,
            "eneste@firma.example.com",
            "Enkeltmand Design",
            "24256790",
        )
        .await;
        app.login("eneste@firma.example.com", PASSWORD).await;
        app.get("/employer/company")
            .await
            .form("Save company page")
            .fill("Short description", "Design by one person, Hanne Hansen.")
            .submit(&app)
            .await;
        let page = upload_logo(&app, "logo.png", "image/png", png(120, 60)).await;
        assert!(page.contains("The logo is saved."), "{}", page.text());
        let public = app.env.data_path().join("files/public");
        assert_eq!(walk(&public), 1);
        // The privacy centre shows the page among the person's data.
        let centre = app.get("/account/privacy").await;
        assert!(centre.contains("Company page"), "{}", centre.text());
        assert!(centre.contains("Hanne Hansen"), "{}", centre.text());

        let erased = app
            .get("/account/privacy/erase")
            .await
            .form("Erase my account now")
            .fill("Your password, to confirm", PASSWORD)
            .submit(&app)
            .await;
        assert_eq!(
            erased.heading(),
            "Your account is erased",
            "{}",
            erased.text()
        );
        let gone = app.get("/companies/enkeltmand-design").await;
        assert_eq!(gone.status, StatusCode::GONE);
        assert!(!gone.contains("Hanne Hansen"));
        assert_eq!(walk(&public), 0, "the logo's object is deleted");
        assert!(
            !app.get("/sitemap.xml")
                .await
                .body
                .contains("enkeltmand-design")
        );
    }
);
