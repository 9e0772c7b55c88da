//! A document as a Peppol BIS Billing 3.0 UBL 2.1 Invoice or CreditNote (the format NemHandel
//! and every Peppol access point take). Elements follow the UBL schema's order; empty elements
//! are never written (PEPPOL-EN16931-R008). The seller's CVR is its legal-entity id and
//! electronic address (scheme 0184, DK:DIGST); the buyer is addressed by its EAN/GLN (0088)
//! when it has one, else by its CVR.

use quick_xml::{
    Writer,
    events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event},
};

use super::{
    document::{Document, Kind, Party},
    domain::{Money, percent},
};
use crate::error::{Error, Result};

pub const CUSTOMIZATION_ID: &str =
    "urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0";
pub const PROFILE_ID: &str = "urn:fdc:peppol.eu:2017:poacc:billing:01:1.0";
const CAC: &str = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2";
const CBC: &str = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2";
/// Danish CVR numbers in Peppol (DK:DIGST) and GS1 GLN/EAN numbers.
const SCHEME_CVR: &str = "0184";
const SCHEME_GLN: &str = "0088";

struct Xml(Writer<Vec<u8>>);

impl Xml {
    fn open(&mut self, name: &str, attributes: &[(&str, &str)]) -> Result<()> {
        let mut start = BytesStart::new(name);
        for attribute in attributes {
            start.push_attribute(*attribute);
        }
        self.0
            .write_event(Event::Start(start))
            .map_err(Error::internal)
    }

    fn close(&mut self, name: &str) -> Result<()> {
        self.0
            .write_event(Event::End(BytesEnd::new(name)))
            .map_err(Error::internal)
    }

    /// A leaf with text; nothing at all when the text is empty.
    fn leaf(&mut self, name: &str, attributes: &[(&str, &str)], text: &str) -> Result<()> {
        if text.trim().is_empty() {
            return Ok(());
        }
        self.open(name, attributes)?;
        self.0
            .write_event(Event::Text(BytesText::new(text)))
            .map_err(Error::internal)?;
        self.close(name)
    }

    fn amount(&mut self, name: &str, currency: &str, money: Money) -> Result<()> {
        self.leaf(name, &[("currencyID", currency)], &money.decimal())
    }
}

pub fn render(doc: &Document) -> Result<Vec<u8>> {
    let mut w = Xml(Writer::new_with_indent(Vec::new(), b' ', 2));
    w.0.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))
        .map_err(Error::internal)?;
    let (root, namespace, type_code, line_tag, quantity_tag) = match doc.kind {
        Kind::Invoice => (
            "Invoice",
            "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2",
            ("cbc:InvoiceTypeCode", "380"),
            "cac:InvoiceLine",
            "cbc:InvoicedQuantity",
        ),
        Kind::CreditNote => (
            "CreditNote",
            "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2",
            ("cbc:CreditNoteTypeCode", "381"),
            "cac:CreditNoteLine",
            "cbc:CreditedQuantity",
        ),
    };
    let currency = doc.currency.as_str();
    w.open(
        root,
        &[("xmlns", namespace), ("xmlns:cac", CAC), ("xmlns:cbc", CBC)],
    )?;
    w.leaf("cbc:CustomizationID", &[], CUSTOMIZATION_ID)?;
    w.leaf("cbc:ProfileID", &[], PROFILE_ID)?;
    w.leaf("cbc:ID", &[], &doc.id())?;
    w.leaf("cbc:IssueDate", &[], &doc.issue_date.to_string())?;
    if let (Kind::Invoice, Some(due)) = (doc.kind, doc.due_date) {
        w.leaf("cbc:DueDate", &[], &due.to_string())?;
    }
    w.leaf(type_code.0, &[], type_code.1)?;
    if let Some(reason) = &doc.reason {
        w.leaf("cbc:Note", &[], reason)?;
    }
    w.leaf("cbc:DocumentCurrencyCode", &[], currency)?;
    w.leaf("cbc:BuyerReference", &[], &doc.buyer_reference)?;
    w.open("cac:OrderReference", &[])?;
    w.leaf("cbc:ID", &[], &doc.order_id.to_string())?;
    w.close("cac:OrderReference")?;
    if let Some((number, issued)) = doc.refers_to {
        w.open("cac:BillingReference", &[])?;
        w.open("cac:InvoiceDocumentReference", &[])?;
        w.leaf("cbc:ID", &[], &number.to_string())?;
        w.leaf("cbc:IssueDate", &[], &issued.to_string())?;
        w.close("cac:InvoiceDocumentReference")?;
        w.close("cac:BillingReference")?;
    }

    w.open("cac:AccountingSupplierParty", &[])?;
    party(&mut w, &doc.seller, (SCHEME_CVR, &doc.seller.cvr), None)?;
    w.close("cac:AccountingSupplierParty")?;
    w.open("cac:AccountingCustomerParty", &[])?;
    let endpoint = match &doc.buyer_ean {
        Some(ean) => (SCHEME_GLN, ean.as_str()),
        None => (SCHEME_CVR, doc.buyer.cvr.as_str()),
    };
    party(&mut w, &doc.buyer, endpoint, Some(&doc.buyer_contact))?;
    w.close("cac:AccountingCustomerParty")?;

    // Credit transfer to the seller's account; the invoice number is the payment reference.
    w.open("cac:PaymentMeans", &[])?;
    w.leaf("cbc:PaymentMeansCode", &[("name", "Credit transfer")], "30")?;
    let reference = doc.refers_to.map_or(doc.number, |(invoice, _)| invoice);
    w.leaf("cbc:PaymentID", &[], &reference.to_string())?;
    w.open("cac:PayeeFinancialAccount", &[])?;
    w.leaf("cbc:ID", &[], &doc.iban)?;
    w.leaf(
        "cbc:Name",
        &[],
        &format!("Reg. {} konto {}", doc.bank_reg, doc.bank_account),
    )?;
    if !doc.bic.is_empty() {
        w.open("cac:FinancialInstitutionBranch", &[])?;
        w.leaf("cbc:ID", &[], &doc.bic)?;
        w.close("cac:FinancialInstitutionBranch")?;
    }
    w.close("cac:PayeeFinancialAccount")?;
    w.close("cac:PaymentMeans")?;
    w.open("cac:PaymentTerms", &[])?;
    let terms = match (doc.kind, doc.due_date) {
        (Kind::Invoice, Some(due)) => format!("Payment due {due}"),
        _ => "The credited amount is refunded or set off against open invoices".to_string(),
    };
    w.leaf("cbc:Note", &[], &terms)?;
    w.close("cac:PaymentTerms")?;

    w.open("cac:TaxTotal", &[])?;
    w.amount("cbc:TaxAmount", currency, doc.totals.vat)?;
    for b in &doc.totals.breakdown {
        w.open("cac:TaxSubtotal", &[])?;
        w.amount("cbc:TaxableAmount", currency, b.taxable)?;
        w.amount("cbc:TaxAmount", currency, b.vat)?;
        tax_category(&mut w, "cac:TaxCategory", b.rate_bp)?;
        w.close("cac:TaxSubtotal")?;
    }
    w.close("cac:TaxTotal")?;

    w.open("cac:LegalMonetaryTotal", &[])?;
    w.amount("cbc:LineExtensionAmount", currency, doc.totals.net)?;
    w.amount("cbc:TaxExclusiveAmount", currency, doc.totals.net)?;
    w.amount("cbc:TaxInclusiveAmount", currency, doc.totals.total)?;
    w.amount("cbc:PayableAmount", currency, doc.totals.total)?;
    w.close("cac:LegalMonetaryTotal")?;

    for (i, line) in doc.lines.iter().enumerate() {
        w.open(line_tag, &[])?;
        w.leaf("cbc:ID", &[], &(i + 1).to_string())?;
        w.leaf(
            quantity_tag,
            &[("unitCode", "C62")],
            &line.quantity.to_string(),
        )?;
        w.amount("cbc:LineExtensionAmount", currency, line.net())?;
        if let Some((start, end)) = line.period {
            w.open("cac:InvoicePeriod", &[])?;
            w.leaf("cbc:StartDate", &[], &start.to_string())?;
            w.leaf("cbc:EndDate", &[], &end.to_string())?;
            w.close("cac:InvoicePeriod")?;
        }
        w.open("cac:Item", &[])?;
        w.leaf("cbc:Name", &[], &line.description)?;
        tax_category(&mut w, "cac:ClassifiedTaxCategory", line.vat_rate_bp)?;
        w.close("cac:Item")?;
        w.open("cac:Price", &[])?;
        w.amount("cbc:PriceAmount", currency, line.unit_price)?;
        w.close("cac:Price")?;
        w.close(line_tag)?;
    }
    w.close(root)?;
    Ok(w.0.into_inner())
}

fn tax_category(w: &mut Xml, name: &str, rate_bp: i64) -> Result<()> {
    w.open(name, &[])?;
    // S: standard rated; Z: zero rated (a 0 % line, should an operator configure one).
    w.leaf("cbc:ID", &[], if rate_bp > 0 { "S" } else { "Z" })?;
    w.leaf("cbc:Percent", &[], &percent(rate_bp))?;
    w.open("cac:TaxScheme", &[])?;
    w.leaf("cbc:ID", &[], "VAT")?;
    w.close("cac:TaxScheme")?;
    w.close(name)
}

fn party(w: &mut Xml, p: &Party, endpoint: (&str, &str), contact: Option<&str>) -> Result<()> {
    w.open("cac:Party", &[])?;
    w.leaf("cbc:EndpointID", &[("schemeID", endpoint.0)], endpoint.1)?;
    w.open("cac:PartyName", &[])?;
    w.leaf("cbc:Name", &[], &p.name)?;
    w.close("cac:PartyName")?;
    w.open("cac:PostalAddress", &[])?;
    w.leaf("cbc:StreetName", &[], &p.street)?;
    w.leaf("cbc:CityName", &[], &p.city)?;
    w.leaf("cbc:PostalZone", &[], &p.postcode)?;
    w.open("cac:Country", &[])?;
    w.leaf("cbc:IdentificationCode", &[], &p.country)?;
    w.close("cac:Country")?;
    w.close("cac:PostalAddress")?;
    // Danish VAT numbers are "DK" and the CVR number.
    w.open("cac:PartyTaxScheme", &[])?;
    w.leaf("cbc:CompanyID", &[], &format!("DK{}", p.cvr))?;
    w.open("cac:TaxScheme", &[])?;
    w.leaf("cbc:ID", &[], "VAT")?;
    w.close("cac:TaxScheme")?;
    w.close("cac:PartyTaxScheme")?;
    w.open("cac:PartyLegalEntity", &[])?;
    w.leaf("cbc:RegistrationName", &[], &p.name)?;
    w.leaf("cbc:CompanyID", &[("schemeID", SCHEME_CVR)], &p.cvr)?;
    w.close("cac:PartyLegalEntity")?;
    let name = contact.unwrap_or_default();
    if !name.trim().is_empty() || !p.email.trim().is_empty() {
        w.open("cac:Contact", &[])?;
        w.leaf("cbc:Name", &[], name)?;
        w.leaf("cbc:ElectronicMail", &[], &p.email)?;
        w.close("cac:Contact")?;
    }
    w.close("cac:Party")
}
