//! Static files, compiled into the binary and served under content-hashed names
//! (`/assets/style.3f2a…css`) so browsers may cache them forever. Nothing is fetched from
//! third parties: fonts, icons and styles are ours.

use std::{collections::HashMap, sync::OnceLock};

use axum::{
    extract::Path,
    http::{HeaderValue, header},
    response::{IntoResponse, Response},
};
use sha2::{Digest, Sha256};

use crate::error::Error;

struct Asset {
    bytes: &'static [u8],
    content_type: &'static str,
    hashed_name: String,
}

const FILES: &[(&str, &[u8], &str)] = &[
    (
        "style.css",
        include_bytes!("../../assets/style.css"),
        "text/css; charset=utf-8",
    ),
    (
        "typeahead.js",
        include_bytes!("../../assets/typeahead.js"),
        "text/javascript; charset=utf-8",
    ),
    (
        "passkey.js",
        include_bytes!("../../assets/passkey.js"),
        "text/javascript; charset=utf-8",
    ),
    (
        "favicon.svg",
        include_bytes!("../../assets/favicon.svg"),
        "image/svg+xml",
    ),
];

fn registry() -> &'static HashMap<&'static str, Asset> {
    static ASSETS: OnceLock<HashMap<&'static str, Asset>> = OnceLock::new();
    ASSETS.get_or_init(|| {
        FILES
            .iter()
            .map(|(name, bytes, content_type)| {
                let digest = crate::secrets::encode_hex(&Sha256::digest(bytes));
                let (stem, ext) = name.rsplit_once('.').unwrap_or((name, ""));
                let hashed_name = format!("{stem}.{}.{ext}", &digest[..12]);
                (
                    *name,
                    Asset {
                        bytes,
                        content_type,
                        hashed_name,
                    },
                )
            })
            .collect()
    })
}

/// The URL of an asset, for templates: `{{ l.asset("style.css") }}`.
pub fn url(name: &str) -> String {
    match registry().get(name) {
        Some(asset) => format!("/assets/{}", asset.hashed_name),
        None => format!("/assets/{name}"),
    }
}

pub async fn serve(Path(file): Path<String>) -> Result<Response, Error> {
    let asset = registry()
        .values()
        .find(|a| a.hashed_name == file)
        .ok_or(Error::NotFound)?;
    let mut response = asset.bytes.into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(asset.content_type),
    );
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=31536000, immutable"),
    );
    Ok(response)
}
