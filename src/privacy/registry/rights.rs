//! The data subject's rights (GDPR Art. 7(3) and 15–22) and the supervisory authority.

use serde::Serialize;

use super::{Text, t};

#[derive(Debug, Serialize)]
pub struct Right {
    pub article: &'static str,
    pub name: Text,
    pub text: Text,
}

pub static RIGHTS: &[Right] = &[
    Right {
        article: "15",
        name: t("Right of access", "Ret til indsigt"),
        text: t(
            "You may see the personal data we hold about you, why, where it came from, who received it and how long we keep it.",
            "Du kan få indsigt i de personoplysninger, vi behandler om dig, hvorfor, hvor de kommer fra, hvem der har modtaget dem, og hvor længe vi opbevarer dem.",
        ),
    },
    Right {
        article: "16",
        name: t("Right to rectification", "Ret til berigtigelse"),
        text: t(
            "You may have wrong data corrected and incomplete data completed.",
            "Du kan få urigtige oplysninger berigtiget og ufuldstændige oplysninger fuldstændiggjort.",
        ),
    },
    Right {
        article: "17",
        name: t("Right to erasure", "Ret til sletning"),
        text: t(
            "You may have your data erased before our ordinary deletion, except what the law obliges us to keep (such as bookkeeping records).",
            "Du kan få dine oplysninger slettet før vores almindelige sletning, undtagen det, loven forpligter os til at opbevare (fx bogføringsmateriale).",
        ),
    },
    Right {
        article: "18",
        name: t(
            "Right to restriction of processing",
            "Ret til begrænsning af behandling",
        ),
        text: t(
            "In certain cases you may have processing restricted: we then only store the data, unless you consent or it is needed for legal claims.",
            "I visse tilfælde kan du få behandlingen begrænset: vi opbevarer så kun oplysningerne, medmindre du giver samtykke, eller det er nødvendigt for retskrav.",
        ),
    },
    Right {
        article: "19",
        name: t("Notification of recipients", "Underretning af modtagere"),
        text: t(
            "When we correct, erase or restrict your data, we tell those who received it (such as the companies you applied to).",
            "Når vi berigtiger, sletter eller begrænser dine oplysninger, giver vi besked til dem, der har modtaget dem (fx de virksomheder, du har søgt hos).",
        ),
    },
    Right {
        article: "20",
        name: t("Right to data portability", "Ret til dataportabilitet"),
        text: t(
            "You may receive the data you gave us, which we process by consent or contract, in a structured, machine-readable format, and pass it on.",
            "Du kan få de oplysninger, du har givet os, og som vi behandler på grundlag af samtykke eller kontrakt, udleveret i et struktureret, maskinlæsbart format og give dem videre.",
        ),
    },
    Right {
        article: "21",
        name: t("Right to object", "Ret til indsigelse"),
        text: t(
            "You may object to processing based on our legitimate interests, and at any time to direct marketing, which then stops at once.",
            "Du kan gøre indsigelse mod behandling, der bygger på vores legitime interesser, og til enhver tid mod direkte markedsføring, som så stopper straks.",
        ),
    },
    Right {
        article: "22",
        name: t("Automated decisions", "Automatiske afgørelser"),
        text: t(
            "We make no decisions about you based solely on automated processing, and no profiling.",
            "Vi træffer ingen afgørelser om dig, der alene bygger på automatisk behandling, og foretager ingen profilering.",
        ),
    },
    Right {
        article: "7(3)",
        name: t("Withdrawal of consent", "Tilbagekaldelse af samtykke"),
        text: t(
            "Where we rely on your consent, you may withdraw it at any time, as easily as you gave it. This does not affect processing before the withdrawal.",
            "Hvor vi bygger på dit samtykke, kan du til enhver tid trække det tilbage, lige så let som du gav det. Det berører ikke behandlingen før tilbagekaldelsen.",
        ),
    },
];

/// Where to complain: the Danish Data Protection Agency.
#[derive(Debug, Serialize)]
pub struct Authority {
    pub name: Text,
    pub address: &'static str,
    pub email: &'static str,
    pub phone: &'static str,
    pub website: &'static str,
}

pub static AUTHORITY: Authority = Authority {
    name: t(
        "Datatilsynet (the Danish Data Protection Agency)",
        "Datatilsynet",
    ),
    address: "Carl Jacobsens Vej 35, 2500 Valby",
    email: "dt@datatilsynet.dk",
    phone: "+45 33 19 32 00",
    website: "https://www.datatilsynet.dk",
};
