//! What every function stands on: the AWS SDK configuration ([`aws`]), environment parsing
//! ([`config`]), logging with addresses scrubbed ([`logging`]) and the command-line entry every
//! `main.rs` calls ([`cli`]).

pub mod aws;
pub mod cli;
pub mod config;
pub mod logging;
