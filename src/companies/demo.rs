//! Demo company pages: a description, a website, locations and a logo drawn here (a few
//! coloured shapes, different for each company), and 30 days of ad statistics for the
//! published ads of each. Deterministic for a given set of companies.

use std::io::Cursor;

use bytes::Bytes;
use image::{ImageFormat, Rgb, RgbImage};
use rand::{RngExt, SeedableRng, rngs::StdRng};

use super::{LOGO_MAX_SIDE, store};
use crate::{
    accounts::store as accounts,
    ads::{listing, store as ads},
    calendar,
    error::{Error, Result},
    state::AppState,
    web::{charts::days_up_to, tally::AdCounts},
};

/// How many companies get a page (the rest of a large demo keeps just its name).
const PAGES: i64 = 30;

const PLACES: &[&str] = &["101", "751", "461", "561", "851", "147", "746", "630"];

/// A logo of 240 × 120 pixels: a band of the company's colour with three circles, as PNG.
fn draw_logo(rng: &mut StdRng) -> Result<Vec<u8>> {
    let colour = Rgb([
        rng.random_range(20..200),
        rng.random_range(40..200),
        rng.random_range(60..220),
    ]);
    let mut image = RgbImage::from_pixel(240, 120, Rgb([255, 255, 255]));
    let band = rng.random_range(70..100);
    for (x, y, pixel) in image.enumerate_pixels_mut() {
        if y > band {
            *pixel = colour;
        }
        for (cx, cy, r) in [(50_i64, 50_i64, 30_i64), (120, 45, 24), (185, 55, 28)] {
            let (dx, dy) = (x as i64 - cx, y as i64 - cy);
            if dx * dx + dy * dy <= r * r {
                *pixel = colour;
            }
        }
    }
    let mut png = Vec::new();
    image
        .write_to(&mut Cursor::new(&mut png), ImageFormat::Png)
        .map_err(Error::internal)?;
    Ok(png)
}

/// Fills the pages of the first companies (by name) and their ads' statistics; returns how
/// many pages it made.
pub async fn fill(state: &AppState) -> Result<u64> {
    let mut made = 0;
    for company in accounts::search_companies(&state.db, "", PAGES).await? {
        let mut rng = StdRng::seed_from_u64(company.id as u64);
        let demo = company.cvr == "10150817";
        let description = if demo {
            "Nordlys Demo ApS driver **klinikker og hjemmepleje** i Østjylland og København.\n\n\
             - Omkring 120 kolleger\n- Faste teams og mentorordning\n- Kurser hvert år"
                .to_string()
        } else {
            format!(
                "{} er en dansk virksomhed med fokus på kvalitet, gode kolleger og \
                 ordentlige vilkår.\n\nVi ansætter løbende i flere byer.",
                company.name
            )
        };
        let slug = crate::text::slug(&company.name);
        let website = format!("https://{slug}.example.com/");
        let locations: Vec<&str> = (0..rng.random_range(1..4))
            .map(|_| PLACES[rng.random_range(0..PLACES.len())])
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect();
        store::save_text(
            &state.db,
            company.id,
            &description,
            Some(&website),
            &locations.join(","),
        )
        .await?;
        let png = Bytes::from(draw_logo(&mut rng)?);
        let body =
            futures_util::stream::once(async move { Ok::<_, std::convert::Infallible>(png) });
        let logo = crate::files::store_logo(
            &state.files,
            company.id,
            body,
            state.config.max_logo_bytes,
            LOGO_MAX_SIDE,
        )
        .await?;
        store::set_logo(
            &state.db,
            company.id,
            Some(store::LogoRecord {
                key: logo.key.as_str(),
                content_type: logo.content_type,
                width: logo.width.into(),
                height: logo.height.into(),
            }),
        )
        .await?;
        statistics(state, company.id, &mut rng).await?;
        made += 1;
    }
    Ok(made)
}

/// 30 days of counts for each published ad of the company, rising towards today.
async fn statistics(state: &AppState, company: i64, rng: &mut StdRng) -> Result<()> {
    let days = days_up_to(calendar::today(), 30);
    let mut batch = Vec::new();
    for ad in listing::published_of_company(&state.db, company, 20).await? {
        for (i, day) in days.iter().enumerate() {
            let views = rng.random_range(0..8) + i as i64 / 2;
            let impressions = views * rng.random_range(3..9);
            let clicks = rng.random_range(0..=views / 3 + 1);
            let applications = rng.random_range(0..=clicks / 2);
            let saves = rng.random_range(0..=views / 4);
            batch.push(AdCounts {
                ad_id: ad.id,
                day: *day,
                counts: [views, impressions, clicks, applications, saves],
            });
        }
    }
    ads::add_statistics(&state.db, &batch).await
}
