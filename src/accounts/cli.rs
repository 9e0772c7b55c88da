//! `jobboard operator create --email E`: operators are never created through the web.

use super::store;
use crate::{
    db::{Db, is_unique_violation},
    domain::{DisplayName, Email, Password, Role},
    error::{Error, Result},
    passwords::Hasher,
};

pub async fn create_operator(db: &Db, email: &str, password: &str) -> Result<i64> {
    let email = Email::parse(email)
        .map_err(|_| Error::BadRequest(format!("not a valid e-mail address: {email}")))?;
    let password = Password::parse(password).map_err(|_| {
        Error::BadRequest(format!(
            "the password must be {} to 128 characters long",
            Password::MIN_CHARS
        ))
    })?;
    let local_part = email.as_str().split('@').next().unwrap_or("operator");
    let name = DisplayName::parse(local_part, "validation.name_required")
        .map_err(|_| Error::BadRequest("cannot derive a name from the address".into()))?;
    // A command run in its own process, not the server's: a pool of one.
    let password_hash = Hasher::new(1).hash(password.expose()).await?;
    let mut tx = db.begin().await?;
    let id = store::insert_user(
        &mut tx,
        &store::NewUser {
            email: email.as_str(),
            password_hash: &password_hash,
            name: name.as_str(),
            role: Role::Operator,
            lang: "en",
            verified: true,
        },
    )
    .await
    .map_err(|e| {
        if is_unique_violation(&e) {
            Error::BadRequest(format!("an account with {email} already exists"))
        } else {
            e.into()
        }
    })?;
    tx.commit().await?;
    tracing::info!(user_id = id, "operator created");
    Ok(id)
}
