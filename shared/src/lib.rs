//! # ses-monitor
//!
//! Deliverability monitoring for Amazon SES senders: the logic of the ses-monitor Lambda
//! functions, with no Lambda runtime in it. Each function's `main.rs` only builds configuration
//! and clients and calls into this crate.
//!
//! ses-events, the event → metrics path:
//! [`envelope`] (SNS/SQS/raw payloads → SES documents) → [`ses`] (SES JSON types) →
//! [`address`] + [`domains`] (recipient domain, cardinality cap) → [`metrics`] (aggregation) →
//! [`sink`] ([`emf`] or [`cloudwatch`]), orchestrated by [`ingest`].

pub mod address;
pub mod alarm;
pub mod aws;
pub mod cli;
pub mod cloudwatch;
pub mod config;
pub mod cost;
pub mod domains;
pub mod emf;
pub mod envelope;
pub mod ingest;
pub mod ledger;
pub mod logging;
pub mod metrics;
pub mod render;
pub mod report;
pub mod reporter;
pub mod ses;
pub mod sesv2;
pub mod sink;
pub mod suppress;
pub mod synth;
