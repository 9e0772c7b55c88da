//! A new user's first hour: the pages say things in words and in the reader's language, forms
//! forgive, and nobody loses their way (issue 9).

use std::time::{Duration, Instant};

use reqwest::StatusCode;

use crate::fixtures::{self, content};
use crate::helpers::*;
use crate::story;

/// Waits until the search page for `query` lists `count` results.
async fn search_until(app: &TestApp, query: &str, count: &str) -> Page {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let page = app.get(&format!("/jobs?{query}")).await;
        if page.contains(count) {
            return page;
        }
        assert!(
            Instant::now() < deadline,
            "{query} never gave {count:?}:\n{}",
            page.text()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn in_danish(app: &TestApp) {
    let page = app.get("/").await;
    page.form("Dansk").submit(app).await;
}

story!(one_job_is_one_job_in_both_languages, |app| {
    let company = fixtures::company(&app, "Ental ApS", "10000009").await;
    fixtures::published(
        &app,
        &company,
        content("Ental udvikler", "Vi søger en udvikler.", "751"),
    )
    .await;
    let page = search_until(&app, "q=ental", "1 job").await;
    assert!(!page.contains("1 jobs"), "{}", page.text());
    in_danish(&app).await;
    let page = app.get("/jobs?q=ental").await;
    assert!(page.contains("1 job ·"), "{}", page.text());
});

/// No `2026-12-01` or `2026-12-01T10:00:00Z` anywhere in the visible text.
fn assert_dates_in_words(page: &Page) {
    let text = page.text();
    let bytes = text.as_bytes();
    for i in 0..bytes.len().saturating_sub(9) {
        let iso = bytes[i..i + 4].iter().all(u8::is_ascii_digit)
            && bytes[i + 4] == b'-'
            && bytes[i + 5..i + 7].iter().all(u8::is_ascii_digit)
            && bytes[i + 7] == b'-';
        assert!(
            !iso,
            "a machine date on {}: {}",
            page.url,
            &text[i..(i + 25).min(text.len())]
        );
    }
}

fn today(lang: jobboard::i18n::Lang) -> String {
    jobboard::i18n::instant(lang, time::OffsetDateTime::now_utc())
}

story!(dates_are_written_in_words_in_the_readers_language, |app| {
    use jobboard::i18n::Lang;
    // Cookie settings and the receipt.
    let page = app.get("/cookies/settings?back=/jobs").await;
    page.form("Save my choices").submit(&app).await;
    let settings = app.get("/cookies/settings").await;
    assert!(
        settings.contains(&format!(
            "Your current choice was made on {}.",
            today(Lang::En)
        )),
        "{}",
        settings.text()
    );
    let receipt = app.get("/cookies/receipt").await;
    assert_eq!(receipt.status, StatusCode::OK);
    assert!(receipt.contains(&today(Lang::En)), "{}", receipt.text());
    assert_dates_in_words(&receipt);

    // The mailbox and the employer's dashboard.
    app.registered_employer("hr@dato.dk", "Dato ApS", "24256790")
        .await;
    let mailbox = app.get("/mailbox").await;
    assert!(mailbox.contains(&today(Lang::En)), "{}", mailbox.text());
    assert_dates_in_words(&mailbox);
    app.login("hr@dato.dk", PASSWORD).await;
    let page = app.get("/employer/ads/new").await;
    page.form("Save draft")
        .fill("Job title", "Datoassistent")
        .submit(&app)
        .await;
    let dashboard = app.get("/employer/ads").await;
    assert!(dashboard.contains(&today(Lang::En)), "{}", dashboard.text());
    assert_dates_in_words(&dashboard);

    in_danish(&app).await;
    for path in ["/employer/ads", "/cookies/receipt", "/mailbox"] {
        let page = app.get(path).await;
        assert!(page.contains(&today(Lang::Da)), "{path}: {}", page.text());
        assert_dates_in_words(&page);
    }
});

story!(saving_cookie_choices_says_so, |app| {
    let page = app.get("/cookies/settings?back=/jobs").await;
    let page = page
        .form("Save my choices")
        .fill("Statistics", "on")
        .submit(&app)
        .await;
    assert_eq!(page.url.path(), "/jobs", "back where the visitor was");
    assert!(
        page.contains("Your cookie choices are saved."),
        "{}",
        page.text()
    );
    let again = app.get("/jobs").await;
    assert!(
        !again.contains("Your cookie choices are saved."),
        "said once"
    );

    in_danish(&app).await;
    let page = app.get("/cookies/settings?back=/").await;
    let page = page.form("Gem mine valg").submit(&app).await;
    assert!(page.contains("Dine cookievalg er gemt."), "{}", page.text());
});

/// Whether the `<details>` group whose summary starts with `label` is open.
fn group_open(page: &Page, label: &str) -> Option<bool> {
    let doc = page.document();
    let details = scraper::Selector::parse("details").unwrap();
    let summary = scraper::Selector::parse("summary").unwrap();
    doc.select(&details).find_map(|d| {
        let text: String = d.select(&summary).next()?.text().collect();
        text.trim()
            .starts_with(label)
            .then(|| d.value().attr("open").is_some())
    })
}

story!(job_interests_are_ticked_in_folded_groups, |app| {
    app.registered_seeker("ida@example.com").await;
    app.login("ida@example.com", PASSWORD).await;
    let page = app.get("/profile").await;
    assert!(page.contains("Open a field and tick the occupations you are interested in"));
    assert_eq!(group_open(&page, "Health care and nursing"), Some(false));
    assert!(
        page.document()
            .select(&scraper::Selector::parse("select[multiple]").unwrap())
            .next()
            .is_none(),
        "no multi-select that needs Ctrl-click"
    );
    let page = page
        .form("Save profile")
        .check("Registered nurse")
        .check("Specialist nurse")
        .check("Aarhus")
        .submit(&app)
        .await;
    assert!(page.contains("Your profile is saved."), "{}", page.text());
    assert!(page.contains("Health care and nursing (2 chosen)"));
    assert_eq!(group_open(&page, "Health care and nursing"), Some(true));
    assert!(page.contains("Region Midtjylland (1 chosen)"));
    assert_eq!(group_open(&page, "IT and software"), Some(false));

    let page = page
        .form("Save profile")
        .uncheck("Specialist nurse")
        .submit(&app)
        .await;
    assert!(page.contains("Health care and nursing (1 chosen)"));
    in_danish(&app).await;
    let page = app.get("/profile").await;
    assert!(
        page.contains("Sundhed og sygepleje (1 valgt)"),
        "{}",
        page.text()
    );
});

/// A company registered through the pages, with its member's account, and an operator to
/// approve its ads.
async fn company_with_member(
    app: &TestApp,
    email: &str,
    name: &str,
    cvr: &str,
) -> fixtures::Company {
    app.registered_employer(email, name, cvr).await;
    let (id, user): (i64, i64) = jobboard::db_run!(pool & app.state.db, |p| sqlx::query_as(
        "SELECT c.id, m.user_id FROM companies c JOIN company_members m ON m.company_id = c.id WHERE c.cvr = $1"
    )
    .bind(cvr)
    .fetch_one(p)
    .await)
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

/// A seeker with a phone number in the profile and a CV applies to `ad`; returns the
/// application's id, with nobody logged in.
async fn seeker_applies(app: &TestApp, email: &str, ad: i64) -> i64 {
    use crate::applications::{apply, pdf, upload_document};
    app.registered_seeker(email).await;
    app.login(email, PASSWORD).await;
    let page = app.get("/profile").await;
    page.form("Save profile")
        .fill("Phone (optional)", "+45 20 30 40 50")
        .submit(app)
        .await;
    upload_document(app, "cv", "CV.pdf", pdf("CV")).await;
    let page = apply(app, ad, "I would very much like to work with you.").await;
    assert!(
        page.contains("Your application has been sent."),
        "{}",
        page.text()
    );
    app.logout().await;
    jobboard::db_run!(pool & app.state.db, |p| sqlx::query_scalar(
        "SELECT ap.id FROM applications ap JOIN users u ON u.id = ap.seeker_id WHERE u.email = $1 AND ap.ad_id = $2"
    )
    .bind(email)
    .bind(ad)
    .fetch_one(p)
    .await)
    .unwrap()
}

story!(the_company_can_contact_the_applicant, |app| {
    let company = company_with_member(&app, "hr@kontakt.dk", "Kontakt ApS", "24256790").await;
    let ad = fixtures::published(
        &app,
        &company,
        content("Lagerchef", "Vi søger en lagerchef.", "751"),
    )
    .await;
    let application = seeker_applies(&app, "ole@example.com", ad).await;
    app.login("hr@kontakt.dk", PASSWORD).await;
    let page = app
        .get(&format!("/employer/applications/{application}"))
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text());
    assert!(page.contains("Contact the applicant"), "{}", page.text());
    assert!(
        page.contains("E-mail address ole@example.com"),
        "{}",
        page.text()
    );
    assert!(page.contains("Phone +45 20 30 40 50"), "{}", page.text());
    let mailto = scraper::Selector::parse("a[href='mailto:ole@example.com']").unwrap();
    assert!(page.document().select(&mailto).next().is_some());

    // The line under the name says each thing once.
    let on = today(jobboard::i18n::Lang::En);
    assert!(
        page.contains(&format!("Lagerchef · Received {on} · Status: Received")),
        "{}",
        page.text()
    );
    let hint = "Only your company's members see notes; the applicant does not.";
    assert_eq!(page.text().matches(hint).count(), 1, "the notes hint once");

    in_danish(&app).await;
    let page = app
        .get(&format!("/employer/applications/{application}"))
        .await;
    assert!(page.contains("Kontakt ansøgeren") && page.contains("Telefon +45 20 30 40 50"));
    assert!(page.contains(&format!("Modtaget {}", today(jobboard::i18n::Lang::Da))));
});

story!(withdrawing_an_application_asks_first, |app| {
    let company = company_with_member(&app, "hr@fortryd.dk", "Fortryd ApS", "24256790").await;
    let ad = fixtures::published(
        &app,
        &company,
        content("Tømrer", "Vi søger en tømrer.", "751"),
    )
    .await;
    let application = seeker_applies(&app, "per@example.com", ad).await;
    app.login("per@example.com", PASSWORD).await;
    let list = app.get("/applications").await;
    assert!(
        !list.has_form("Withdraw application — Tømrer"),
        "not one click"
    );
    let confirm = app.get(&list.link("Withdraw application — Tømrer")).await;
    assert_eq!(confirm.heading(), "Withdraw your application?");
    assert!(
        confirm.contains("You are about to withdraw your application for “Tømrer” at Fortryd ApS.")
    );
    assert!(confirm.contains("This cannot be undone"));

    // Changing one's mind keeps the application.
    let back = app.get(&confirm.link("No, keep my application")).await;
    assert_eq!(back.heading(), "My applications");
    assert!(back.contains("Tømrer · Fortryd ApS"));
    // A post without the confirmation (an old form, a forged click) only shows the question.
    let response = app
        .client
        .post(app.url(&format!("/applications/{application}/withdraw")))
        .form(&[("csrf", confirm_token(&confirm).as_str())])
        .send()
        .await
        .unwrap();
    let page = Page::from(response).await;
    assert_eq!(page.heading(), "Withdraw your application?");

    let done = crate::applications::withdraw(&app, "Tømrer").await;
    assert!(done.contains("Your application has been withdrawn and deleted."));
    in_danish(&app).await;
    let page = app.get("/applications").await;
    assert!(
        page.contains("Du har ikke søgt nogen job endnu."),
        "{}",
        page.text()
    );
});

/// The CSRF token of a page's forms.
fn confirm_token(page: &Page) -> String {
    let doc = page.document();
    let input = scraper::Selector::parse("input[name=csrf]").unwrap();
    doc.select(&input)
        .next()
        .and_then(|i| i.value().attr("value").map(str::to_string))
        .expect("a CSRF token")
}

story!(
    a_draft_saves_incomplete_and_review_checks_everything,
    |app| {
        app.registered_employer("hr@kladde.dk", "Kladde ApS", "24256790")
            .await;
        app.login("hr@kladde.dk", PASSWORD).await;
        let page = app.get("/employer/ads/new").await;
        let blank = page.form("Save draft").submit(&app).await;
        assert_eq!(
            blank.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "a title at least"
        );
        assert!(blank.field_error("Job title").is_some());

        let page = page
            .form("Save draft")
            .fill("Job title", "Pædagog i vuggestue")
            .fill("Working time", "part")
            .fill("Lowest salary", "abc")
            .submit(&app)
            .await;
        assert_eq!(
            page.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "a mistake is still a mistake"
        );
        assert!(page.field_error("Lowest salary").is_some());
        assert!(
            page.field_error("Description").is_none(),
            "not written yet is fine"
        );
        let page = page
            .form("Save draft")
            .fill("Lowest salary", "")
            .submit(&app)
            .await;
        assert!(
            page.contains("The ad is saved as a draft."),
            "{}",
            page.text()
        );
        let manage = page.path().to_string();
        assert!(page.contains("Salary not given yet"), "{}", page.text());

        // Review needs everything: nothing is submitted, the form says what is missing.
        let refused = page.form("Submit for review").submit(&app).await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            refused.contains("The ad is not complete yet."),
            "{}",
            refused.text()
        );
        for field in ["Description", "Occupation", "Municipality", "Lowest salary"] {
            assert!(refused.field_error(field).is_some(), "{field} is marked");
        }
        assert_eq!(
            refused.field_error("Hours per week").as_deref(),
            Some("For a part-time job, enter the hours per week.")
        );
        assert_eq!(
            refused.field_value("Job title").as_deref(),
            Some("Pædagog i vuggestue")
        );
        let page = app.get(&manage).await;
        assert!(page.has_form("Submit for review"), "still a draft");

        let page = refused
            .form("Save draft")
            .fill(
                "Description",
                "Vi søger en glad pædagog til vores vuggestue i Aarhus.",
            )
            .fill("Occupation", "nurse")
            .fill("Municipality", "751")
            .fill("Lowest salary", "30000")
            .fill("Highest salary", "36000")
            .fill("Hours per week", "30")
            .submit(&app)
            .await;
        assert!(
            page.contains("The ad is saved as a draft."),
            "{}",
            page.text()
        );
        let page = page.form("Submit for review").submit(&app).await;
        assert!(
            page.contains("The ad is submitted for review."),
            "{}",
            page.text()
        );

        in_danish(&app).await;
        let page = app.get("/employer/ads/new").await;
        let page = page
            .form("Gem kladde")
            .fill("Jobtitel", "Kok i kantine")
            .submit(&app)
            .await;
        let refused = page.form("Send til godkendelse").submit(&app).await;
        assert!(
            refused.contains("Opslaget er ikke færdigt endnu."),
            "{}",
            refused.text()
        );
    }
);

story!(
    registering_from_log_in_to_apply_comes_back_to_the_ad,
    |app| {
        let company = fixtures::company(&app, "Vejen Tilbage ApS", "10000009").await;
        let ad = fixtures::published(
            &app,
            &company,
            content(
                "Sygeplejerske til natholdet",
                "Vi søger en sygeplejerske.",
                "751",
            ),
        )
        .await;
        let page = app.get(&format!("/jobs/{ad}")).await;
        let login = app.get(&page.link("Log in as a job seeker to apply")).await;
        assert_eq!(login.heading(), "Log in");
        let to_register = scraper::Selector::parse("main a[href^='/register?next=']").unwrap();
        let href = login
            .document()
            .select(&to_register)
            .next()
            .and_then(|a| a.value().attr("href").map(str::to_string))
            .expect("a Register link that keeps where the visitor was going");
        let register = app.get(&href).await;
        let page = register
            .form("Create account")
            .fill("Your name", "Nina Ny")
            .fill("E-mail address", "nina@example.com")
            .fill("New password", PASSWORD)
            .submit(&app)
            .await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.text());
        let mail = app
            .mail("nina@example.com", "Verify your e-mail address")
            .await;
        let page = app.get(&mail.link("/verify-email")).await;
        let page = page.form("Verify my e-mail address").submit(&app).await;
        assert_eq!(page.path(), "/login");
        assert!(page.contains("Your e-mail address is verified"));
        let page = page
            .form("Log in")
            .fill("E-mail address", "nina@example.com")
            .fill("Password", PASSWORD)
            .submit(&app)
            .await;
        assert_eq!(page.path(), format!("/jobs/{ad}/apply"), "back at the ad");
        assert!(
            page.heading().contains("Sygeplejerske til natholdet"),
            "{}",
            page.heading()
        );
    }
);

story!(each_role_lands_on_its_start_page_with_next_steps, |app| {
    app.registered_seeker("start@example.com").await;
    let page = app.login("start@example.com", PASSWORD).await;
    assert_eq!(page.path(), "/");
    assert!(page.contains("Welcome, Test Seeker"), "{}", page.text());
    for step in [
        "Complete your profile",
        "Upload your CV",
        "Get new jobs by e-mail",
        "See your applications",
    ] {
        assert!(!page.link(step).is_empty());
    }
    app.logout().await;

    app.registered_employer("start@firma.dk", "Start ApS", "24256790")
        .await;
    let page = app.login("start@firma.dk", PASSWORD).await;
    assert_eq!(page.path(), "/employer/ads");
    assert!(page.contains("Getting started"), "{}", page.text());
    assert_eq!(
        page.link("Write your first job ad; save it as a draft whenever you like."),
        "/employer/ads/new"
    );
    app.logout().await;

    jobboard::accounts::cli::create_operator(&app.state.db, "start-ops@example.com", PASSWORD)
        .await
        .unwrap();
    let page = app.login("start-ops@example.com", PASSWORD).await;
    assert_eq!(page.path(), "/operator");
    app.logout().await;

    app.login("start@example.com", PASSWORD).await;
    in_danish(&app).await;
    let page = app.get("/").await;
    assert!(
        page.contains("Velkommen, Test Seeker") && page.contains("Udfyld din profil"),
        "{}",
        page.text()
    );
});

/// Phone, date, URL and number fields look like every other text field (the stylesheet as a
/// browser applies it).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn phone_date_and_url_inputs_are_styled_like_text_inputs() {
    let env = TestEnv::new(Backend::Sqlite).await;
    let app = TestApp::start(env, Options::default()).await;
    let browser = crate::browser::Browser::start().await;
    browser.goto(&app.url("/")).await;
    let styles = browser
        .eval(
            "const form = document.createElement('form');
             for (const kind of ['text', 'tel', 'date', 'url', 'number']) {
               const field = document.createElement('div');
               field.className = 'field';
               const input = document.createElement('input');
               input.type = kind;
               input.id = 'probe-' + kind;
               field.appendChild(input);
               form.appendChild(field);
             }
             document.querySelector('main').appendChild(form);
             const look = kind => {
               const s = getComputedStyle(document.getElementById('probe-' + kind));
               return [s.borderTopWidth, s.borderTopColor, s.borderTopLeftRadius, s.paddingLeft, s.width].join(' ');
             };
             return ['text', 'tel', 'date', 'url', 'number'].map(look);",
        )
        .await;
    let styles: Vec<&str> = styles
        .as_array()
        .expect("a list")
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    for (kind, style) in ["tel", "date", "url", "number"].iter().zip(&styles[1..]) {
        assert_eq!(*style, styles[0], "{kind} looks like text");
    }
}

story!(
    places_match_without_nordic_letters_and_suggest_the_nearest,
    |app| {
        let company = fixtures::company(&app, "Stednavn ApS", "10000009").await;
        fixtures::published(
            &app,
            &company,
            content(
                "Bager i Aarhus",
                "Vi søger en bager til vores bageri.",
                "751",
            ),
        )
        .await;
        search_until(&app, "q=bager", "1 job").await;
        for typed in ["Arhus", "Århus", "aarhus"] {
            let page = app.get(&format!("/jobs?q=bager&near={typed}")).await;
            assert_eq!(page.status, StatusCode::OK, "{typed}: {}", page.text());
            assert!(page.contains("1 job"), "{typed}: {}", page.text());
        }
        let page = app.get("/jobs?q=bager&near=Aarhsu").await;
        assert_eq!(page.status, StatusCode::BAD_REQUEST);
        assert!(
            page.contains("We do not know the place “Aarhsu”. Did you mean Aarhus"),
            "{}",
            page.text()
        );
        assert_eq!(
            page.field_value("Near (municipality)").as_deref(),
            Some("Aarhsu"),
            "what was typed stays"
        );
        let page = app.get(&page.link("Aarhus")).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.contains("1 job"), "{}", page.text());
        assert_eq!(page.field_value("What").as_deref(), Some("bager"));

        in_danish(&app).await;
        let page = app.get("/jobs?near=Odens").await;
        assert!(
            page.contains("Vi kender ikke stedet “Odens”. Mente du Odense"),
            "{}",
            page.text()
        );
    }
);

story!(the_privacy_centre_speaks_in_words, |app| {
    app.registered_seeker("ord@example.com").await;
    app.login("ord@example.com", PASSWORD).await;
    let page = app.get("/profile").await;
    page.form("Save profile")
        .check("Registered nurse")
        .check("Aarhus")
        .check("København")
        .check("Permanent")
        .submit(&app)
        .await;
    let page = app
        .get("/jobs?q=udvikler&occupation=backend-developer&employment-type=permanent")
        .await;
    let page = page
        .form("Create job alert")
        .fill("How often", "weekly")
        .submit(&app)
        .await;
    assert!(page.contains("Your job alert is saved"), "{}", page.text());

    let centre = app.get("/account/privacy").await;
    let text = centre.text();
    for shown in [
        "Municipalities of interest Aarhus, København",
        "Occupations of interest Registered nurse",
        "Employment types of interest Permanent",
        "Language English",
        "Consent to showing the photo Not given",
        "Backend developer",
        "This browser",
        "Last used",
    ] {
        assert!(
            text.contains(shown),
            "the centre does not show {shown:?}:\n{text}"
        );
    }
    for code in [
        "101",
        "751",
        "backend-developer",
        "Language en",
        "Consent to showing the photo None",
    ] {
        assert!(
            !text.contains(code),
            "the centre shows the code {code:?}:\n{text}"
        );
    }

    in_danish(&app).await;
    let text = app.get("/account/privacy").await.text();
    for shown in [
        "Aarhus, København",
        "Sygeplejerske",
        "Fastansættelse",
        "Denne browser",
        "Ikke givet",
    ] {
        assert!(
            text.contains(shown),
            "the centre does not show {shown:?}:\n{text}"
        );
    }
});

story!(company_mails_say_why_and_reach_every_member, |app| {
    let company = company_with_member(&app, "hr@medlem.dk", "Medlem ApS", "24256790").await;
    // A second admin, added behind the scenes (the teams stories take the invitation's way).
    let mut tx = app.state.db.begin().await.unwrap();
    let colleague = jobboard::accounts::store::insert_user(
        &mut tx,
        &jobboard::accounts::store::NewUser {
            email: "kollega@medlem.dk",
            password_hash: "x",
            name: "Kollega",
            role: jobboard::domain::Role::Employer,
            lang: "da",
            verified: true,
        },
    )
    .await
    .unwrap();
    jobboard::accounts::store::insert_member(
        &mut tx,
        company.id,
        colleague,
        jobboard::domain::CompanyRole::Admin,
        None,
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let ad = fixtures::published(
        &app,
        &company,
        content("Chauffør", "Vi søger en chauffør.", "751"),
    )
    .await;
    seeker_applies(&app, "eva@example.com", ad).await;

    // The contact person (who has no account) is told why they get the e-mail.
    let mail = app
        .mail("kirsten@kontakt.example.com", "Ny ansøgning")
        .await;
    assert!(
        !mail.text.contains("din jobboard-konto") && !mail.text.contains("jobboard account"),
        "{}",
        mail.text
    );
    assert!(
        mail.text.contains("kontaktperson på et jobopslag"),
        "{}",
        mail.text
    );

    // The applicant erases the account: everyone at the company who had it is told.
    app.login("eva@example.com", PASSWORD).await;
    let page = app.get("/account/privacy/erase").await;
    let page = page
        .form("Erase my account now")
        .fill("Your password, to confirm", PASSWORD)
        .submit(&app)
        .await;
    assert!(
        page.contains("People at the companies told that your application was erased: 3."),
        "{}",
        page.text()
    );
    let contact = app.mail("kirsten@kontakt.example.com", "er slettet").await;
    assert!(contact.text.contains("kontaktperson"), "{}", contact.text);
    for (member, subject, footer) in [
        (
            "hr@medlem.dk",
            "was erased",
            "member of a company that received the application",
        ),
        (
            "kollega@medlem.dk",
            "er slettet",
            "medlem af en virksomhed, der har modtaget ansøgningen",
        ),
    ] {
        let told = app.mail(member, subject).await;
        assert!(told.text.contains("Chauffør"), "{}", told.text);
        assert!(told.text.contains(footer), "{}", told.text);
        assert!(!told.text.contains("eva@example.com"), "without the person");
    }
});

story!(the_demo_shows_every_feature, |app| {
    use jobboard::demo::{self, DEMO_PASSWORD, DemoOptions};
    let options = DemoOptions {
        companies: 4,
        ads: 40,
        seekers: 10,
        seed: 1,
    };
    demo::fill_and_index(&app.state, options).await.unwrap();

    // The README's example search finds nurses near Aarhus.
    let found = app
        .client
        .get(app.url("/api/v1/search?q=sygeplejerske&near=Aarhus&radius-km=30"))
        .send()
        .await
        .unwrap()
        .json::<serde_json::Value>()
        .await
        .unwrap();
    assert!(found["total"].as_u64().unwrap() >= 2, "{found}");
    let page = app.get("/jobs?q=sygeplejerske").await;
    assert!(
        page.contains("Sygeplejerske til akutmodtagelsen"),
        "{}",
        page.text()
    );

    // A demo login says that the account's language (Danish) now applies.
    let page = app.login("operator@example.com", DEMO_PASSWORD).await;
    assert!(
        page.contains("jobboard vises på dansk, som er din kontos sprog. Vælg English øverst på siden for at skifte."),
        "{}",
        page.text()
    );
    let queue = app.get("/operator/moderation").await;
    assert!(
        queue.contains("Specialsygeplejerske til intensiv"),
        "{}",
        queue.text()
    );
    let requests = app.get("/operator/privacy-requests").await;
    assert!(
        requests.contains("former.customer@example.com"),
        "{}",
        requests.text()
    );
    app.get("/").await.form("English").submit(&app).await;
    // The audit log has the demo operator's looks at the demo seeker's data.
    let log = app.get("/operator/audit").await;
    assert!(
        log.contains("Opened an application") && log.contains("Blocked the account"),
        "{}",
        log.text()
    );
    app.get("/account").await.form("Log out").submit(&app).await;

    app.login("employer@example.com", DEMO_PASSWORD).await;
    app.get("/").await.form("English").submit(&app).await;
    let inbox = app.get("/employer/applications").await;
    for status in [
        "Received",
        "Shortlisted",
        "Interview",
        "Offer",
        "Hired",
        "Rejected",
    ] {
        assert!(
            inbox.contains(status),
            "no application at {status}:\n{}",
            inbox.text()
        );
    }
    // The demo company has a page with its logo, and its ads have 30 days of statistics.
    let company = app.get("/companies/nordlys-demo-aps").await;
    assert!(
        company.contains("klinikker og hjemmepleje"),
        "{}",
        company.text()
    );
    assert!(company.body.contains("/companies/nordlys-demo-aps/logo/"));
    let ad = company.link("Sygeplejerske til akutmodtagelsen");
    let csv = app
        .get(&format!(
            "/employer/ads/{}/statistics.csv",
            ad.trim_start_matches("/jobs/")
        ))
        .await;
    assert_eq!(csv.body.lines().count(), 31, "{}", csv.body);
    // The demo company is a team: a recruiter, and an invitation still open.
    let team = app.get("/employer/team").await;
    for shown in [
        "Mette Rekrutter",
        jobboard::teams::demo::RECRUITER_EMAIL,
        "new.colleague@example.com",
    ] {
        assert!(
            team.contains(shown),
            "no {shown} on the team page:\n{}",
            team.text()
        );
    }
    app.get("/account").await.form("Log out").submit(&app).await;

    // The recruiter works on the first showcase ad only.
    app.login(jobboard::teams::demo::RECRUITER_EMAIL, DEMO_PASSWORD)
        .await;
    app.get("/").await.form("English").submit(&app).await;
    let ads = app.get("/employer/ads").await;
    assert!(
        ads.contains("Sygeplejerske til akutmodtagelsen")
            && !ads.contains("Sygeplejerske, nattevagt"),
        "{}",
        ads.text()
    );
    assert_eq!(
        app.get("/employer/team").await.status,
        StatusCode::FORBIDDEN
    );
    app.get("/account").await.form("Log out").submit(&app).await;

    // The demo seeker applied too, and sees where the application stands.
    app.login("seeker@example.com", DEMO_PASSWORD).await;
    let page = app.get("/applications").await;
    assert!(
        page.contains("Sygeplejerske til akutmodtagelsen"),
        "{}",
        page.text()
    );
});
