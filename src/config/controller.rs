//! The data controller named in the policies: who runs this installation. It is configuration
//! (`JOBBOARD_CONTROLLER_*`), required in production; embedded mode shows labelled demo values.

use serde::Serialize;

use crate::{
    domain::{Cvr, Email},
    error::{Error, Result},
};

#[derive(Clone, Debug, Serialize)]
pub struct Controller {
    pub name: String,
    pub address: String,
    /// Eight digits, modulus-11 checked.
    pub cvr: String,
    pub email: String,
    /// True when these are the built-in demonstration values, not a real controller's.
    pub demo: bool,
}

pub const NAME: &str = "JOBBOARD_CONTROLLER_NAME";
pub const ADDRESS: &str = "JOBBOARD_CONTROLLER_ADDRESS";
pub const CVR: &str = "JOBBOARD_CONTROLLER_CVR";
pub const EMAIL: &str = "JOBBOARD_CONTROLLER_EMAIL";

impl Controller {
    /// Reads the four keys through `get` (unset or blank is `None`). All four or none: in
    /// embedded mode none means the demo values; in production all four are required.
    pub fn from_config(get: impl Fn(&str) -> Option<String>, production: bool) -> Result<Self> {
        let values = [NAME, ADDRESS, CVR, EMAIL].map(|key| (key, get(key)));
        let missing: Vec<&str> = values
            .iter()
            .filter(|(_, value)| value.is_none())
            .map(|(key, _)| *key)
            .collect();
        if missing.len() == values.len() && !production {
            return Ok(Self::demo());
        }
        if !missing.is_empty() {
            let context = if production {
                "with PostgreSQL or S3 the data controller named in the privacy policy must be configured"
            } else {
                "set all four controller keys or none"
            };
            return Err(Error::Config(format!(
                "{context}: missing {}",
                missing.join(", ")
            )));
        }
        let [(_, name), (_, address), (_, cvr), (_, email)] =
            values.map(|(k, v)| (k, v.unwrap_or_default()));
        let cvr = Cvr::parse(&cvr).map_err(|_| {
            Error::Config(format!(
                "{CVR} must be a valid Danish CVR number (8 digits, modulus 11)"
            ))
        })?;
        let email = Email::parse(&email)
            .map_err(|_| Error::Config(format!("{EMAIL} must be an e-mail address")))?;
        Ok(Controller {
            name: name.trim().to_string(),
            address: address.trim().to_string(),
            cvr: cvr.as_str().to_string(),
            email: email.as_str().to_string(),
            demo: false,
        })
    }

    fn demo() -> Self {
        Controller {
            name: "jobboard demo (not a real company)".into(),
            address: "Demovej 1, 1000 København K, Denmark (demo address)".into(),
            cvr: "12345674".into(),
            email: "privacy@jobboard.localhost".into(),
            demo: true,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn read(pairs: &[(&str, &str)], production: bool) -> Result<Controller> {
        let vars: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Controller::from_config(|key| vars.get(key).cloned(), production)
    }

    const REAL: &[(&str, &str)] = &[
        (NAME, "Nordlys Jobs ApS"),
        (ADDRESS, "Havnegade 1, 8000 Aarhus C"),
        (CVR, "DK 1234 5674"),
        (EMAIL, "Privacy@Nordlys.example"),
    ];

    #[test]
    fn embedded_mode_without_keys_uses_labelled_demo_values() {
        let controller = read(&[], false).unwrap();
        assert!(controller.demo);
        assert!(controller.name.contains("demo"));
        assert!(Cvr::parse(&controller.cvr).is_ok());
    }

    #[test]
    fn production_requires_every_key() {
        let err = read(&[], true).unwrap_err().to_string();
        assert!(err.contains(NAME) && err.contains(EMAIL), "{err}");
        let err = read(&REAL[..3], true).unwrap_err().to_string();
        assert!(err.contains(EMAIL) && !err.contains(NAME), "{err}");
        let err = read(&REAL[1..], false).unwrap_err().to_string();
        assert!(err.contains("all four"), "{err}");
    }

    #[test]
    fn values_are_validated_and_normalised() {
        let controller = read(REAL, true).unwrap();
        assert!(!controller.demo);
        assert_eq!(controller.cvr, "12345674");
        assert_eq!(controller.email, "privacy@nordlys.example");
        let mut bad_cvr = REAL.to_vec();
        bad_cvr[2] = (CVR, "12345678");
        assert!(read(&bad_cvr, true).unwrap_err().to_string().contains(CVR));
        let mut bad_email = REAL.to_vec();
        bad_email[3] = (EMAIL, "not an address");
        assert!(
            read(&bad_email, true)
                .unwrap_err()
                .to_string()
                .contains(EMAIL)
        );
    }
}
