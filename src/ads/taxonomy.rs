//! The fixed reference data an ad is classified by, shipped in `reference/`: Denmark's 98 and
//! Sweden's 290 municipalities with their regions and centroids (for radius search), and the
//! occupation taxonomy grouped into fields, with English and Danish labels.

use std::{collections::HashMap, sync::OnceLock};

use crate::i18n::Lang;

pub struct Municipality {
    pub country: &'static str,
    pub code: &'static str,
    pub name: &'static str,
    pub region_code: &'static str,
    pub region: &'static str,
    pub lat: f64,
    pub lon: f64,
}

pub struct Occupation {
    pub id: &'static str,
    pub field_id: &'static str,
    pub en: &'static str,
    pub da: &'static str,
}

pub struct Field {
    pub id: &'static str,
    pub en: &'static str,
    pub da: &'static str,
}

impl Occupation {
    pub fn label(&self, lang: Lang) -> &'static str {
        match lang {
            Lang::En => self.en,
            Lang::Da => self.da,
        }
    }
}

impl Field {
    pub fn label(&self, lang: Lang) -> &'static str {
        match lang {
            Lang::En => self.en,
            Lang::Da => self.da,
        }
    }
}

pub struct Region {
    pub code: &'static str,
    pub name: &'static str,
    pub country: &'static str,
}

pub struct Taxonomy {
    pub municipalities: Vec<Municipality>,
    pub regions: Vec<Region>,
    pub occupations: Vec<Occupation>,
    pub fields: Vec<Field>,
    municipality_index: HashMap<&'static str, usize>,
    occupation_index: HashMap<&'static str, usize>,
}

pub fn taxonomy() -> &'static Taxonomy {
    static TAXONOMY: OnceLock<Taxonomy> = OnceLock::new();
    TAXONOMY.get_or_init(|| {
        Taxonomy::parse(
            include_str!("../../reference/municipalities.tsv"),
            include_str!("../../reference/occupations.tsv"),
        )
    })
}

fn rows(tsv: &'static str) -> impl Iterator<Item = Vec<&'static str>> {
    tsv.lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.split('\t').collect())
}

impl Taxonomy {
    fn parse(municipalities_tsv: &'static str, occupations_tsv: &'static str) -> Taxonomy {
        let municipalities: Vec<Municipality> = rows(municipalities_tsv)
            .map(|c| Municipality {
                country: c[0],
                code: c[1],
                name: c[2],
                region_code: c[3],
                region: c[4],
                lat: c[5].parse().expect("latitude"),
                lon: c[6].parse().expect("longitude"),
            })
            .collect();
        let mut regions: Vec<Region> = Vec::new();
        for m in &municipalities {
            if !regions.iter().any(|r| r.code == m.region_code) {
                regions.push(Region {
                    code: m.region_code,
                    name: m.region,
                    country: m.country,
                });
            }
        }
        let mut fields: Vec<Field> = Vec::new();
        let occupations: Vec<Occupation> = rows(occupations_tsv)
            .map(|c| {
                if !fields.iter().any(|f| f.id == c[0]) {
                    fields.push(Field {
                        id: c[0],
                        en: c[1],
                        da: c[2],
                    });
                }
                Occupation {
                    field_id: c[0],
                    id: c[3],
                    en: c[4],
                    da: c[5],
                }
            })
            .collect();
        let municipality_index = municipalities
            .iter()
            .enumerate()
            .map(|(i, m)| (m.code, i))
            .collect();
        let occupation_index = occupations
            .iter()
            .enumerate()
            .map(|(i, o)| (o.id, i))
            .collect();
        Taxonomy {
            municipalities,
            regions,
            occupations,
            fields,
            municipality_index,
            occupation_index,
        }
    }

    pub fn municipality(&self, code: &str) -> Option<&Municipality> {
        self.municipality_index
            .get(code)
            .map(|i| &self.municipalities[*i])
    }

    pub fn occupation(&self, id: &str) -> Option<&Occupation> {
        self.occupation_index.get(id).map(|i| &self.occupations[*i])
    }

    pub fn field(&self, id: &str) -> Option<&Field> {
        self.fields.iter().find(|f| f.id == id)
    }

    pub fn region(&self, code: &str) -> Option<&Region> {
        self.regions.iter().find(|r| r.code == code)
    }

    /// A municipality by code or by name as people type it: any case, with or without the
    /// Nordic letters ("Aarhus", "Århus" and "Arhus"; "Koege" for "Køge").
    pub fn find_municipality(&self, code_or_name: &str) -> Option<&Municipality> {
        let wanted = code_or_name.trim();
        self.municipality(wanted)
            .or_else(|| {
                let lower = wanted.to_lowercase();
                self.municipalities
                    .iter()
                    .find(|m| m.name.to_lowercase() == lower)
            })
            .or_else(|| {
                let folded = fold(wanted);
                self.municipalities
                    .iter()
                    .find(|m| !folded.is_empty() && fold(m.name) == folded)
            })
    }

    /// The names closest to what was typed, for "did you mean": at most three, each a few
    /// letters away (or starting with what was typed), nearest first.
    pub fn suggest_municipalities(&self, typed: &str) -> Vec<&Municipality> {
        let wanted = fold(typed);
        if wanted.chars().count() < 2 {
            return Vec::new();
        }
        let limit = 1 + wanted.chars().count() / 4;
        let mut near: Vec<(usize, &Municipality)> = self
            .municipalities
            .iter()
            .filter_map(|m| {
                let name = fold(m.name);
                let distance = if wanted.chars().count() >= 3 && name.starts_with(&wanted) {
                    0
                } else {
                    edit_distance(&wanted, &name)
                };
                (distance <= limit).then_some((distance, m))
            })
            .collect();
        near.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.name.cmp(b.1.name)));
        near.into_iter().take(3).map(|(_, m)| m).collect()
    }

    /// Codes of the municipalities whose centroid lies within `km` of the point.
    pub fn within_radius(&self, lat: f64, lon: f64, km: f64) -> Vec<&'static str> {
        self.municipalities
            .iter()
            .filter(|m| distance_km(lat, lon, m.lat, m.lon) <= km)
            .map(|m| m.code)
            .collect()
    }
}

/// A place name reduced for matching: lower case, letters and digits only, the Nordic letters
/// and their two-letter spellings folded together (å, aa → a; æ, ä → ae; ø, ö, oe → o).
pub fn fold(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for c in name.to_lowercase().chars() {
        match c {
            'å' | 'á' | 'à' | 'â' => out.push('a'),
            'æ' | 'ä' => out.push_str("ae"),
            'ø' | 'ö' | 'ó' | 'ô' => out.push('o'),
            'é' | 'è' | 'ê' | 'ë' => out.push('e'),
            'ü' | 'ú' => out.push('u'),
            c if c.is_alphanumeric() => out.push(c),
            _ => {}
        }
    }
    out.replace("aa", "a").replace("oe", "o")
}

/// Levenshtein distance, by characters.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut previous = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let substitution = previous + usize::from(ca != *cb);
            previous = row[j + 1];
            row[j + 1] = substitution.min(row[j] + 1).min(row[j + 1] + 1);
        }
    }
    row[b.len()]
}

/// Great-circle distance (haversine), in kilometres.
pub fn distance_km(lat1: f64, lon1: f64, lat2: f64, lon2: f64) -> f64 {
    let (p1, p2) = (lat1.to_radians(), lat2.to_radians());
    let dp = (lat2 - lat1).to_radians();
    let dl = (lon2 - lon1).to_radians();
    let a = (dp / 2.0).sin().powi(2) + p1.cos() * p2.cos() * (dl / 2.0).sin().powi(2);
    6371.0 * 2.0 * a.sqrt().asin()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_reference_data_is_complete() {
        let t = taxonomy();
        assert_eq!(
            t.municipalities
                .iter()
                .filter(|m| m.country == "DK")
                .count(),
            98
        );
        assert_eq!(
            t.municipalities
                .iter()
                .filter(|m| m.country == "SE")
                .count(),
            290
        );
        assert_eq!(t.regions.iter().filter(|r| r.country == "DK").count(), 5);
        assert!(t.occupations.len() >= 250, "a few hundred occupations");
        assert!(t.fields.len() >= 15);
        for o in &t.occupations {
            assert!(t.field(o.field_id).is_some());
        }
    }

    #[test]
    fn place_names_match_without_the_nordic_letters() {
        let t = taxonomy();
        for typed in ["Aarhus", "Århus", "arhus", "AARHUS", " Arhus "] {
            assert_eq!(
                t.find_municipality(typed).map(|m| m.code),
                Some("751"),
                "{typed}"
            );
        }
        let koege = t.find_municipality("Køge").unwrap().code;
        assert_eq!(t.find_municipality("Koege").map(|m| m.code), Some(koege));
        assert_eq!(t.find_municipality("Koge").map(|m| m.code), Some(koege));
        assert!(t.find_municipality("Atlantis").is_none());
    }

    #[test]
    fn unknown_places_get_the_nearest_names() {
        let t = taxonomy();
        let names = |typed: &str| -> Vec<&str> {
            t.suggest_municipalities(typed)
                .iter()
                .map(|m| m.name)
                .collect()
        };
        assert_eq!(names("Aarhsu").first(), Some(&"Aarhus"));
        assert!(names("Københaven").contains(&"København"));
        assert!(names("Odens").contains(&"Odense"));
        assert!(names("Xyzzyq").is_empty());
    }

    #[test]
    fn radius_search_finds_neighbours_and_not_far_places() {
        let t = taxonomy();
        let aarhus = t.find_municipality("Aarhus").expect("Aarhus");
        let near = t.within_radius(aarhus.lat, aarhus.lon, 30.0);
        let skanderborg = t.find_municipality("Skanderborg").unwrap().code;
        let copenhagen = t.find_municipality("København").unwrap().code;
        assert!(near.contains(&aarhus.code) && near.contains(&skanderborg));
        assert!(!near.contains(&copenhagen));
        let distance = distance_km(55.6761, 12.5683, 56.1629, 10.2039);
        assert!(
            (distance - 157.0).abs() < 5.0,
            "Copenhagen–Aarhus is about 157 km, got {distance}"
        );
    }
}
