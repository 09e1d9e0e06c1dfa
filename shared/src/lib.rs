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
//!
//! alarm-suppressor, the protection path: [`alarm`] (notifications) → [`suppress`] (what each
//! alarm does: offenders from the [`ledger`] onto the suppression list, [`sesv2`]) and [`pause`]
//! (sending paused and resumed from the alarms' current states, [`alarm_states`], under a lease);
//! [`store`] keeps its journal, the lease and pending work in the ledger table.

pub mod address;
pub mod alarm;
pub mod alarm_states;
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
pub mod lenient;
pub mod logging;
pub mod metrics;
pub mod pause;
pub mod render;
pub mod report;
pub mod reporter;
pub mod ses;
pub mod sesv2;
pub mod sink;
pub mod store;
pub mod suppress;
pub mod synth;
pub mod time;
