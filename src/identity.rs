//! Who is asking: the signed-in person with their role and company, looked up once per request
//! (by `web::request_context`), and the extractors that let only the right role in.

use std::sync::Arc;

use axum::{
    extract::FromRequestParts,
    http::request::Parts,
    response::{IntoResponse, Redirect, Response},
};

use crate::{
    db::Db,
    db_run,
    domain::{CompanyRole, Role},
    error::{Error, Result},
};

/// The signed-in person, as every request sees them.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct SessionUser {
    pub id: i64,
    pub email: String,
    pub name: String,
    #[sqlx(try_from = "String")]
    pub role: Role,
    pub lang: String,
    pub company_id: Option<i64>,
    pub company_name: Option<String>,
    pub company_cvr: Option<String>,
    /// The member's role in the company (`admin` or `recruiter`), read with `company_role()`.
    #[sqlx(rename = "company_role")]
    pub company_role_code: Option<String>,
    /// Raised whenever all of the person's sessions end; a session of an older epoch is over.
    pub session_epoch: i64,
}

impl SessionUser {
    /// The person's role in their company; `None` for anyone who is no company's member.
    pub fn company_role(&self) -> Option<CompanyRole> {
        self.company_role_code
            .as_deref()
            .and_then(CompanyRole::parse)
    }

    pub fn is_company_admin(&self) -> bool {
        self.role == Role::Employer && self.company_role() == Some(CompanyRole::Admin)
    }
}

// Identity reads the accounts' tables with this one query: every request needs it, and the
// platform must not import the accounts feature for it. A blocked account is nobody: its
// sessions end at their next request, whatever else ended them.
const SESSION_USER_SQL: &str = "SELECT u.id, u.email, u.name, u.role, u.lang, u.session_epoch, \
     c.id AS company_id, c.name AS company_name, c.cvr AS company_cvr, m.role AS company_role \
     FROM users u \
     LEFT JOIN company_members m ON m.user_id = u.id \
     LEFT JOIN companies c ON c.id = m.company_id \
     WHERE u.id = $1 AND u.email_verified_at IS NOT NULL AND u.blocked_at IS NULL";

pub async fn session_user(db: &Db, id: i64) -> Result<Option<SessionUser>> {
    Ok(db_run!(pool db, |p| sqlx::query_as(SESSION_USER_SQL).bind(id).fetch_optional(p).await)?)
}

/// The person asking, or a redirect to the login page.
pub struct CurrentUser(pub Arc<SessionUser>);

impl<S: Send + Sync> FromRequestParts<S> for CurrentUser {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        match parts.extensions.get::<Arc<SessionUser>>().cloned() {
            Some(user) => Ok(CurrentUser(user)),
            None => {
                let next = parts
                    .uri
                    .path_and_query()
                    .map(|p| p.as_str())
                    .unwrap_or("/");
                let target = format!(
                    "/login?{}",
                    serde_urlencoded::to_string([("next", next)]).unwrap_or_default()
                );
                Err(Redirect::to(&target).into_response())
            }
        }
    }
}

/// The signed-in person if `allowed` lets their role in: a login redirect for visitors, 403
/// for anyone else who is signed in.
async fn signed_in_as<S: Send + Sync>(
    parts: &mut Parts,
    state: &S,
    allowed: fn(Role) -> bool,
) -> Result<Arc<SessionUser>, Response> {
    let CurrentUser(user) = CurrentUser::from_request_parts(parts, state).await?;
    if allowed(user.role) {
        Ok(user)
    } else {
        Err(Error::Forbidden.into_response())
    }
}

/// An operator.
pub struct CurrentOperator(pub Arc<SessionUser>);

impl<S: Send + Sync> FromRequestParts<S> for CurrentOperator {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        signed_in_as(parts, state, |role| role == Role::Operator)
            .await
            .map(CurrentOperator)
    }
}

/// A job seeker.
pub struct CurrentSeeker(pub Arc<SessionUser>);

impl<S: Send + Sync> FromRequestParts<S> for CurrentSeeker {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        signed_in_as(parts, state, |role| role == Role::Seeker)
            .await
            .map(CurrentSeeker)
    }
}

/// A member of a company, with the company they act for and their role in it. An employer
/// account that belongs to no company (removed from it, or left) is refused (403). The
/// membership is read on every request, so a removed member loses access at their next one.
#[derive(Clone, Debug)]
pub struct CurrentEmployer {
    pub user: Arc<SessionUser>,
    pub company: i64,
    pub role: CompanyRole,
}

impl CurrentEmployer {
    pub fn is_admin(&self) -> bool {
        self.role == CompanyRole::Admin
    }

    /// Whose assigned ads alone this member may see: `None` for an admin (every ad of the
    /// company), the recruiter's own account otherwise.
    pub fn assigned_only(&self) -> Option<i64> {
        (!self.is_admin()).then_some(self.user.id)
    }
}

impl<S: Send + Sync> FromRequestParts<S> for CurrentEmployer {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let user = signed_in_as(parts, state, |role| role == Role::Employer).await?;
        match (user.company_id, user.company_role()) {
            (Some(company), Some(role)) => Ok(CurrentEmployer {
                user,
                company,
                role,
            }),
            _ => Err(Error::Forbidden.into_response()),
        }
    }
}

/// An admin of their company: members, billing details, company settings.
pub struct CompanyAdmin(pub CurrentEmployer);

impl<S: Send + Sync> FromRequestParts<S> for CompanyAdmin {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let employer = CurrentEmployer::from_request_parts(parts, state).await?;
        if employer.is_admin() {
            Ok(CompanyAdmin(employer))
        } else {
            Err(Error::Forbidden.into_response())
        }
    }
}

/// Someone whose own data the privacy centre shows: job seekers and employer users.
/// Operators' own accounts are managed from the command line.
pub struct CurrentDataSubject(pub Arc<SessionUser>);

impl<S: Send + Sync> FromRequestParts<S> for CurrentDataSubject {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        signed_in_as(parts, state, |role| role != Role::Operator)
            .await
            .map(CurrentDataSubject)
    }
}
