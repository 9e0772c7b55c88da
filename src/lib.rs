//! jobboard: a job portal with privacy built in. The binary (`main.rs`) is a thin CLI over
//! this library, which the integration tests drive over HTTP.

pub mod accounts;
pub mod ads;
pub mod alerts;
pub mod api;
pub mod app;
pub mod applications;
pub mod audit;
pub mod billing;
pub mod calendar;
pub mod companies;
pub mod config;
pub mod db;
pub mod demo;
mod demo_ads;
pub mod documents;
pub mod domain;
pub mod error;
pub mod files;
mod housekeeping;
pub mod i18n;
pub mod identity;
#[cfg(test)]
mod layering;
pub mod mail;
pub mod marketing;
pub mod newsletter;
pub mod operator;
pub mod passwords;
pub mod privacy;
pub mod profiles;
pub mod retention;
pub mod search;
pub mod secrets;
mod site;
pub mod state;
pub mod support;
pub mod teams;
pub mod text;
pub mod web;
