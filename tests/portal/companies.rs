//! Companies as teams: an admin invites colleagues by e-mail (a new account, or an existing
//! one that joins), links that expired, were used or name another company are refused, the
//! last admin stays (also when two admins are erased together), a removed member loses access
//! at once, and the role matrix: every employer route the router serves, asked as an admin, a
//! recruiter (with and without the ad assigned), a removed member and another company's admin.

use jobboard::{
    accounts::store as accounts,
    domain::{CompanyRole, Role},
    privacy::{
        erasure::{self, Via},
        sections::Subject,
    },
    secrets::Link,
};
use reqwest::StatusCode;

use crate::access::{ACCESS, Access, Browser, Fixture, Person, Probe, table_mismatches};
use crate::helpers::*;
use crate::newsletter::csrf_token;
use crate::routes;
use crate::story;

const ERIK: &str = "erik@nordlys.example.com";
const OLGA: &str = "olga@fjord.example.com";
const RITA: &str = "rita@nordlys.example.com";

async fn company_id(app: &TestApp, cvr: &str) -> i64 {
    jobboard::db_run!(pool & app.state.db, |p| sqlx::query_scalar(
        "SELECT id FROM companies WHERE cvr = $1"
    )
    .bind(cvr)
    .fetch_one(p)
    .await)
    .expect("the company")
}

/// Nordlys ApS with Erik as its admin, who is left signed in.
async fn nordlys(app: &TestApp) -> i64 {
    app.registered_employer(ERIK, "Nordlys ApS", "24256790")
        .await;
    app.login(ERIK, PASSWORD).await;
    company_id(app, "24256790").await
}

/// Invites `email` with `role` from the team page of the admin signed in; returns the link
/// from the invitation e-mail.
async fn invite(app: &TestApp, company: &str, email: &str, role: &str) -> String {
    let page = app
        .get("/employer/team")
        .await
        .form("Send invitation")
        .fill("Colleague's e-mail address", email)
        .fill("Role", role)
        .submit(app)
        .await;
    assert!(
        page.contains(&format!("The invitation is on its way to {email}.")),
        "{}",
        page.text()
    );
    app.mail(email, &format!("Invitation to join {company} on jobboard"))
        .await
        .link("/join/")
}

/// Takes the invitation with a new account (nobody signed in), then leaves nobody signed in.
async fn register_from(app: &TestApp, link: &str, name: &str) {
    let page = app
        .get(link)
        .await
        .form("Create account and join")
        .fill("Your name", name)
        .fill("New password", PASSWORD)
        .submit(app)
        .await;
    assert!(
        page.contains("Your account is ready and you are a member of the company."),
        "{}",
        page.text()
    );
}

async fn member_role(app: &TestApp, email: &str) -> Option<CompanyRole> {
    let role: Option<String> = jobboard::db_run!(pool & app.state.db, |p| {
        sqlx::query_scalar(
        "SELECT m.role FROM company_members m JOIN users u ON u.id = m.user_id WHERE u.email = $1"
    )
    .bind(email)
    .fetch_optional(p)
    .await
    })
    .unwrap();
    role.as_deref().and_then(CompanyRole::parse)
}

/// Waits for the e-mail to `to` that says `text` (earlier ones with the same subject may be
/// there already).
async fn mail_saying(app: &TestApp, to: &str, text: &str) -> Mail {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(15);
    loop {
        if let Some(mail) = read_mails(&app.mail_dir(), to)
            .into_iter()
            .find(|m| m.text.contains(text))
        {
            return mail;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "no e-mail to {to} saying {text:?}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

/// A browser of its own (cookies, redirects followed), signed in as `email`.
async fn signed_in_browser(app: &TestApp, email: &str) -> reqwest::Client {
    let client = reqwest::Client::builder()
        .cookie_store(true)
        .build()
        .unwrap();
    let login = Page::from(client.get(app.url("/login")).send().await.unwrap()).await;
    let page = login
        .form("Log in")
        .fill("E-mail address", email)
        .fill("Password", PASSWORD)
        .submit_with(&client)
        .await;
    assert_ne!(page.path(), "/login", "{email} logs in: {}", page.text());
    client
}

async fn status_of(client: &reqwest::Client, app: &TestApp, path: &str) -> (StatusCode, String) {
    let response = client.get(app.url(path)).send().await.unwrap();
    let status = response.status();
    (status, response.url().path().to_string())
}

story!(invitation_with_a_new_account, |app| {
    nordlys(&app).await;
    let link = invite(&app, "Nordlys ApS", RITA, "recruiter").await;
    let team = app.get("/employer/team").await;
    assert!(
        team.contains("Open invitations") && team.contains(RITA),
        "{}",
        team.text()
    );
    app.logout().await;

    let page = app.get(&link).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text());
    assert!(
        page.contains("You are invited to join Nordlys ApS on jobboard as Recruiter."),
        "{}",
        page.text()
    );
    // A password too short is refused, and nothing is created.
    let page = page
        .form("Create account and join")
        .fill("Your name", "Rita Recruiter")
        .fill("New password", "short")
        .submit(&app)
        .await;
    assert_eq!(
        page.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        page.text()
    );
    assert!(!accounts::email_taken(&app.state.db, RITA).await.unwrap());

    register_from(&app, &link, "Rita Recruiter").await;
    assert_eq!(member_role(&app, RITA).await, Some(CompanyRole::Recruiter));
    let mail = app.mail(RITA, "Your membership of Nordlys ApS").await;
    assert!(
        mail.text
            .contains("You are now a member of Nordlys ApS as Recruiter."),
        "{}",
        mail.text
    );

    // She logs in with the new password (the invitation verified her address) and works as a
    // recruiter: ads and applications, not the team or billing.
    let page = app.login(RITA, PASSWORD).await;
    assert_eq!(page.path(), "/employer/ads", "{}", page.text());
    assert!(!page.contains("Billing"), "{}", page.text());
    for admin_only in ["/employer/team", "/employer/billing", "/employer/settings"] {
        assert_eq!(
            app.get(admin_only).await.status,
            StatusCode::FORBIDDEN,
            "{admin_only}"
        );
    }
    assert_eq!(
        app.get("/employer/applications").await.status,
        StatusCode::OK
    );

    // The link is used up.
    let page = app.get(&link).await;
    assert_eq!(page.status, StatusCode::GONE);
    assert!(
        page.contains("This invitation has been used already."),
        "{}",
        page.text()
    );
    app.logout().await;

    app.login(ERIK, PASSWORD).await;
    let team = app.get("/employer/team").await;
    assert!(
        team.contains("Rita Recruiter joined as Recruiter (invited by Test Employer)"),
        "{}",
        team.text()
    );
    assert!(team.contains("No open invitations."), "{}", team.text());
});

story!(invitation_with_an_existing_account, |app| {
    nordlys(&app).await;
    let sam = "sam@nordlys.example.com";
    let link = invite(&app, "Nordlys ApS", sam, "recruiter").await;
    app.logout().await;
    register_from(&app, &link, "Sam Nielsen").await;

    app.registered_employer(OLGA, "Fjord ApS", "31245672").await;
    app.login(OLGA, PASSWORD).await;
    let for_sam = invite(&app, "Fjord ApS", sam, "admin").await;
    let for_erik = invite(&app, "Fjord ApS", ERIK, "recruiter").await;
    app.logout().await;

    // Sam, a recruiter at Nordlys, logs in and joins Fjord with the same account.
    app.login(sam, PASSWORD).await;
    let page = app.get(&for_sam).await;
    assert!(
        page.contains("Joining means leaving Nordlys ApS"),
        "{}",
        page.text()
    );
    // Erik's invitation is not Sam's to take.
    let other = app.get(&for_erik).await;
    assert_eq!(other.status, StatusCode::CONFLICT);
    assert!(
        other.contains(&format!("This invitation was sent to {ERIK}")),
        "{}",
        other.text()
    );
    let page = page.form("Join Fjord ApS").submit(&app).await;
    assert!(
        page.contains("You are now a member of Fjord ApS."),
        "{}",
        page.text()
    );
    assert_eq!(page.path(), "/employer/ads");
    assert_eq!(member_role(&app, sam).await, Some(CompanyRole::Admin));
    let team = app.get("/employer/team").await;
    assert_eq!(team.status, StatusCode::OK);
    assert!(team.contains(OLGA) && team.contains(sam), "{}", team.text());
    app.mail(sam, "Your membership of Fjord ApS").await;
    app.logout().await;

    // Nordlys's record says Sam left; Erik, its only admin, cannot leave it for Fjord.
    app.login(ERIK, PASSWORD).await;
    let team = app.get("/employer/team").await;
    assert!(
        team.contains("Sam Nielsen left the company (Recruiter)"),
        "{}",
        team.text()
    );
    let page = app.get(&for_erik).await;
    assert_eq!(page.status, StatusCode::CONFLICT);
    assert!(
        page.contains("You are the last admin of your current company"),
        "{}",
        page.text()
    );
    assert_eq!(member_role(&app, ERIK).await, Some(CompanyRole::Admin));
    app.logout().await;

    // A job seeker cannot take an employer's invitation.
    app.registered_seeker("seeker@example.org").await;
    app.login("seeker@example.org", PASSWORD).await;
    let page = app.get(&for_erik).await;
    assert!(
        page.contains("This invitation is for an employer account."),
        "{}",
        page.text()
    );
});

story!(an_expired_link_is_refused, |app| {
    let company = nordlys(&app).await;
    let ivy = "ivy@nordlys.example.com";
    let link = invite(&app, "Nordlys ApS", ivy, "recruiter").await;
    app.logout().await;
    // Ivy opens the e-mail and the form, and comes back after the week is over.
    let form = app.get(&link).await.form("Create account and join");
    jobboard::db_run!(pool & app.state.db, |p| sqlx::query(
        "UPDATE company_invitations SET expires_at = $1 WHERE email = $2"
    )
    .bind(jobboard::db::now() - time::Duration::days(1))
    .bind(ivy)
    .execute(p)
    .await
    .map(|r| r.rows_affected()))
    .unwrap();
    let page = form
        .fill("Your name", "Ivy")
        .fill("New password", PASSWORD)
        .submit(&app)
        .await;
    assert_eq!(page.status, StatusCode::GONE, "{}", page.text());
    assert!(
        page.contains("This invitation has expired."),
        "{}",
        page.text()
    );
    assert!(!accounts::email_taken(&app.state.db, ivy).await.unwrap());
    assert_eq!(app.get(&link).await.status, StatusCode::GONE);

    // A genuine signature whose time is up says the same, not "not valid".
    let invitation: i64 = link
        .split('?')
        .next()
        .and_then(|p| p.rsplit('/').next())
        .and_then(|id| id.parse().ok())
        .unwrap();
    let query = app.state.keys.sign_link(
        Link::CompanyInvitation,
        &format!("{company}:{invitation}"),
        Some(time::OffsetDateTime::now_utc() - time::Duration::minutes(1)),
    );
    let page = app
        .get(&format!("/join/{company}/{invitation}?{query}"))
        .await;
    assert_eq!(page.status, StatusCode::GONE);
    assert!(
        page.contains("This invitation has expired."),
        "{}",
        page.text()
    );

    app.login(ERIK, PASSWORD).await;
    let team = app.get("/employer/team").await;
    assert!(team.contains("No open invitations."), "{}", team.text());
});

story!(a_link_for_another_company_is_refused, |app| {
    let nordlys_id = nordlys(&app).await;
    let link = invite(&app, "Nordlys ApS", "ivy@nordlys.example.com", "admin").await;
    app.logout().await;
    app.registered_employer(OLGA, "Fjord ApS", "31245672").await;
    let fjord = company_id(&app, "31245672").await;

    // The same invitation, signed for Nordlys, presented for Fjord.
    let wrong = link.replace(&format!("/join/{nordlys_id}/"), &format!("/join/{fjord}/"));
    assert_ne!(wrong, link);
    let page = app.get(&wrong).await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
    assert!(
        page.contains("This link is not valid any more."),
        "{}",
        page.text()
    );
    let genuine = app.get(&link).await;
    let response = app
        .client
        .post(app.url(&wrong))
        .form(&[
            ("csrf", csrf_token(&genuine).as_str()),
            ("name", "Ivy"),
            ("password", PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    assert!(
        !accounts::email_taken(&app.state.db, "ivy@nordlys.example.com")
            .await
            .unwrap()
    );

    // Fjord's own invitation, presented for Nordlys, is refused the same way.
    app.login(OLGA, PASSWORD).await;
    let fjords = invite(&app, "Fjord ApS", "jon@fjord.example.com", "recruiter").await;
    app.logout().await;
    let page = app
        .get(&fjords.replace(&format!("/join/{fjord}/"), &format!("/join/{nordlys_id}/")))
        .await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);

    // The genuine link still works.
    let page = app.get(&link).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.has_form("Create account and join"));
});

story!(the_last_admin_cannot_leave_or_be_removed, |app| {
    let company = nordlys(&app).await;
    let erik: i64 = accounts::login_record(&app.state.db, ERIK)
        .await
        .unwrap()
        .unwrap()
        .id;
    let page = app.get("/employer/team/leave").await;
    assert!(
        page.contains("You are the last admin of Nordlys ApS and cannot leave it"),
        "{}",
        page.text()
    );
    let response = app
        .client
        .post(app.url("/employer/team/leave"))
        .form(&[(
            "csrf",
            csrf_token(&app.get("/employer/team").await).as_str(),
        )])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::CONFLICT);
    let team = app.get("/employer/team").await;
    let page = team.form("Remove Test Employer").submit(&app).await;
    assert!(
        page.contains("The last admin cannot be removed"),
        "{}",
        page.text()
    );
    let page = app
        .get("/employer/team")
        .await
        .form("Change role of Test Employer")
        .fill("Role of Test Employer", "recruiter")
        .submit(&app)
        .await;
    assert!(
        page.contains("The last admin cannot step down"),
        "{}",
        page.text()
    );
    assert_eq!(member_role(&app, ERIK).await, Some(CompanyRole::Admin));

    // With a second admin, Erik may go; then she is the last one.
    let link = invite(&app, "Nordlys ApS", RITA, "admin").await;
    app.logout().await;
    register_from(&app, &link, "Rita Recruiter").await;
    app.login(ERIK, PASSWORD).await;
    let page = app
        .get("/employer/team/leave")
        .await
        .form("Leave Nordlys ApS")
        .submit(&app)
        .await;
    assert!(
        page.contains("You have left Nordlys ApS."),
        "{}",
        page.text()
    );
    assert_eq!(member_role(&app, ERIK).await, None);
    assert_eq!(app.get("/employer/ads").await.status, StatusCode::FORBIDDEN);
    app.mail(ERIK, "Your membership of Nordlys ApS").await;
    app.logout().await;
    app.login(RITA, PASSWORD).await;
    let page = app.get("/employer/team/leave").await;
    assert!(page.contains("You are the last admin"), "{}", page.text());
    let team = app.get("/employer/team").await;
    assert!(
        team.contains("Test Employer left the company (Admin)"),
        "{}",
        team.text()
    );
    // Erik is nobody here any more: his membership cannot be changed from Nordlys.
    let response = app
        .client
        .post(app.url(&format!("/employer/team/members/{erik}/remove")))
        .form(&[("csrf", csrf_token(&team).as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    assert!(company > 0);
});

story!(a_removed_member_loses_access_at_once, |app| {
    nordlys(&app).await;
    let link = invite(&app, "Nordlys ApS", RITA, "recruiter").await;
    app.logout().await;
    register_from(&app, &link, "Rita Recruiter").await;
    let rita = signed_in_browser(&app, RITA).await;
    assert_eq!(
        status_of(&rita, &app, "/employer/ads").await.0,
        StatusCode::OK
    );

    app.login(ERIK, PASSWORD).await;
    let page = app
        .get("/employer/team")
        .await
        .form("Remove Rita Recruiter")
        .submit(&app)
        .await;
    assert!(
        page.contains("Rita Recruiter is removed from the company and signed out."),
        "{}",
        page.text()
    );
    assert!(
        page.contains("Test Employer removed Rita Recruiter (Recruiter)"),
        "{}",
        page.text()
    );

    // Her very next request finds her signed out; signed in again, she is nobody's employee.
    let (_, landed) = status_of(&rita, &app, "/employer/ads").await;
    assert_eq!(landed, "/login");
    let rita = signed_in_browser(&app, RITA).await;
    for path in [
        "/employer/ads",
        "/employer/applications",
        "/employer/candidates",
    ] {
        assert_eq!(
            status_of(&rita, &app, path).await.0,
            StatusCode::FORBIDDEN,
            "{path}"
        );
    }
    let mail = mail_saying(&app, RITA, "Test Employer removed you from Nordlys ApS.").await;
    assert_eq!(mail.subject, "Your membership of Nordlys ApS on jobboard");
});

/// Who the role matrix asks as, and what they should get.
#[derive(Clone, Copy, Debug)]
enum Member {
    Admin,
    /// A recruiter; `assigned`: on the ad the probes name.
    Recruiter {
        assigned: bool,
    },
    Removed,
    OtherCompanysAdmin,
}

impl Member {
    fn person(self) -> Person {
        match self {
            Member::Admin => Person::Erik,
            Member::Recruiter { .. } => Person::Rita,
            Member::Removed => Person::Rex,
            Member::OtherCompanysAdmin => Person::Olga,
        }
    }

    /// Whether this member gets through a line (Olga's company is not verified).
    fn admitted(self, access: Access) -> bool {
        use Access::*;
        match self {
            Member::Admin => true,
            Member::Recruiter { assigned } => match access {
                Employer | VerifiedEmployer => true,
                OwnCompany => assigned,
                _ => false,
            },
            Member::Removed => false,
            Member::OtherCompanysAdmin => matches!(access, Employer | Admin),
        }
    }
}

story!(the_role_matrix_over_every_employer_route, |app| {
    let mismatches = table_mismatches();
    assert!(mismatches.is_empty(), "\n{}", mismatches.join("\n"));
    let fixture = Fixture::make(&app).await;
    // Rita, a recruiter on the fixture's ad, and Rex, who is removed once signed in.
    let hash = app.state.hasher.hash(PASSWORD).await.unwrap();
    let mut tx = app.state.db.begin().await.unwrap();
    let mut ids = Vec::new();
    for person in [Person::Rita, Person::Rex] {
        let id = accounts::insert_user(
            &mut tx,
            &accounts::NewUser {
                email: match person {
                    Person::Rita => RITA,
                    _ => "rex@nordlys.example.com",
                },
                password_hash: &hash,
                name: "Colleague",
                role: Role::Employer,
                lang: "en",
                verified: true,
            },
        )
        .await
        .unwrap();
        accounts::insert_member(
            &mut tx,
            fixture.company,
            id,
            CompanyRole::Recruiter,
            Some(fixture.erik),
        )
        .await
        .unwrap();
        jobboard::teams::store::assign(&mut tx, fixture.ad, id, Some(fixture.erik))
            .await
            .unwrap();
        ids.push(id);
    }
    tx.commit().await.unwrap();
    let (rita, rex) = (ids[0], ids[1]);
    // Rex is signed in when Erik removes him.
    let mut rex_browser = Browser::open(&app, Person::Rex).await;
    let erik_browser = Browser::open(&app, Person::Erik).await;
    let removal = Probe::at(format!("/employer/team/members/{rex}/remove"));
    let answer = erik_browser.ask(&app, "POST", &removal).await;
    assert!(answer.status.is_redirection(), "{}", answer.describe());
    assert_eq!(member_role(&app, "rex@nordlys.example.com").await, None);

    // Rita's lists hold the ad she works on, and not the company's others.
    let rita_client = signed_in_browser(&app, RITA).await;
    let read = |path: &'static str| {
        let client = rita_client.clone();
        let url = app.url(path);
        async move { Page::from(client.get(url).send().await.unwrap()).await }
    };
    let ads = read("/employer/ads").await;
    assert!(
        ads.contains("Backend developer") && !ads.contains("Frontend developer"),
        "{}",
        ads.text()
    );
    assert!(
        read("/employer/applications")
            .await
            .contains("Backend developer")
    );

    // Every employer route the router serves, with its line in the access table.
    let employer_routes: Vec<(&'static str, &'static str, Access)> = routes::in_source()
        .iter()
        .filter(|r| r.path.starts_with("/employer/"))
        .map(|r| {
            *ACCESS
                .iter()
                .find(|(m, p, _)| *m == r.method && *p == r.path)
                .expect("every route has its line (checked above)")
        })
        .collect();
    assert!(employer_routes.len() > 30, "{employer_routes:?}");
    let probe = |method: &str, route: &str| -> Probe {
        let probe = fixture.probe(method, route);
        // Saving who works on the ad keeps Rita on it.
        if method == "POST" && route == "/employer/team/ads/{id}" {
            probe.with(&[("recruiter", &rita.to_string())])
        } else {
            probe
        }
    };
    let mut failures = Vec::new();

    // The removed member's session ended with the membership: every route sends him to log
    // in; logged in again, every route refuses him.
    for (method, route, _) in &employer_routes {
        let answer = rex_browser.ask(&app, method, &probe(method, route)).await;
        if !(answer.to_login() || answer.refused()) {
            failures.push(format!(
                "{method} {route} as Rex before logging in again: {}",
                answer.describe()
            ));
        }
    }
    rex_browser.sign_in(&app).await;

    let mut asked = vec![
        (Member::Removed, rex_browser),
        (
            Member::Recruiter { assigned: true },
            Browser::open(&app, Person::Rita).await,
        ),
        (
            Member::OtherCompanysAdmin,
            Browser::open(&app, Person::Olga).await,
        ),
        (Member::Admin, erik_browser),
    ];
    for pass in ["GET", "POST"] {
        for (member, browser) in &mut asked {
            for (method, route, access) in employer_routes.iter().filter(|(m, ..)| *m == pass) {
                // Leaving would end the story for a member who may leave.
                if *route == "/employer/team/leave"
                    && *method == "POST"
                    && matches!(member, Member::Recruiter { .. })
                {
                    continue;
                }
                let answer = browser.ask(&app, method, &probe(method, route)).await;
                let refused = answer.refused() || answer.to_login();
                let admitted = member.admitted(*access);
                if answer.status.is_server_error() || admitted == refused {
                    failures.push(format!(
                        "{method} {route} as {:?} ({:?}): {}, expected {}",
                        member.person(),
                        member,
                        answer.describe(),
                        if admitted {
                            "to get through"
                        } else {
                            "a refusal"
                        }
                    ));
                }
            }
        }
    }

    // Taken off the ad, Rita is refused everything that names it or its applications.
    let mut tx = app.state.db.begin().await.unwrap();
    jobboard::teams::store::unassign(&mut tx, fixture.ad, rita)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let member = Member::Recruiter { assigned: false };
    let browser = &asked[1].1;
    for (method, route, access) in &employer_routes {
        if *route == "/employer/team/leave" && *method == "POST" {
            continue;
        }
        let answer = browser.ask(&app, method, &probe(method, route)).await;
        let refused = answer.refused() || answer.to_login();
        if answer.status.is_server_error() || member.admitted(*access) == refused {
            failures.push(format!(
                "{method} {route} as Rita, not on the ad: {}",
                answer.describe()
            ));
        }
    }
    let inbox = read("/employer/applications").await;
    assert!(!inbox.contains("Backend developer"), "{}", inbox.text());
    assert!(
        failures.is_empty(),
        "{} problems in the role matrix:\n{}",
        failures.len(),
        failures.join("\n")
    );
});

story!(an_erased_admin_leaves_the_company_and_its_team, |app| {
    let company = nordlys(&app).await;
    let link = invite(&app, "Nordlys ApS", RITA, "recruiter").await;
    app.logout().await;
    register_from(&app, &link, "Rita Recruiter").await;

    // Erik, the only admin, erases his account.
    app.login(ERIK, PASSWORD).await;
    let page = app
        .get("/account/privacy/erase")
        .await
        .form("Erase my account now")
        .fill("Your password, to confirm", PASSWORD)
        .submit(&app)
        .await;
    assert_eq!(page.heading(), "Your account is erased", "{}", page.text());
    assert!(!accounts::email_taken(&app.state.db, ERIK).await.unwrap());

    // The company is there, and Rita, who joined after him, is its admin now, and told so.
    let detail = accounts::company_detail(&app.state.db, company)
        .await
        .unwrap()
        .expect("the company outlives its admin's account");
    assert_eq!(detail.name, "Nordlys ApS");
    assert_eq!(member_role(&app, RITA).await, Some(CompanyRole::Admin));
    let mail = mail_saying(
        &app,
        RITA,
        "You are now an admin of Nordlys ApS, because the account of its last admin was erased.",
    )
    .await;
    assert_eq!(mail.subject, "Your membership of Nordlys ApS on jobboard");
    app.login(RITA, PASSWORD).await;
    let team = app.get("/employer/team").await;
    assert_eq!(team.status, StatusCode::OK);
    // The record keeps what happened, without the erased person.
    assert!(
        team.contains("Rita Recruiter joined as Recruiter (invited by an erased account)"),
        "{}",
        team.text()
    );
    assert!(
        team.contains("Rita Recruiter became Admin when the last admin's account was erased"),
        "{}",
        team.text()
    );
    assert!(!team.contains("Test Employer"), "{}", team.text());
});

// The retention sweeper erases people in batches: two admins of one company in the same batch
// must not each leave the company to the other.
story!(
    two_admins_erased_together_leave_the_company_to_the_member_who_stays,
    |app| {
        let company = nordlys(&app).await;
        let ivy = "ivy@nordlys.example.com";
        let link = invite(&app, "Nordlys ApS", ivy, "admin").await;
        app.logout().await;
        register_from(&app, &link, "Ivy Admin").await;
        app.login(ERIK, PASSWORD).await;
        let link = invite(&app, "Nordlys ApS", RITA, "recruiter").await;
        app.logout().await;
        register_from(&app, &link, "Rita Recruiter").await;
        assert_eq!(member_role(&app, ivy).await, Some(CompanyRole::Admin));

        let mut leaving = Vec::new();
        for email in [ERIK, ivy] {
            leaving.push(
                accounts::login_record(&app.state.db, email)
                    .await
                    .unwrap()
                    .expect("an account")
                    .id,
            );
        }
        let subjects = Subject::of_users(&app.state.db, &leaving).await.unwrap();
        assert_eq!(subjects.len(), 2);
        erasure::erase_many(
            &app.state,
            &subjects,
            Via::Retention {
                unsent_before: i64::MAX,
            },
        )
        .await
        .unwrap();

        assert!(!accounts::email_taken(&app.state.db, ERIK).await.unwrap());
        assert!(!accounts::email_taken(&app.state.db, ivy).await.unwrap());
        assert!(
            accounts::company_detail(&app.state.db, company)
                .await
                .unwrap()
                .is_some()
        );
        assert_eq!(member_role(&app, RITA).await, Some(CompanyRole::Admin));
        mail_saying(
        &app,
        RITA,
        "You are now an admin of Nordlys ApS, because the account of its last admin was erased.",
    )
    .await;
        app.login(RITA, PASSWORD).await;
        let team = app.get("/employer/team").await;
        assert_eq!(team.status, StatusCode::OK);
        assert!(
            team.contains("Rita Recruiter became Admin when the last admin's account was erased"),
            "{}",
            team.text()
        );
    }
);
