-- Billing: products, orders, packages, invoices and credit notes with gap-free numbers,
-- payments (recorded or imported from a bank CSV), reminders, each company's billing details
-- and customer status, and e-mail attachments made from bytes (invoice PDF and UBL).
-- Issued documents and their lines are never updated (triggers below); the retention
-- sweeper deletes them 5 years after the end of their financial year. Company and person
-- ids in bookkeeping rows are plain numbers, so the records outlive the accounts they name.

CREATE TABLE billing_products (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    code TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL CHECK (kind IN ('listing', 'featured', 'package')),
    name_en TEXT NOT NULL,
    name_da TEXT NOT NULL,
    price_ore BIGINT NOT NULL CHECK (price_ore >= 0),
    vat_rate_bp INTEGER NOT NULL,
    listing_days INTEGER NOT NULL,
    featured_days INTEGER NOT NULL DEFAULT 0,
    package_ads INTEGER NOT NULL DEFAULT 0,
    package_months INTEGER NOT NULL DEFAULT 0,
    active BOOLEAN NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

-- Where a company's invoices go (NemHandel: EAN/GLN and the buyer's order reference).
CREATE TABLE billing_profiles (
    company_id INTEGER PRIMARY KEY REFERENCES companies(id) ON DELETE CASCADE,
    billing_email TEXT NOT NULL,
    street TEXT NOT NULL,
    postcode TEXT NOT NULL,
    city TEXT NOT NULL,
    country TEXT NOT NULL DEFAULT 'DK',
    ean TEXT,
    order_reference TEXT,
    updated_at TEXT NOT NULL
);

-- Lead until the first purchase, then paying customer; every change with its reason.
CREATE TABLE customer_status_events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    company_id INTEGER NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('lead', 'customer')),
    reason TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX customer_status_events_company ON customer_status_events (company_id, id);

-- One counter row per number series, advanced in the transaction that writes the document.
CREATE TABLE billing_series (
    series TEXT PRIMARY KEY CHECK (series IN ('invoice', 'credit_note')),
    next_number BIGINT NOT NULL
);
INSERT INTO billing_series (series, next_number) VALUES ('invoice', 1), ('credit_note', 1);

CREATE TABLE billing_packages (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    company_id INTEGER NOT NULL,
    product_id INTEGER REFERENCES billing_products(id) ON DELETE SET NULL,
    ads_total INTEGER NOT NULL,
    valid_until TEXT NOT NULL,
    created_at TEXT NOT NULL,
    financial_year_end TEXT NOT NULL
);
CREATE INDEX billing_packages_company ON billing_packages (company_id, valid_until);

CREATE TABLE billing_orders (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    company_id INTEGER NOT NULL,
    ordered_by INTEGER,
    product_id INTEGER REFERENCES billing_products(id) ON DELETE SET NULL,
    product_kind TEXT NOT NULL,
    description TEXT NOT NULL,
    quantity INTEGER NOT NULL,
    unit_price_ore BIGINT NOT NULL,
    vat_rate_bp INTEGER NOT NULL,
    ad_id INTEGER,
    -- The package this order used (an ad from a package costs nothing more) or bought.
    package_id INTEGER REFERENCES billing_packages(id) ON DELETE SET NULL,
    period_start TEXT NOT NULL,
    period_end TEXT NOT NULL,
    created_at TEXT NOT NULL,
    financial_year_end TEXT NOT NULL
);
CREATE INDEX billing_orders_company ON billing_orders (company_id, created_at);
CREATE INDEX billing_orders_ad ON billing_orders (ad_id, created_at);
CREATE INDEX billing_orders_package ON billing_orders (package_id);

CREATE TABLE invoices (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    number BIGINT NOT NULL UNIQUE,
    order_id INTEGER NOT NULL REFERENCES billing_orders(id),
    company_id INTEGER NOT NULL,
    issue_date TEXT NOT NULL,
    due_date TEXT NOT NULL,
    currency TEXT NOT NULL,
    net_ore BIGINT NOT NULL,
    vat_ore BIGINT NOT NULL,
    total_ore BIGINT NOT NULL,
    seller_name TEXT NOT NULL,
    seller_street TEXT NOT NULL,
    seller_postcode TEXT NOT NULL,
    seller_city TEXT NOT NULL,
    seller_cvr TEXT NOT NULL,
    seller_email TEXT NOT NULL,
    seller_bank_reg TEXT NOT NULL,
    seller_bank_account TEXT NOT NULL,
    seller_iban TEXT NOT NULL,
    seller_bic TEXT NOT NULL,
    buyer_name TEXT NOT NULL,
    buyer_street TEXT NOT NULL,
    buyer_postcode TEXT NOT NULL,
    buyer_city TEXT NOT NULL,
    buyer_country TEXT NOT NULL,
    buyer_cvr TEXT NOT NULL,
    buyer_email TEXT NOT NULL,
    buyer_ean TEXT,
    buyer_reference TEXT NOT NULL,
    buyer_contact TEXT NOT NULL,
    ordered_by INTEGER,
    created_at TEXT NOT NULL,
    financial_year_end TEXT NOT NULL
);
CREATE INDEX invoices_company ON invoices (company_id, issue_date);
CREATE INDEX invoices_due ON invoices (due_date);

CREATE TABLE invoice_lines (
    invoice_id INTEGER NOT NULL REFERENCES invoices(id) ON DELETE CASCADE,
    line_no INTEGER NOT NULL,
    description TEXT NOT NULL,
    quantity INTEGER NOT NULL,
    unit_price_ore BIGINT NOT NULL,
    net_ore BIGINT NOT NULL,
    vat_rate_bp INTEGER NOT NULL,
    period_start TEXT,
    period_end TEXT,
    PRIMARY KEY (invoice_id, line_no)
);

CREATE TABLE credit_notes (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    number BIGINT NOT NULL UNIQUE,
    invoice_id INTEGER NOT NULL REFERENCES invoices(id),
    issue_date TEXT NOT NULL,
    reason TEXT NOT NULL,
    net_ore BIGINT NOT NULL,
    vat_ore BIGINT NOT NULL,
    total_ore BIGINT NOT NULL,
    issued_by INTEGER,
    created_at TEXT NOT NULL,
    financial_year_end TEXT NOT NULL
);
CREATE INDEX credit_notes_invoice ON credit_notes (invoice_id);

CREATE TABLE credit_note_lines (
    credit_note_id INTEGER NOT NULL REFERENCES credit_notes(id) ON DELETE CASCADE,
    line_no INTEGER NOT NULL,
    description TEXT NOT NULL,
    quantity INTEGER NOT NULL,
    unit_price_ore BIGINT NOT NULL,
    net_ore BIGINT NOT NULL,
    vat_rate_bp INTEGER NOT NULL,
    PRIMARY KEY (credit_note_id, line_no)
);

CREATE TABLE billing_payments (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    invoice_id INTEGER NOT NULL REFERENCES invoices(id),
    amount_ore BIGINT NOT NULL,
    paid_on TEXT NOT NULL,
    reference TEXT NOT NULL,
    source TEXT NOT NULL CHECK (source IN ('manual', 'bank')),
    recorded_by INTEGER,
    created_at TEXT NOT NULL,
    financial_year_end TEXT NOT NULL
);
CREATE INDEX billing_payments_invoice ON billing_payments (invoice_id);

-- Lines of an uploaded bank statement waiting for an operator's review.
CREATE TABLE bank_import_lines (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    import_key TEXT NOT NULL,
    line_no INTEGER NOT NULL,
    paid_on TEXT NOT NULL,
    amount_ore BIGINT NOT NULL,
    reference TEXT NOT NULL,
    invoice_id INTEGER REFERENCES invoices(id) ON DELETE CASCADE,
    problem TEXT NOT NULL CHECK (problem IN ('unknown_reference', 'wrong_amount', 'already_paid')),
    created_at TEXT NOT NULL,
    resolved_at TEXT,
    resolution TEXT CHECK (resolution IN ('booked', 'dismissed')),
    financial_year_end TEXT NOT NULL
);
CREATE INDEX bank_import_lines_open ON bank_import_lines (resolved_at, id);

CREATE TABLE billing_reminders (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    invoice_id INTEGER NOT NULL REFERENCES invoices(id),
    seq INTEGER NOT NULL CHECK (seq BETWEEN 1 AND 3),
    sent_on TEXT NOT NULL,
    outstanding_ore BIGINT NOT NULL,
    fee_ore BIGINT NOT NULL,
    compensation_ore BIGINT NOT NULL,
    interest_ore BIGINT NOT NULL,
    created_at TEXT NOT NULL,
    financial_year_end TEXT NOT NULL,
    UNIQUE (invoice_id, seq)
);

-- Issued documents are never changed (corrections are credit notes).
CREATE TRIGGER invoices_never_updated BEFORE UPDATE ON invoices
BEGIN
    SELECT RAISE(ABORT, 'an issued invoice is never changed');
END;
CREATE TRIGGER invoice_lines_never_updated BEFORE UPDATE ON invoice_lines
BEGIN
    SELECT RAISE(ABORT, 'an issued invoice is never changed');
END;
CREATE TRIGGER credit_notes_never_updated BEFORE UPDATE ON credit_notes
BEGIN
    SELECT RAISE(ABORT, 'an issued credit note is never changed');
END;
CREATE TRIGGER credit_note_lines_never_updated BEFORE UPDATE ON credit_note_lines
BEGIN
    SELECT RAISE(ABORT, 'an issued credit note is never changed');
END;

-- Featured ads come first in lists and search results until this instant.
ALTER TABLE ads ADD COLUMN featured_until TEXT;

-- Attachments made from bytes (an invoice's PDF and UBL), sent with a queued e-mail and
-- dropped once it is sent.
CREATE TABLE outbox_documents (
    outbox_id INTEGER NOT NULL REFERENCES outbox(id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    name TEXT NOT NULL,
    content_type TEXT NOT NULL,
    bytes BLOB NOT NULL,
    PRIMARY KEY (outbox_id, position)
);
