//! A document as a PDF with every field momsbekendtgørelsen § 58 asks for, in Danish with
//! English alongside. Written with pdf-writer; the text is set in DejaVu Sans (shipped in
//! `assets/fonts/`, licence beside it), embedded as a subset with a ToUnicode map, so any viewer
//! shows it and `pdftotext` reads it back, æøå included.

use std::collections::BTreeMap;

use pdf_writer::{
    Content, Filter, Finish, Name, Pdf, Rect, Ref, Str,
    types::{CidFontType, FontFlags, SystemInfo, UnicodeCmap},
};
use subsetter::GlyphRemapper;

use super::{
    document::{Document, Kind},
    domain::{Money, percent},
};
use crate::error::{Error, Result};

static REGULAR: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");
static BOLD: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans-Bold.ttf");

const PAGE_WIDTH: f32 = 595.0;
const PAGE_HEIGHT: f32 = 842.0;
const MARGIN: f32 = 50.0;
const BOTTOM: f32 = 70.0;

/// One embedded font and the glyphs the document used from it.
struct Font {
    face: ttf_parser::Face<'static>,
    data: &'static [u8],
    resource: &'static [u8],
    base_name: &'static [u8],
    remapper: GlyphRemapper,
    /// New glyph id → (character, advance in font units).
    used: BTreeMap<u16, (char, u16)>,
}

impl Font {
    fn new(data: &'static [u8], resource: &'static [u8], base_name: &'static [u8]) -> Result<Font> {
        Ok(Font {
            face: ttf_parser::Face::parse(data, 0).map_err(Error::internal)?,
            data,
            resource,
            base_name,
            remapper: GlyphRemapper::new(),
            used: BTreeMap::new(),
        })
    }

    fn advance(&self, c: char) -> u16 {
        self.face
            .glyph_index(c)
            .and_then(|g| self.face.glyph_hor_advance(g))
            .unwrap_or(0)
    }

    fn width(&self, text: &str, size: f32) -> f32 {
        let units: u32 = text.chars().map(|c| u32::from(self.advance(c))).sum();
        units as f32 * size / f32::from(self.face.units_per_em())
    }

    /// The text as two-byte glyph ids of the subset (Identity-H encoding).
    fn encode(&mut self, text: &str) -> Vec<u8> {
        let mut out = Vec::with_capacity(text.len() * 2);
        for c in text.chars() {
            let old = self.face.glyph_index(c).map_or(0, |g| g.0);
            let new = self.remapper.remap(old);
            let advance = self.advance(c);
            self.used.entry(new).or_insert((c, advance));
            out.extend_from_slice(&new.to_be_bytes());
        }
        out
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Weight {
    Regular,
    Bold,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Align {
    Left,
    Right,
}

/// Lays out text page by page.
struct Writer {
    fonts: [Font; 2],
    pages: Vec<Content>,
    y: f32,
}

impl Writer {
    fn font(&mut self, weight: Weight) -> &mut Font {
        &mut self.fonts[weight as usize]
    }

    fn text(&mut self, x: f32, y: f32, size: f32, weight: Weight, align: Align, text: &str) {
        let x = match align {
            Align::Left => x,
            Align::Right => x - self.font(weight).width(text, size),
        };
        let resource = self.font(weight).resource;
        let glyphs = self.font(weight).encode(text);
        let page = self.pages.last_mut().expect("a page");
        page.begin_text();
        page.set_font(Name(resource), size);
        page.next_line(x, y);
        page.show(Str(&glyphs));
        page.end_text();
    }

    /// Writes a line at the current height and moves down.
    fn line(&mut self, x: f32, size: f32, weight: Weight, text: &str) {
        self.need(size * 1.5);
        let y = self.y;
        self.text(x, y, size, weight, Align::Left, text);
        self.y -= size * 1.45;
    }

    fn rule(&mut self) {
        let y = self.y + 4.0;
        let page = self.pages.last_mut().expect("a page");
        page.set_line_width(0.5);
        page.move_to(MARGIN, y);
        page.line_to(PAGE_WIDTH - MARGIN, y);
        page.stroke();
        self.y -= 8.0;
    }

    /// Starts a new page when less than `height` is left on this one.
    fn need(&mut self, height: f32) {
        if self.y - height < BOTTOM {
            self.pages.push(Content::new());
            self.y = PAGE_HEIGHT - MARGIN;
        }
    }

    /// Breaks `text` into lines no wider than `width`.
    fn wrap(&self, text: &str, size: f32, width: f32) -> Vec<String> {
        let font = &self.fonts[0];
        let mut lines = Vec::new();
        let mut current = String::new();
        for word in text.split_whitespace() {
            let candidate = if current.is_empty() {
                word.to_string()
            } else {
                format!("{current} {word}")
            };
            if font.width(&candidate, size) > width && !current.is_empty() {
                lines.push(std::mem::take(&mut current));
                current = word.to_string();
            } else {
                current = candidate;
            }
        }
        if !current.is_empty() {
            lines.push(current);
        }
        lines
    }
}

/// `1.234,50`: Danish amounts, the currency named in the column heads.
fn amount(money: Money) -> String {
    let formatted = money.format(crate::i18n::Lang::Da);
    formatted.trim_end_matches(" kr.").to_string()
}

pub fn render(doc: &Document) -> Result<Vec<u8>> {
    let mut w = Writer {
        fonts: [
            Font::new(REGULAR, b"F1", b"JBAAAA+DejaVuSans")?,
            Font::new(BOLD, b"F2", b"JBAAAB+DejaVuSans-Bold")?,
        ],
        pages: vec![Content::new()],
        y: PAGE_HEIGHT - MARGIN,
    };
    let right = PAGE_WIDTH - MARGIN;
    let (title, number_label) = match doc.kind {
        Kind::Invoice => ("FAKTURA / INVOICE", "Fakturanr. / Invoice no."),
        Kind::CreditNote => (
            "KREDITNOTA / CREDIT NOTE",
            "Kreditnotanr. / Credit note no.",
        ),
    };

    // Seller (left) and title (right).
    let top = w.y;
    w.text(right, top, 16.0, Weight::Bold, Align::Right, title);
    w.line(MARGIN, 12.0, Weight::Bold, &doc.seller.name);
    w.line(MARGIN, 9.0, Weight::Regular, &doc.seller.street);
    w.line(
        MARGIN,
        9.0,
        Weight::Regular,
        &format!("{} {}", doc.seller.postcode, doc.seller.city),
    );
    w.line(
        MARGIN,
        9.0,
        Weight::Regular,
        &format!("CVR-nr. / VAT no.: DK{}", doc.seller.cvr),
    );
    w.line(MARGIN, 9.0, Weight::Regular, &doc.seller.email);
    w.y -= 14.0;

    // Document facts (right column) beside the buyer (left column).
    let block = w.y;
    let mut facts: Vec<(String, String)> = vec![
        (number_label.into(), doc.id()),
        (
            "Fakturadato / Issue date".into(),
            doc.issue_date.to_string(),
        ),
    ];
    if let Some(due) = doc.due_date {
        facts.push(("Forfaldsdato / Due date".into(), due.to_string()));
    }
    if let Some((number, issued)) = doc.refers_to {
        facts.push((
            "Vedrører faktura / Credits invoice".into(),
            format!("{number} ({issued})"),
        ));
    }
    facts.push(("Ordrenr. / Order no.".into(), doc.order_id.to_string()));
    facts.push((
        "Jeres reference / Your reference".into(),
        doc.buyer_reference.clone(),
    ));
    if let Some(ean) = &doc.buyer_ean {
        facts.push(("EAN-nr. / GLN".into(), ean.clone()));
    }
    let mut y = block;
    for (label, value) in &facts {
        w.text(330.0, y, 9.0, Weight::Regular, Align::Left, label);
        w.text(right, y, 9.0, Weight::Bold, Align::Right, value);
        y -= 13.0;
    }
    w.line(MARGIN, 9.0, Weight::Bold, "Køber / Buyer");
    w.line(MARGIN, 10.0, Weight::Regular, &doc.buyer.name);
    w.line(MARGIN, 9.0, Weight::Regular, &doc.buyer.street);
    w.line(
        MARGIN,
        9.0,
        Weight::Regular,
        &format!(
            "{} {} {}",
            doc.buyer.postcode, doc.buyer.city, doc.buyer.country
        ),
    );
    w.line(
        MARGIN,
        9.0,
        Weight::Regular,
        &format!("CVR-nr. / VAT no.: DK{}", doc.buyer.cvr),
    );
    if !doc.buyer_contact.is_empty() {
        w.line(
            MARGIN,
            9.0,
            Weight::Regular,
            &format!("Att.: {}", doc.buyer_contact),
        );
    }
    w.y = w.y.min(y) - 16.0;
    if let Some(reason) = &doc.reason {
        for (i, text) in w
            .wrap(&format!("Årsag / Reason: {reason}"), 9.0, right - MARGIN)
            .into_iter()
            .enumerate()
        {
            w.line(
                MARGIN,
                9.0,
                if i == 0 {
                    Weight::Bold
                } else {
                    Weight::Regular
                },
                &text,
            );
        }
        w.y -= 6.0;
    }

    // Lines: description (with the delivery period), quantity, unit price excl. VAT, VAT rate,
    // amount excl. VAT.
    // Column heads in Danish, then English, right-aligned over their numbers.
    const QTY: f32 = 320.0;
    const UNIT: f32 = 410.0;
    const RATE: f32 = 455.0;
    let heads: [[&str; 4]; 4] = [
        ["Antal", "Enhedspris", "Moms", "Beløb"],
        ["Qty", "Unit price", "VAT", "Amount"],
        ["", "ekskl. moms", "", "ekskl. moms"],
        ["", "excl. VAT, DKK", "", "excl. VAT, DKK"],
    ];
    let head = |w: &mut Writer| {
        w.need(50.0);
        for (row, labels) in heads.iter().enumerate() {
            let y = w.y;
            if row == 0 {
                w.text(
                    MARGIN,
                    y,
                    8.0,
                    Weight::Bold,
                    Align::Left,
                    "Beskrivelse / Description",
                );
            }
            let weight = if row < 2 {
                Weight::Bold
            } else {
                Weight::Regular
            };
            for (x, label) in [QTY, UNIT, RATE, right].into_iter().zip(labels) {
                w.text(x, y, 7.5, weight, Align::Right, label);
            }
            w.y -= 9.0;
        }
        w.y -= 4.0;
        w.rule();
    };
    head(&mut w);
    for line in &doc.lines {
        let description = w.wrap(&line.description, 9.0, QTY - MARGIN - 40.0);
        let height =
            13.0 * description.len() as f32 + if line.period.is_some() { 12.0 } else { 0.0 };
        let pages_before = w.pages.len();
        w.need(height + 4.0);
        if w.pages.len() != pages_before {
            head(&mut w);
        }
        let y = w.y;
        w.text(
            QTY,
            y,
            9.0,
            Weight::Regular,
            Align::Right,
            &line.quantity.to_string(),
        );
        w.text(
            UNIT,
            y,
            9.0,
            Weight::Regular,
            Align::Right,
            &amount(line.unit_price),
        );
        w.text(
            RATE,
            y,
            9.0,
            Weight::Regular,
            Align::Right,
            &format!("{} %", percent(line.vat_rate_bp)),
        );
        w.text(
            right,
            y,
            9.0,
            Weight::Regular,
            Align::Right,
            &amount(line.net()),
        );
        for text in &description {
            w.line(MARGIN, 9.0, Weight::Regular, text);
        }
        if let Some((start, end)) = line.period {
            w.line(
                MARGIN,
                8.0,
                Weight::Regular,
                &format!("Leveringsperiode / Delivery period: {start} – {end}"),
            );
        }
        w.y -= 3.0;
    }
    w.rule();

    // Totals: the taxable amount and VAT of each rate, then the whole.
    let mut totals: Vec<(String, String, Weight)> = vec![(
        "Total ekskl. moms / Total excl. VAT".into(),
        amount(doc.totals.net),
        Weight::Regular,
    )];
    for b in &doc.totals.breakdown {
        totals.push((
            format!(
                "Momsgrundlag {0} % / Taxable amount {0} %",
                percent(b.rate_bp)
            ),
            amount(b.taxable),
            Weight::Regular,
        ));
        totals.push((
            format!("Moms {0} % / VAT {0} %", percent(b.rate_bp)),
            amount(b.vat),
            Weight::Regular,
        ));
    }
    let total_label = match doc.kind {
        Kind::Invoice => "I alt inkl. moms / Total incl. VAT",
        Kind::CreditNote => "Krediteret i alt inkl. moms / Total credited incl. VAT",
    };
    totals.push((
        format!("{total_label}, {}", doc.currency),
        amount(doc.totals.total),
        Weight::Bold,
    ));
    w.need(14.0 * totals.len() as f32 + 10.0);
    for (label, value, weight) in &totals {
        let y = w.y;
        w.text(250.0, y, 9.5, *weight, Align::Left, label);
        w.text(right, y, 9.5, *weight, Align::Right, value);
        w.y -= 14.0;
    }
    w.y -= 14.0;

    // How to pay.
    w.need(70.0);
    w.line(MARGIN, 9.0, Weight::Bold, "Betaling / Payment");
    match doc.kind {
        Kind::Invoice => {
            w.line(
                MARGIN,
                9.0,
                Weight::Regular,
                &format!(
                    "Reg.nr. {} Kontonr. {} · IBAN {} · BIC {}",
                    doc.bank_reg, doc.bank_account, doc.iban, doc.bic
                ),
            );
            w.line(
                MARGIN,
                9.0,
                Weight::Regular,
                &format!(
                    "Angiv fakturanummer {0} ved betaling / Please quote invoice number {0}",
                    doc.number
                ),
            );
            if let Some(due) = doc.due_date {
                let note = format!(
                    "Ved betaling efter {due} beregnes renter og rykkergebyr efter renteloven. / Late payment incurs interest and reminder fees under the Danish Interest Act."
                );
                for text in w.wrap(&note, 8.0, right - MARGIN) {
                    w.line(MARGIN, 8.0, Weight::Regular, &text);
                }
            }
        }
        Kind::CreditNote => {
            w.line(
                MARGIN,
                9.0,
                Weight::Regular,
                "Beløbet tilbagebetales eller modregnes / The amount is refunded or set off",
            );
        }
    }
    finish(w)
}

fn finish(mut w: Writer) -> Result<Vec<u8>> {
    let mut pdf = Pdf::new();
    let mut next = 1;
    let mut id = || {
        let r = Ref::new(next);
        next += 1;
        r
    };
    let catalog = id();
    let tree = id();
    let font_ids: Vec<[Ref; 5]> = (0..w.fonts.len())
        .map(|_| [id(), id(), id(), id(), id()])
        .collect();
    let page_ids: Vec<(Ref, Ref)> = w.pages.iter().map(|_| (id(), id())).collect();

    pdf.catalog(catalog).pages(tree);
    pdf.pages(tree)
        .kids(page_ids.iter().map(|(page, _)| *page))
        .count(page_ids.len() as i32);
    for ((page_id, content_id), content) in page_ids.iter().zip(std::mem::take(&mut w.pages)) {
        let mut page = pdf.page(*page_id);
        page.media_box(Rect::new(0.0, 0.0, PAGE_WIDTH, PAGE_HEIGHT));
        page.parent(tree);
        page.contents(*content_id);
        let mut resources = page.resources();
        let mut fonts = resources.fonts();
        for (font, ids) in w.fonts.iter().zip(&font_ids) {
            fonts.pair(Name(font.resource), ids[0]);
        }
        fonts.finish();
        resources.finish();
        page.finish();
        let bytes = deflate(&content.finish());
        pdf.stream(*content_id, &bytes).filter(Filter::FlateDecode);
    }

    for (font, [type0, cid, descriptor, file, cmap]) in w.fonts.iter().zip(font_ids) {
        let units = f32::from(font.face.units_per_em());
        let scale = |v: i16| f32::from(v) * 1000.0 / units;
        let system = SystemInfo {
            registry: Str(b"Adobe"),
            ordering: Str(b"Identity"),
            supplement: 0,
        };
        pdf.type0_font(type0)
            .base_font(Name(font.base_name))
            .encoding_predefined(Name(b"Identity-H"))
            .descendant_font(cid)
            .to_unicode(cmap);
        let mut cid_font = pdf.cid_font(cid);
        cid_font
            .subtype(CidFontType::Type2)
            .base_font(Name(font.base_name))
            .system_info(system)
            .font_descriptor(descriptor)
            .default_width(0.0)
            .cid_to_gid_map_predefined(Name(b"Identity"));
        let mut widths = cid_font.widths();
        for (gid, (_, advance)) in &font.used {
            widths.consecutive(*gid, [f32::from(*advance) * 1000.0 / units]);
        }
        widths.finish();
        cid_font.finish();

        let bbox = font.face.global_bounding_box();
        let mut fd = pdf.font_descriptor(descriptor);
        fd.name(Name(font.base_name))
            .flags(FontFlags::NON_SYMBOLIC)
            .bbox(Rect::new(
                scale(bbox.x_min),
                scale(bbox.y_min),
                scale(bbox.x_max),
                scale(bbox.y_max),
            ))
            .italic_angle(0.0)
            .ascent(scale(font.face.ascender()))
            .descent(scale(font.face.descender()))
            .cap_height(scale(
                font.face.capital_height().unwrap_or(font.face.ascender()),
            ))
            .stem_v(80.0)
            .font_file2(file);
        fd.finish();

        let subset = subsetter::subset(font.data, 0, &font.remapper).map_err(Error::internal)?;
        let compressed = deflate(&subset);
        pdf.stream(file, &compressed)
            .filter(Filter::FlateDecode)
            .pair(Name(b"Length1"), subset.len() as i32);

        let mut map = UnicodeCmap::new(Name(b"Custom"), system);
        for (gid, (c, _)) in &font.used {
            map.pair(*gid, *c);
        }
        pdf.cmap(cmap, &map.finish());
    }
    Ok(pdf.finish())
}

fn deflate(bytes: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut encoder = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    // Writing to a Vec cannot fail.
    let _ = encoder.write_all(bytes);
    encoder.finish().unwrap_or_default()
}
