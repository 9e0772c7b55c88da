//! Billing: an employer sees the price, orders, and gets the invoice (PDF and Peppol UBL) by
//! e-mail and on the dashboard, never another company's; numbers are consecutive and gap-free
//! under concurrent orders from several connections and nodes; credit notes, payments from a
//! bank CSV (with a wrong amount and an unknown reference), reminders on the right dates with a
//! controlled clock, the bookkeeping export, featured ads first, the 5-year retention rule, and
//! erasure that keeps the invoice and removes the person from everything else.

use jobboard::{
    billing::{
        self,
        store::{self, NewOrder},
    },
    calendar,
    i18n::Lang,
};
use reqwest::StatusCode;
use time::{Date, Duration};

use crate::fixtures::{self, content};
use crate::helpers::*;
use crate::story;

const OPERATOR: &str = "billing-ops@example.com";
const EMPLOYER: &str = "hr@nordlys-billing.example.com";
const CVR: &str = "10150817";
const OTHER: &str = "hr@other-billing.example.com";
const OTHER_CVR: &str = "12345674";

/// Logs an operator in on a browser of its own.
async fn operator(app: &TestApp) -> TestBrowser {
    jobboard::accounts::cli::create_operator(&app.state.db, OPERATOR, PASSWORD)
        .await
        .unwrap();
    let browser = app.other_browser();
    let page = browser
        .get("/login")
        .await
        .form("Log in")
        .fill("E-mail address", OPERATOR)
        .fill("Password", PASSWORD)
        .submit_with(&browser.client)
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text());
    browser
}

/// The operator sets up the three products through the editor.
async fn products(app: &TestApp, ops: &TestBrowser) {
    for (code, kind, en, da, price, featured, ads, months) in [
        (
            "standard",
            "listing",
            "Standard ad, 30 days",
            "Standardannonce, 30 dage",
            "4995",
            "",
            "",
            "",
        ),
        (
            "featured",
            "featured",
            "Featured ad, 30 days",
            "Fremhævet annonce, 30 dage",
            "7995",
            "14",
            "",
            "",
        ),
        (
            "package-5",
            "package",
            "Package of 5 ads",
            "Pakke med 5 annoncer",
            "19995",
            "",
            "5",
            "12",
        ),
    ] {
        let page = ops.get("/operator/billing/products").await;
        let page = page
            .form("Add product")
            .fill("Code", code)
            .fill("Name in English", en)
            .fill("Name in Danish", da)
            .fill("Price excl. VAT (kr.)", price)
            .fill("Days featured (featured ads)", featured)
            .fill("Ads in the package (packages)", ads)
            .fill("Months the package is valid (packages)", months)
            .set("kind", kind)
            .submit_with(&ops.client)
            .await;
        assert!(page.contains("The product is saved."), "{}", page.text());
    }
    let _ = app;
}

async fn company_id(app: &TestApp, cvr: &str) -> i64 {
    jobboard::db_run!(pool & app.state.db, |p| sqlx::query_scalar(
        "SELECT id FROM companies WHERE cvr = $1"
    )
    .bind(cvr)
    .fetch_one(p)
    .await)
    .unwrap()
}

async fn user_id(app: &TestApp, email: &str) -> i64 {
    jobboard::db_run!(pool & app.state.db, |p| sqlx::query_scalar(
        "SELECT id FROM users WHERE email = $1"
    )
    .bind(email)
    .fetch_one(p)
    .await)
    .unwrap()
}

/// A registered, logged-in employer with billing details and a complete draft ad.
async fn employer_with_draft(app: &TestApp, email: &str, company: &str, cvr: &str) -> i64 {
    app.registered_employer(email, company, cvr).await;
    app.login(email, PASSWORD).await;
    let page = app.get("/employer/billing/details").await;
    let page = page
        .form("Save billing details")
        .fill(
            "Billing e-mail address",
            &format!("faktura@{cvr}.example.com"),
        )
        .fill("Street and number", "Søndergade 7")
        .fill("Postcode", "8000")
        .fill("City", "Aarhus C")
        .fill(
            "EAN number (public-sector buyers, optional)",
            "5798000416604",
        )
        .fill("Your order reference (optional)", "PO-4711")
        .submit(app)
        .await;
    assert!(
        page.contains("Your billing details are saved."),
        "{}",
        page.text()
    );
    let company = company_id(app, cvr).await;
    let user = user_id(app, email).await;
    jobboard::ads::lifecycle::create_draft(
        &app.state,
        company,
        user,
        &content(
            "Sygeplejerske til Århus",
            "Vi søger en sygeplejerske til vores afdeling i Aarhus, fast stilling.",
            "751",
        ),
    )
    .await
    .unwrap()
}

fn attachments(mail: &Mail) -> Vec<(String, Vec<u8>)> {
    use mail_parser::MimeHeaders;
    let message = mail_parser::MessageParser::default()
        .parse(mail.raw.as_bytes())
        .unwrap();
    message
        .attachments()
        .map(|a| {
            (
                a.attachment_name().unwrap_or_default().to_string(),
                a.contents().to_vec(),
            )
        })
        .collect()
}

pub fn pdf_text(bytes: &[u8]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("doc.pdf");
    std::fs::write(&path, bytes).unwrap();
    let out = std::process::Command::new("pdftotext")
        .args(["-layout", path.to_str().unwrap(), "-"])
        .output()
        .expect("pdftotext (poppler-utils) is installed");
    assert!(out.status.success());
    String::from_utf8(out.stdout).unwrap()
}

/// The outside validator (PyPI `peppol-ubl-validate`: OASIS UBL 2.1 XSD and the Peppol BIS
/// Billing 3.0 rules).
fn assert_valid_ubl(bytes: &[u8]) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("doc.xml");
    std::fs::write(&path, bytes).unwrap();
    let out = std::process::Command::new("python3")
        .args(["-m", "peppol.cli"])
        .arg(&path)
        .env("NO_COLOR", "1")
        .output()
        .expect("python3");
    let report = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && report.contains("PASS"),
        "refused by peppol-ubl-validate:\n{report}\n{}\n{}",
        String::from_utf8_lossy(&out.stderr),
        String::from_utf8_lossy(bytes)
    );
}

story!(
    an_employer_sees_the_price_orders_and_gets_the_invoice,
    |app| {
        let ops = operator(&app).await;
        products(&app, &ops).await;
        let ad = employer_with_draft(&app, EMPLOYER, "Nordlys Sø A/S", CVR).await;

        // Submitting a paid ad goes to the checkout, which shows the price before anything is
        // ordered.
        let page = app.get(&format!("/employer/ads/{ad}")).await;
        let page = page.form("Submit for review").submit(&app).await;
        assert_eq!(page.path(), format!("/employer/billing/checkout/{ad}"));
        assert!(page.contains("DKK 4,995.00"), "{}", page.text());
        assert!(
            page.contains("DKK 6,243.75"),
            "VAT included: {}",
            page.text()
        );
        assert_eq!(
            store::invoice_numbers(&app.state.db).await.unwrap(),
            Vec::<i64>::new()
        );

        let page = page.form("Confirm order and submit").submit(&app).await;
        assert!(page.contains("invoice 1 is on its way"), "{}", page.text());
        assert_eq!(page.path(), format!("/employer/ads/{ad}"));

        // The invoice goes to the billing address with its PDF and UBL.
        let mail = app.mail(&format!("faktura@{CVR}.example.com"), "1").await;
        let files = attachments(&mail);
        let names: Vec<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["invoice-1.pdf", "invoice-1.xml"]);
        let text = pdf_text(&files[0].1);
        for expected in [
            "FAKTURA",
            "Nordlys Sø A/S",
            "Søndergade 7",
            "DK10150817",
            "Sygeplejerske",
            "Århus",
            "4.995,00",
            "1.248,75",
            "6.243,75",
            "25 %",
            "PO-4711",
        ] {
            assert!(
                text.contains(expected),
                "{expected:?} not in the PDF:\n{text}"
            );
        }
        assert_valid_ubl(&files[1].1);

        // The dashboard lists it with both downloads; the status is "paying customer".
        let page = app.get("/employer/billing").await;
        assert!(page.contains("Paying customer"), "{}", page.text());
        assert!(page.contains("DKK 6,243.75"));
        let pdf = app
            .client
            .get(app.url("/employer/billing/documents/1/pdf"))
            .send()
            .await
            .unwrap();
        assert_eq!(pdf.status(), StatusCode::OK);
        assert_eq!(pdf.headers()["content-type"], "application/pdf");
        let ubl = app
            .client
            .get(app.url("/employer/billing/documents/1/ubl"))
            .send()
            .await
            .unwrap();
        assert_valid_ubl(&ubl.bytes().await.unwrap());

        // Another company sees none of it, and its URLs answer 404.
        app.logout().await;
        app.registered_employer(OTHER, "Anden Virksomhed ApS", OTHER_CVR)
            .await;
        app.login(OTHER, PASSWORD).await;
        let page = app.get("/employer/billing").await;
        assert!(page.contains("No invoices yet."), "{}", page.text());
        assert!(!page.contains("6,243.75"));
        for format in ["pdf", "ubl"] {
            let page = app
                .get(&format!("/employer/billing/documents/1/{format}"))
                .await;
            assert_eq!(page.status, StatusCode::NOT_FOUND);
        }
        // Operators only on the operator pages.
        assert_eq!(
            app.get("/operator/billing").await.status,
            StatusCode::FORBIDDEN
        );
    }
);

story!(a_featured_ad_comes_first_and_is_marked, |app| {
    let ops = operator(&app).await;
    products(&app, &ops).await;
    let company = fixtures::company(&app, "Lys ApS", "25313763").await;
    // Published before billing: an older ad that is not featured.
    let mut plain = content(
        "Udvikler i Aarhus",
        "Vi søger en udvikler med erfaring i Rust og PostgreSQL.",
        "751",
    );
    plain.occupation_id = "software-developer".into();
    let older = fixtures::published(&app, &company, plain).await;
    let ad = employer_with_draft(&app, EMPLOYER, "Nordlys Sø A/S", CVR).await;
    let page = app.get(&format!("/employer/ads/{ad}")).await;
    let page = page.form("Submit for review").submit(&app).await;
    let featured = jobboard::db_run!(pool & app.state.db, |p| sqlx::query_scalar::<_, i64>(
        "SELECT id FROM billing_products WHERE code = 'featured'"
    )
    .fetch_one(p)
    .await)
    .unwrap();
    let page = page
        .form("Confirm order and submit")
        .set("product", &featured.to_string())
        .submit(&app)
        .await;
    assert!(page.contains("is on its way"), "{}", page.text());
    let operator_id = user_id(&app, OPERATOR).await;
    jobboard::ads::lifecycle::approve(&app.state, ad, operator_id)
        .await
        .unwrap();
    // Newest first would put the featured ad first anyway; by deadline it would not, but it
    // still comes first.
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(15);
    loop {
        let page = app.get("/jobs?sort=deadline").await;
        let order: Vec<String> = page
            .document()
            .select(&scraper::Selector::parse(".result h2 a").unwrap())
            .map(|a| a.value().attr("href").unwrap_or_default().to_string())
            .collect();
        if order.len() == 2 {
            assert_eq!(order, [format!("/jobs/{ad}"), format!("/jobs/{older}")]);
            assert!(page.contains("Featured"), "{}", page.text());
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "both ads indexed: {order:?}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
});

/// Places an order for company `company` in a transaction of its own.
async fn order(state: &jobboard::state::AppState, company: i64, product: &store::Product) -> i64 {
    let buyer = billing::buyer(state, company, "HR", "hr@example.com")
        .await
        .unwrap();
    let mut tx = state.db.begin().await.unwrap();
    let placed = billing::place_order(
        state,
        &mut tx,
        &NewOrder {
            company_id: company,
            ordered_by: None,
            product,
            description: "Standardannonce".into(),
            ad_id: None,
            from_package: false,
            today: calendar::today(),
        },
        &buyer,
        Lang::Da,
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    placed.invoice.unwrap().number
}

async fn standard_product(app: &TestApp, price_ore: i64) -> store::Product {
    let id = store::save_product(
        &app.state.db,
        None,
        &store::ProductInput {
            code: format!("standard-{price_ore}"),
            kind: "listing".into(),
            name_en: "Standard ad".into(),
            name_da: "Standardannonce".into(),
            price_ore,
            vat_rate_bp: 2500,
            listing_days: 30,
            active: true,
            ..Default::default()
        },
    )
    .await
    .unwrap();
    store::product(&app.state.db, id).await.unwrap().unwrap()
}

story!(
    concurrent_orders_on_two_nodes_get_consecutive_numbers,
    |app| {
        let company = fixtures::company(&app, "Travl ApS", "25313763").await;
        let product = standard_product(&app, 499_500).await;
        // A second node on the same database (its own pool, so its own connections).
        let other = TestApp::start(app.env.same_database_other_node(), Options::default()).await;
        // A transaction that takes a number and rolls back leaves no gap.
        {
            let buyer = billing::buyer(&app.state, company.id, "HR", "hr@example.com")
                .await
                .unwrap();
            let mut tx = app.state.db.begin().await.unwrap();
            billing::place_order(
                &app.state,
                &mut tx,
                &NewOrder {
                    company_id: company.id,
                    ordered_by: None,
                    product: &product,
                    description: "rolled back".into(),
                    ad_id: None,
                    from_package: false,
                    today: calendar::today(),
                },
                &buyer,
                Lang::Da,
            )
            .await
            .unwrap();
            drop(tx);
        }
        // 16 clients at once, 8 on each node (as many as a node's pool has connections, so each
        // waits on the series' row lock, not for a connection), 40 orders between them.
        let mut tasks = Vec::new();
        for client in 0..16 {
            let state = if client % 2 == 0 {
                app.state.clone()
            } else {
                other.state.clone()
            };
            let product = product.clone();
            let company = company.id;
            let share = if client < 8 { 3 } else { 2 };
            tasks.push(tokio::spawn(async move {
                let mut numbers = Vec::new();
                for _ in 0..share {
                    numbers.push(order(&state, company, &product).await);
                }
                numbers
            }));
        }
        let mut numbers = Vec::new();
        for task in tasks {
            numbers.extend(task.await.unwrap());
        }
        numbers.sort_unstable();
        assert_eq!(numbers, (1..=40).collect::<Vec<i64>>());
        assert_eq!(
            store::invoice_numbers(&app.state.db).await.unwrap(),
            (1..=40).collect::<Vec<i64>>()
        );
        // The database refuses to change an issued invoice.
        let changed = jobboard::db_run!(pool & app.state.db, |p| sqlx::query(
            "UPDATE invoices SET total_ore = 1 WHERE number = 1"
        )
        .execute(p)
        .await
        .map(|r| r.rows_affected()));
        assert!(changed.is_err(), "an issued invoice was changed");
        other.stop().await;
    }
);

story!(
    payments_from_a_bank_csv_are_matched_with_a_review_step,
    |app| {
        let company = fixtures::company(&app, "Betaler ApS", "25313763").await;
        let product = standard_product(&app, 100_000).await;
        for _ in 0..3 {
            order(&app.state, company.id, &product).await;
        }
        let ops = operator(&app).await;
        let page = ops.get("/operator/billing/bank").await;
        let action = page.upload_action();
        let statement = "Dato;Beløb;Tekst\n\
                     01-12-2026;1.250,00;Faktura 1 Betaler ApS\n\
                     02-12-2026;1.000,00;Betaling faktura 2\n\
                     03-12-2026;999,00;Ukendt indbetaling\n\
                     04-12-2026;-50,00;Gebyr\n";
        let upload = || {
            reqwest::multipart::Form::new().part(
                "statement",
                reqwest::multipart::Part::bytes(statement.as_bytes().to_vec())
                    .file_name("statement.csv")
                    .mime_str("text/csv")
                    .unwrap(),
            )
        };
        let page = Page::from(
            ops.client
                .post(app.url(&action))
                .multipart(upload())
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert!(
            page.contains("1 payments booked, 2 lines to review, 0 already booked before."),
            "{}",
            page.text()
        );
        assert!(
            page.contains("The amount differs from what is owed"),
            "{}",
            page.text()
        );
        assert!(page.contains("No invoice matches the text"));
        // The same statement again books nothing twice.
        let again = Page::from(
            ops.client
                .post(app.url(&action))
                .multipart(upload())
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert!(again.contains("0 payments booked"), "{}", again.text());

        let summary = |number: i64| {
            let db = app.state.db.clone();
            async move {
                let i = store::invoice_by_number(&db, number)
                    .await
                    .unwrap()
                    .unwrap();
                store::invoice_summary(&db, i.id).await.unwrap().unwrap()
            }
        };
        let today = calendar::today();
        assert_eq!(summary(1).await.status(today).as_str(), "paid");
        assert_eq!(summary(2).await.status(today).as_str(), "open");

        // Book the wrong amount anyway (partly paid), dismiss the unknown one.
        let lines = store::open_review_lines(&app.state.db).await.unwrap();
        let wrong = lines.iter().find(|l| l.problem == "wrong_amount").unwrap();
        let unknown = lines
            .iter()
            .find(|l| l.problem == "unknown_reference")
            .unwrap();
        let page = ops.get("/operator/billing/bank").await;
        let form_page = page.body.clone();
        assert!(form_page.contains(&format!("/operator/billing/bank/{}/book", wrong.id)));
        let csrf = page
            .document()
            .select(&scraper::Selector::parse("input[name=csrf]").unwrap())
            .next()
            .unwrap()
            .value()
            .attr("value")
            .unwrap()
            .to_string();
        let booked = ops
            .client
            .post(app.url(&format!("/operator/billing/bank/{}/book", wrong.id)))
            .form(&[("csrf", csrf.as_str()), ("invoice", "")])
            .send()
            .await
            .unwrap();
        assert!(booked.status().is_success());
        let dismissed = ops
            .client
            .post(app.url(&format!("/operator/billing/bank/{}/dismiss", unknown.id)))
            .form(&[("csrf", csrf.as_str())])
            .send()
            .await
            .unwrap();
        assert!(dismissed.status().is_success());
        assert!(
            store::open_review_lines(&app.state.db)
                .await
                .unwrap()
                .is_empty()
        );
        assert_eq!(summary(2).await.status(today).as_str(), "partly-paid");
        assert_eq!(summary(2).await.outstanding().ore(), 25_000);
        assert_eq!(summary(3).await.status(today).as_str(), "open");
    }
);

/// Moves an invoice's due date back by issuing it on an earlier day (in the database only the
/// test may: the application never changes an issued invoice).
async fn invoice_due(
    app: &TestApp,
    company: i64,
    product: &store::Product,
    issued: Date,
    billing_email: &str,
) -> i64 {
    let buyer = billing::buyer(&app.state, company, "HR", billing_email)
        .await
        .unwrap();
    let mut tx = app.state.db.begin().await.unwrap();
    let placed = billing::place_order(
        &app.state,
        &mut tx,
        &NewOrder {
            company_id: company,
            ordered_by: None,
            product,
            description: "Standardannonce".into(),
            ad_id: None,
            from_package: false,
            today: issued,
        },
        &buyer,
        Lang::Da,
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    placed.invoice.unwrap().id
}

/// Reminders and retention only when the story runs them, at the dates it chooses.
fn manual() -> Options {
    Options::default()
        .with("JOBBOARD_BILLING_REMINDER_INTERVAL_HOURS", "0")
        .with("JOBBOARD_RETENTION_INTERVAL_HOURS", "0")
}

story!(
    reminders_go_out_on_the_right_days_at_most_three,
    manual(),
    |app| {
        let company = fixtures::company(&app, "Sen Betaler ApS", "25313763").await;
        let product = standard_product(&app, 400_000).await;
        let issued = calendar::today() - Duration::days(60);
        let id = invoice_due(&app, company.id, &product, issued, "hr@example.com").await;
        let due = issued + Duration::days(14);
        let run = |day: Date| {
            let state = app.state.clone();
            async move {
                billing::reminders::run(&state, day, false)
                    .await
                    .unwrap()
                    .sent
            }
        };
        assert_eq!(run(due).await, 0, "not overdue on its due date");
        assert_eq!(run(due + Duration::days(9)).await, 0, "not before 10 days");
        assert_eq!(run(due + Duration::days(10)).await, 1);
        assert_eq!(run(due + Duration::days(10)).await, 0, "once a day at most");
        assert_eq!(
            run(due + Duration::days(19)).await,
            0,
            "never closer than 10 days"
        );
        assert_eq!(run(due + Duration::days(21)).await, 1);
        assert_eq!(run(due + Duration::days(31)).await, 1);
        assert_eq!(
            run(due + Duration::days(60)).await,
            0,
            "never more than three"
        );
        let reminders = store::reminders_of_invoice(&app.state.db, id)
            .await
            .unwrap();
        let days: Vec<i64> = reminders
            .iter()
            .map(|r| (r.sent_on - due).whole_days())
            .collect();
        assert_eq!(days, [10, 21, 31]);
        assert!(reminders.iter().all(|r| r.fee_ore == 10_000));
        let compensation: Vec<i64> = reminders.iter().map(|r| r.compensation_ore).collect();
        assert_eq!(compensation, [31_000, 0, 0], "the compensation once");
        // 5,000 kr. at 9.6 % a year (reference rate 1.6 % + 8 %) for 10 days: 13.15 kr.
        assert_eq!(reminders[0].outstanding_ore, 500_000);
        assert_eq!(reminders[0].interest_ore, 1_315);
        let mails = app.mails_to("hr@example.com", 4).await;
        let subjects: Vec<&str> = mails.iter().map(|m| m.subject.as_str()).collect();
        assert!(subjects.contains(&"Rykker 1: faktura 1"), "{subjects:?}");
        assert!(subjects.contains(&"Rykker 3: faktura 1"), "{subjects:?}");
        let first = mails
            .iter()
            .find(|m| m.subject == "Rykker 1: faktura 1")
            .unwrap();
        assert!(first.text.contains("100,00 kr."), "{}", first.text);
        assert!(first.text.contains("310,00 kr."), "{}", first.text);
    }
);

story!(
    a_reminder_speaks_the_language_of_the_account_it_goes_to,
    manual(),
    |app| {
        // The company's employer reads English; a bookkeeping mailbox without an account gets
        // Danish, as the reminders story above shows.
        let company = fixtures::company(&app, "English Reader ApS", "25313763").await;
        let product = standard_product(&app, 100_000).await;
        let issued = calendar::today() - Duration::days(30);
        let employer = "hr@25313763.example.com";
        invoice_due(&app, company.id, &product, issued, employer).await;
        let due = issued + Duration::days(14);
        let sent = billing::reminders::run(&app.state, due + Duration::days(10), false)
            .await
            .unwrap()
            .sent;
        assert_eq!(sent, 1);
        let mails = app.mails_to(employer, 2).await;
        let subjects: Vec<&str> = mails.iter().map(|m| m.subject.as_str()).collect();
        assert!(subjects.contains(&"Reminder 1: invoice 1"), "{subjects:?}");
    }
);

story!(
    a_credit_note_fully_credits_an_invoice_and_the_export_lists_it,
    |app| {
        let company = fixtures::company(&app, "Kredit ApS", "25313763").await;
        let product = standard_product(&app, 499_500).await;
        order(&app.state, company.id, &product).await;
        let invoice = store::invoice_by_number(&app.state.db, 1)
            .await
            .unwrap()
            .unwrap();
        let ops = operator(&app).await;
        let page = ops
            .get(&format!("/operator/billing/invoices/{}", invoice.id))
            .await;
        assert!(page.contains("Open"), "{}", page.text());
        // A reason is needed.
        let refused = page
            .form("Issue credit note")
            .fill("Reason (printed on the credit note)", "")
            .submit_with(&ops.client)
            .await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            refused
                .field_error("Reason (printed on the credit note)")
                .is_some()
        );
        let page = refused
            .form("Issue credit note")
            .fill(
                "Reason (printed on the credit note)",
                "Annoncen blev trukket tilbage",
            )
            .submit_with(&ops.client)
            .await;
        assert!(
            page.contains("Credit note KN-1 is issued"),
            "{}",
            page.text()
        );
        assert!(page.contains("Credited"), "{}", page.text());
        assert!(
            !page.has_form("Issue credit note"),
            "nothing left to credit"
        );
        let summary = store::invoice_summary(&app.state.db, invoice.id)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(summary.credited_ore, summary.total_ore);
        assert_eq!(summary.outstanding().ore(), 0);

        // The credit note's documents: the PDF refers to the invoice, the UBL validates.
        let (doc, _) = billing::find_document(&app.state, "KN-1")
            .await
            .unwrap()
            .unwrap();
        let text = pdf_text(&billing::pdf::render(&doc).unwrap());
        assert!(text.contains("KREDITNOTA"), "{text}");
        assert!(
            text.contains(&format!("1 ({})", invoice.issue_date)),
            "{text}"
        );
        assert!(text.contains("6.243,75"), "{text}");
        assert_valid_ubl(&billing::ubl::render(&doc).unwrap());

        // A payment, then the export: one row per document, kroner with two decimals, ISO dates.
        let mut tx = app.state.db.begin().await.unwrap();
        store::record_payment(
            &mut tx,
            invoice.id,
            billing::domain::Money(100_050),
            calendar::today(),
            "ref",
            "manual",
            None,
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        let csv = ops.get("/operator/billing/export.csv").await.body;
        let today = calendar::today();
        let rows: Vec<&str> = csv.lines().collect();
        assert_eq!(
            rows[0],
            "kind,number,date,company_cvr,net_dkk,vat_dkk,total_dkk,status,refers_to"
        );
        assert!(
            rows.contains(
                &format!("invoice,1,{today},25313763,4995.00,1248.75,6243.75,credited,").as_str()
            ),
            "{csv}"
        );
        assert!(
            rows.contains(
                &format!("credit-note,KN-1,{today},25313763,4995.00,1248.75,6243.75,issued,1")
                    .as_str()
            ),
            "{csv}"
        );
        assert!(
            rows.iter().any(|r| r.starts_with("payment,P-")
                && r.ends_with(&format!(",{today},25313763,,,1000.50,received,1"))),
            "{csv}"
        );

        // The same from the command line (INTERFACE.md).
        let env = app.stop().await;
        let run = |args: &[&str]| {
            std::process::Command::new(env!("CARGO_BIN_EXE_jobboard"))
                .args(args)
                .env("DATABASE_URL", &env.database_url)
                .env("JOBBOARD_DATA_DIR", env.data_path())
                .env("JOBBOARD_MASTER_KEY", "5e".repeat(32))
                .envs(CONTROLLER)
                .output()
                .unwrap()
        };
        let out = run(&["billing", "export"]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(String::from_utf8(out.stdout).unwrap(), csv);
        let out = run(&["billing", "document", "KN-1", "--format", "ubl"]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_valid_ubl(&out.stdout);
        let out = run(&["billing", "document", "1", "--format", "pdf"]);
        assert!(pdf_text(&out.stdout).contains("FAKTURA"));
        let out = run(&["billing", "document", "99", "--format", "pdf"]);
        assert!(!out.status.success());
        assert!(
            String::from_utf8_lossy(&out.stderr).contains("no invoice or credit note numbered 99")
        );
    }
);

story!(
    bookkeeping_records_go_five_years_after_their_financial_year,
    manual(),
    |app| {
        let company = fixtures::company(&app, "Gammel ApS", "25313763").await;
        let product = standard_product(&app, 100_000).await;
        let issued = time::macros::date!(2026 - 03 - 02);
        let id = invoice_due(&app, company.id, &product, issued, "hr@example.com").await;
        let mut tx = app.state.db.begin().await.unwrap();
        store::record_payment(
            &mut tx,
            id,
            billing::domain::Money(125_000),
            issued,
            "ref",
            "manual",
            None,
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        // Kept through the fifth year after 2026; gone the day after it ends.
        let run = |at: time::OffsetDateTime| {
            let state = app.state.clone();
            async move {
                match jobboard::retention::sweeper::run(&state, Some(at), false)
                    .await
                    .unwrap()
                {
                    jobboard::retention::sweeper::Outcome::Done(report) => report,
                    jobboard::retention::sweeper::Outcome::Busy(_) => panic!("busy"),
                }
            }
        };
        let report = run(calendar::end_of_day(time::macros::date!(2031 - 12 - 30))).await;
        assert_eq!(report.rules["bookkeeping"].deleted, 0);
        assert!(store::invoice(&app.state.db, id).await.unwrap().is_some());
        let report = run(calendar::end_of_day(time::macros::date!(2032 - 01 - 01))).await;
        assert!(
            report.rules["bookkeeping"].deleted >= 3,
            "{:?}",
            report.rules["bookkeeping"]
        );
        assert!(store::invoice(&app.state.db, id).await.unwrap().is_none());
    }
);

story!(
    erasing_the_contact_person_keeps_the_invoice_and_removes_them_elsewhere,
    |app| {
        let ops = operator(&app).await;
        products(&app, &ops).await;
        let ad = employer_with_draft(&app, EMPLOYER, "Nordlys Sø A/S", CVR).await;
        let page = app.get(&format!("/employer/ads/{ad}")).await;
        let page = page.form("Submit for review").submit(&app).await;
        page.form("Confirm order and submit").submit(&app).await;
        // The privacy centre shows the invoice that names the person.
        let centre = app.get("/account/privacy").await;
        assert!(centre.contains("Invoices"), "{}", centre.text());
        assert!(centre.contains("Nordlys Sø A/S"));
        let page = app.get("/account/privacy/erase").await;
        let page = page
            .form("Erase my account now")
            .fill("Your password, to confirm", PASSWORD)
            .submit(&app)
            .await;
        assert_eq!(page.heading(), "Your account is erased", "{}", page.text());
        assert!(page.contains("Danish Bookkeeping Act"), "{}", page.text());
        // The invoice stays as issued; the account, and the billing details, are gone.
        let invoice = store::invoice_by_number(&app.state.db, 1)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(invoice.buyer_name, "Nordlys Sø A/S");
        assert_eq!(invoice.buyer_contact, "Test Employer");
        let users: i64 = jobboard::db_run!(pool & app.state.db, |p| sqlx::query_scalar(
            "SELECT COUNT(*) FROM users WHERE email = $1"
        )
        .bind(EMPLOYER)
        .fetch_one(p)
        .await)
        .unwrap();
        assert_eq!(users, 0);
        let profiles: i64 = jobboard::db_run!(pool & app.state.db, |p| sqlx::query_scalar(
            "SELECT COUNT(*) FROM billing_profiles"
        )
        .fetch_one(p)
        .await)
        .unwrap();
        assert_eq!(profiles, 0);
        let (doc, _) = billing::find_document(&app.state, "1")
            .await
            .unwrap()
            .unwrap();
        assert!(pdf_text(&billing::pdf::render(&doc).unwrap()).contains("Test Employer"));
    }
);

story!(
    the_products_editor_keeps_what_was_typed_and_says_what_is_wrong,
    |app| {
        let ops = operator(&app).await;
        let page = ops.get("/operator/billing/products").await;
        let page = page
            .form("Add product")
            .fill("Code", "Bad Code!")
            .fill("Name in English", "Standard")
            .fill("Name in Danish", "")
            .fill("Price excl. VAT (kr.)", "12,3456")
            .submit_with(&ops.client)
            .await;
        assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            page.contains("Lower-case letters, digits and hyphens"),
            "{}",
            page.text()
        );
        assert!(page.contains("Give an amount in kroner"), "{}", page.text());
        assert!(
            page.body.contains("value=\"Standard\""),
            "what was typed stays"
        );
        assert!(
            store::products(&app.state.db, false)
                .await
                .unwrap()
                .is_empty()
        );
        // Free posting: a 0 kr. product gives an order but no invoice.
        let page = page
            .form("Add product")
            .fill("Code", "free")
            .fill("Name in English", "Free ad")
            .fill("Name in Danish", "Gratis annonce")
            .fill("Price excl. VAT (kr.)", "0")
            .submit_with(&ops.client)
            .await;
        assert!(page.contains("The product is saved."), "{}", page.text());
        let ad = employer_with_draft(&app, EMPLOYER, "Nordlys Sø A/S", CVR).await;
        let page = app.get(&format!("/employer/ads/{ad}")).await;
        let page = page.form("Submit for review").submit(&app).await;
        assert!(page.contains("DKK 0.00"), "{}", page.text());
        let page = page.form("Confirm order and submit").submit(&app).await;
        assert!(page.contains("submitted"), "{}", page.text());
        assert!(
            store::invoice_numbers(&app.state.db)
                .await
                .unwrap()
                .is_empty()
        );
    }
);
