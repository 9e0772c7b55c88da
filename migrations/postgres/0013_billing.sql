-- Billing: products, orders, packages, invoices and credit notes with gap-free numbers,
-- payments (recorded or imported from a bank CSV), reminders, each company's billing details
-- and customer status, and e-mail attachments made from bytes (invoice PDF and UBL).
-- Issued documents and their lines are never updated (triggers below); the retention
-- sweeper deletes them 5 years after the end of their financial year. Company and person
-- ids in bookkeeping rows are plain numbers, so the records outlive the accounts they name.

CREATE TABLE billing_products (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL CHECK (kind IN ('listing', 'featured', 'package')),
    name_en TEXT NOT NULL,
    name_da TEXT NOT NULL,
    price_ore BIGINT NOT NULL CHECK (price_ore >= 0),
    vat_rate_bp BIGINT NOT NULL,
    listing_days BIGINT NOT NULL,
    featured_days BIGINT NOT NULL DEFAULT 0,
    package_ads BIGINT NOT NULL DEFAULT 0,
    package_months BIGINT NOT NULL DEFAULT 0,
    active BOOLEAN NOT NULL DEFAULT TRUE,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);

-- Where a company's invoices go (NemHandel: EAN/GLN and the buyer's order reference).
CREATE TABLE billing_profiles (
    company_id BIGINT PRIMARY KEY REFERENCES companies(id) ON DELETE CASCADE,
    billing_email TEXT NOT NULL,
    street TEXT NOT NULL,
    postcode TEXT NOT NULL,
    city TEXT NOT NULL,
    country TEXT NOT NULL DEFAULT 'DK',
    ean TEXT,
    order_reference TEXT,
    updated_at TIMESTAMPTZ NOT NULL
);

-- Lead until the first purchase, then paying customer; every change with its reason.
CREATE TABLE customer_status_events (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    company_id BIGINT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('lead', 'customer')),
    reason TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX customer_status_events_company ON customer_status_events (company_id, id);

-- One counter row per number series, advanced in the transaction that writes the document.
CREATE TABLE billing_series (
    series TEXT PRIMARY KEY CHECK (series IN ('invoice', 'credit_note')),
    next_number BIGINT NOT NULL
);
INSERT INTO billing_series (series, next_number) VALUES ('invoice', 1), ('credit_note', 1);

CREATE TABLE billing_packages (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    company_id BIGINT NOT NULL,
    product_id BIGINT REFERENCES billing_products(id) ON DELETE SET NULL,
    ads_total BIGINT NOT NULL,
    valid_until TIMESTAMPTZ NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    financial_year_end TIMESTAMPTZ NOT NULL
);
CREATE INDEX billing_packages_company ON billing_packages (company_id, valid_until);

CREATE TABLE billing_orders (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    company_id BIGINT NOT NULL,
    ordered_by BIGINT,
    product_id BIGINT REFERENCES billing_products(id) ON DELETE SET NULL,
    product_kind TEXT NOT NULL,
    description TEXT NOT NULL,
    quantity BIGINT NOT NULL,
    unit_price_ore BIGINT NOT NULL,
    vat_rate_bp BIGINT NOT NULL,
    ad_id BIGINT,
    -- The package this order used (an ad from a package costs nothing more) or bought.
    package_id BIGINT REFERENCES billing_packages(id) ON DELETE SET NULL,
    period_start DATE NOT NULL,
    period_end DATE NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    financial_year_end TIMESTAMPTZ NOT NULL
);
CREATE INDEX billing_orders_company ON billing_orders (company_id, created_at);
CREATE INDEX billing_orders_ad ON billing_orders (ad_id, created_at);
CREATE INDEX billing_orders_package ON billing_orders (package_id);

CREATE TABLE invoices (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    number BIGINT NOT NULL UNIQUE,
    order_id BIGINT NOT NULL REFERENCES billing_orders(id),
    company_id BIGINT NOT NULL,
    issue_date DATE NOT NULL,
    due_date DATE NOT NULL,
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
    ordered_by BIGINT,
    created_at TIMESTAMPTZ NOT NULL,
    financial_year_end TIMESTAMPTZ NOT NULL
);
CREATE INDEX invoices_company ON invoices (company_id, issue_date);
CREATE INDEX invoices_due ON invoices (due_date);

CREATE TABLE invoice_lines (
    invoice_id BIGINT NOT NULL REFERENCES invoices(id) ON DELETE CASCADE,
    line_no BIGINT NOT NULL,
    description TEXT NOT NULL,
    quantity BIGINT NOT NULL,
    unit_price_ore BIGINT NOT NULL,
    net_ore BIGINT NOT NULL,
    vat_rate_bp BIGINT NOT NULL,
    period_start DATE,
    period_end DATE,
    PRIMARY KEY (invoice_id, line_no)
);

CREATE TABLE credit_notes (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    number BIGINT NOT NULL UNIQUE,
    invoice_id BIGINT NOT NULL REFERENCES invoices(id),
    issue_date DATE NOT NULL,
    reason TEXT NOT NULL,
    net_ore BIGINT NOT NULL,
    vat_ore BIGINT NOT NULL,
    total_ore BIGINT NOT NULL,
    issued_by BIGINT,
    created_at TIMESTAMPTZ NOT NULL,
    financial_year_end TIMESTAMPTZ NOT NULL
);
CREATE INDEX credit_notes_invoice ON credit_notes (invoice_id);

CREATE TABLE credit_note_lines (
    credit_note_id BIGINT NOT NULL REFERENCES credit_notes(id) ON DELETE CASCADE,
    line_no BIGINT NOT NULL,
    description TEXT NOT NULL,
    quantity BIGINT NOT NULL,
    unit_price_ore BIGINT NOT NULL,
    net_ore BIGINT NOT NULL,
    vat_rate_bp BIGINT NOT NULL,
    PRIMARY KEY (credit_note_id, line_no)
);

CREATE TABLE billing_payments (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    invoice_id BIGINT NOT NULL REFERENCES invoices(id),
    amount_ore BIGINT NOT NULL,
    paid_on DATE NOT NULL,
    reference TEXT NOT NULL,
    source TEXT NOT NULL CHECK (source IN ('manual', 'bank')),
    recorded_by BIGINT,
    created_at TIMESTAMPTZ NOT NULL,
    financial_year_end TIMESTAMPTZ NOT NULL
);
CREATE INDEX billing_payments_invoice ON billing_payments (invoice_id);

-- Lines of an uploaded bank statement waiting for an operator's review.
CREATE TABLE bank_import_lines (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    import_key TEXT NOT NULL,
    line_no BIGINT NOT NULL,
    paid_on DATE NOT NULL,
    amount_ore BIGINT NOT NULL,
    reference TEXT NOT NULL,
    invoice_id BIGINT REFERENCES invoices(id) ON DELETE CASCADE,
    problem TEXT NOT NULL CHECK (problem IN ('unknown_reference', 'wrong_amount', 'already_paid')),
    created_at TIMESTAMPTZ NOT NULL,
    resolved_at TIMESTAMPTZ,
    resolution TEXT CHECK (resolution IN ('booked', 'dismissed')),
    financial_year_end TIMESTAMPTZ NOT NULL
);
CREATE INDEX bank_import_lines_open ON bank_import_lines (resolved_at, id);

CREATE TABLE billing_reminders (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    invoice_id BIGINT NOT NULL REFERENCES invoices(id),
    seq BIGINT NOT NULL CHECK (seq BETWEEN 1 AND 3),
    sent_on DATE NOT NULL,
    outstanding_ore BIGINT NOT NULL,
    fee_ore BIGINT NOT NULL,
    compensation_ore BIGINT NOT NULL,
    interest_ore BIGINT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    financial_year_end TIMESTAMPTZ NOT NULL,
    UNIQUE (invoice_id, seq)
);

-- Issued documents are never changed (corrections are credit notes).
CREATE FUNCTION billing_documents_never_updated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'an issued invoice or credit note is never changed';
END;
$$;
CREATE TRIGGER invoices_never_updated BEFORE UPDATE ON invoices
    FOR EACH ROW EXECUTE FUNCTION billing_documents_never_updated();
CREATE TRIGGER invoice_lines_never_updated BEFORE UPDATE ON invoice_lines
    FOR EACH ROW EXECUTE FUNCTION billing_documents_never_updated();
CREATE TRIGGER credit_notes_never_updated BEFORE UPDATE ON credit_notes
    FOR EACH ROW EXECUTE FUNCTION billing_documents_never_updated();
CREATE TRIGGER credit_note_lines_never_updated BEFORE UPDATE ON credit_note_lines
    FOR EACH ROW EXECUTE FUNCTION billing_documents_never_updated();

-- Featured ads come first in lists and search results until this instant.
ALTER TABLE ads ADD COLUMN featured_until TIMESTAMPTZ;

-- Attachments made from bytes (an invoice's PDF and UBL), sent with a queued e-mail and
-- dropped once it is sent.
CREATE TABLE outbox_documents (
    outbox_id BIGINT NOT NULL REFERENCES outbox(id) ON DELETE CASCADE,
    position BIGINT NOT NULL,
    name TEXT NOT NULL,
    content_type TEXT NOT NULL,
    bytes BYTEA NOT NULL,
    PRIMARY KEY (outbox_id, position)
);
