//! The `--event PATH` mode shared by every function binary: one invocation on a file, without
//! the Lambda runtime, printing the result JSON as the last line of stdout.

use std::io::Read;

/// What the command line asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mode {
    /// No arguments: serve the Lambda Runtime API.
    Lambda,
    /// `--event PATH` (`-` = stdin): run once on that payload.
    Event(String),
    /// `--help`.
    Help,
}

/// Reads the arguments (after the program name).
pub fn parse_args<I: IntoIterator<Item = String>>(args: I) -> Result<Mode, String> {
    let mut it = args.into_iter();
    let mut mode = Mode::Lambda;
    while let Some(a) = it.next() {
        match a.as_str() {
            "--event" | "-e" => mode = Mode::Event(it.next().ok_or("--event needs a path (or - for stdin)")?),
            "--help" | "-h" => return Ok(Mode::Help),
            s if s.starts_with("--event=") => mode = Mode::Event(s["--event=".len()..].to_string()),
            other => return Err(format!("unknown argument {other:?} (try --help)")),
        }
    }
    Ok(mode)
}

/// Reads a payload file, or stdin for `-`.
pub fn read_payload(path: &str) -> std::io::Result<String> {
    if path == "-" {
        let mut s = String::new();
        std::io::stdin().read_to_string(&mut s)?;
        Ok(s)
    } else {
        std::fs::read_to_string(path).map_err(|e| std::io::Error::new(e.kind(), format!("{path}: {e}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(args: &[&str]) -> Result<Mode, String> {
        parse_args(args.iter().map(|s| s.to_string()))
    }

    #[test]
    fn modes() {
        assert_eq!(p(&[]), Ok(Mode::Lambda));
        assert_eq!(p(&["--event", "e.json"]), Ok(Mode::Event("e.json".into())));
        assert_eq!(p(&["--event=-"]), Ok(Mode::Event("-".into())));
        assert_eq!(p(&["-h"]), Ok(Mode::Help));
        assert!(p(&["--event"]).is_err());
        assert!(p(&["--bogus"]).is_err());
    }
}
