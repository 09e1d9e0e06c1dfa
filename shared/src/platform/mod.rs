//! What every function stands on: the AWS SDK configuration ([`aws`]), environment parsing
//! ([`config`]), logging with addresses scrubbed ([`logging`]), the command-line entry every
//! `main.rs` calls ([`cli`]) and the one reader of payload files and archives ([`lines`]).

pub mod aws;
pub mod cli;
pub mod config;
pub mod lines;
pub mod logging;
