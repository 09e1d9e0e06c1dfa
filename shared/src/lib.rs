//! # ses-monitor
//!
//! Deliverability monitoring for Amazon SES senders: the logic of the ses-monitor Lambda
//! functions, with no Lambda runtime in it. Each function's `main.rs` only names its usage text,
//! builds configuration and clients, and hands its handler to [`platform::cli::run`].
//!
//! The folders read like the data flow:
//!
//! - [`envelope`]: the one envelope reader of all three functions (Lambda SNS/SQS records, SNS
//!   envelopes, invocation records, BOM, JSON lines); the payload kind decides what a document is.
//! - [`ses`]: the SES event model, with [`ses::address`] and [`ses::domains`] (recipient domain,
//!   cardinality cap).
//! - [`metrics`]: aggregation; [`metrics::schema`] is the leaf every other module may read (metric
//!   and dimension names, metric sets).
//! - [`sink`]: where metrics go ([`sink::MetricSink`]; EMF lines, PutMetricData).
//! - [`ledger`]: offenders by domain and time (DynamoDB); [`store`]: alarm-suppressor's journal,
//!   lease and pending work in the same table; [`sesv2`]: the SES v2 calls (suppression list,
//!   sending control, the report's email).
//! - One folder per function's logic: [`ingest`] (ses-events, with its cost estimator),
//!   [`alarm`] (notifications; [`alarm::states`]) and [`suppress`] (alarm-suppressor, with
//!   [`suppress::pause`]), [`report`] (rate-reporter: request, [`report::source`],
//!   [`report::stats`], [`report::render`]).
//! - [`platform`]: AWS configuration, environment parsing, logging, the command-line entry.
//! - Leaves: [`lenient`] (lenient JSON scalars), [`borrow`] (strings that really borrow from the
//!   input), `cursor` (the hand-written JSON reading of the quick readers), [`time`] (time parsing
//!   and keys).
//!
//! Each concern with an AWS service behind it has the same shape: `<concern>/mod.rs` holds the
//! trait and the domain types, `<concern>/<service>.rs` the SDK adapter, `<concern>/memory.rs` the
//! in-memory fake (behind the `test-util` feature, as is [`synth`], the traffic generator).

pub mod alarm;
pub mod borrow;
mod cursor;
pub mod envelope;
pub mod ingest;
pub mod ledger;
pub mod lenient;
pub mod metrics;
pub mod platform;
pub mod report;
pub mod ses;
pub mod sesv2;
pub mod sink;
pub mod store;
pub mod suppress;
#[cfg(any(test, feature = "test-util"))]
pub mod synth;
pub mod time;
