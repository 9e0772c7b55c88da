-- The last references without an index of their own (the story "every reference between tables
-- is indexed" keeps it so): deleting a company, an ad, an order, an invoice, a product or a
-- consent text checks these rows by index instead of reading the whole table for each one.
CREATE INDEX disclosures_company ON disclosures (company_id);
CREATE INDEX saved_ads_ad ON saved_ads (ad_id);
CREATE INDEX cookie_consents_text_hash ON cookie_consents (text_hash);
CREATE INDEX billing_packages_product ON billing_packages (product_id);
CREATE INDEX billing_orders_product ON billing_orders (product_id);
CREATE INDEX invoices_order ON invoices (order_id);
CREATE INDEX bank_import_lines_invoice ON bank_import_lines (invoice_id);
