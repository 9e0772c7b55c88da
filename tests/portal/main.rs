//! Black-box stories against the running portal, grouped by capability. Each story runs on
//! SQLite and, when `TEST_DATABASE_URL` is set, on PostgreSQL.

mod browser;
mod fixtures;
mod helpers;
mod routes;

mod access;
mod account_security;
mod accounts;
mod ads;
mod alerts;
mod applications;
mod audit;
mod billing;
mod companies;
mod company_pages;
mod consent;
mod faults;
mod first_hour;
mod forms;
mod mail;
mod newsletter;
mod operator_console;
mod operator_sign_in;
mod pages;
mod privacy_centre;
mod privacy_registry;
mod privacy_requests;
mod profiles;
mod retention;
mod schema;
mod search;
mod security;
mod uploads;
