//! What a person reads when a function binary is run wrong (issue 11): one line of plain text
//! that says what is missing and what to do, never a Debug dump. Before, a wrong argument printed
//! `Error: "unknown argument \"--bogus\" (try --help)\nusage: …"` (Debug-quoted, a literal `\n`),
//! and rate-reporter without AWS credentials two screens of SDK internals.

use std::process::{Command, Output, Stdio};

use ses_monitor::platform::aws::{NO_CREDENTIALS, NO_REGION};
use ses_monitor_tests::lambda::{FUNCTIONS, function_binary};
use ses_monitor_tests::target_dir;

/// Runs a binary with only `env` set (no instance metadata, no profile of this machine).
fn run(name: &str, args: &[&str], env: &[(&str, &str)]) -> Output {
    // an empty profile file: nothing configured, and nothing to warn about
    let none = target_dir().join("cli-errors-empty-profile");
    std::fs::write(&none, "").expect("profile file");
    Command::new(function_binary(name))
        .args(args)
        .env_clear()
        .envs([("AWS_EC2_METADATA_DISABLED", "true"), ("PATH", "/usr/bin:/bin")])
        .env("AWS_CONFIG_FILE", &none)
        .env("AWS_SHARED_CREDENTIALS_FILE", &none)
        .envs(env.iter().copied())
        .stdin(Stdio::null())
        .output()
        .expect("run the binary")
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn a_wrong_argument_is_one_plain_line_and_the_usage() {
    for name in FUNCTIONS {
        let out = run(name, &["--bogus"], &[]);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(2), "{name}: {err}");
        let mut lines = err.lines();
        assert_eq!(lines.next(), Some(r#"error: unknown argument "--bogus" (try --help)"#), "{name}: {err}");
        assert!(lines.next().is_some_and(|l| l.starts_with(&format!("usage: {name}"))), "{name}: {err}");
        assert!(!err.contains("\\n") && !err.contains("Error: \""), "{name}: {err}");
        // --help answers on stdout, successfully
        let help = run(name, &["--help"], &[]);
        assert!(help.status.success(), "{name}");
        assert!(String::from_utf8_lossy(&help.stdout).starts_with(&format!("usage: {name}")));
    }
}

#[test]
fn missing_aws_settings_are_said_in_one_line() {
    let events = ses_monitor_tests::repo_root().join("events/sns-send.json");
    let event = events.to_str().expect("path");
    let cases = [
        // no credentials anywhere (environment, profile, instance)
        (vec![("AWS_REGION", "eu-west-1")], NO_CREDENTIALS),
        // credentials but no region
        (vec![("AWS_ACCESS_KEY_ID", "x"), ("AWS_SECRET_ACCESS_KEY", "y")], NO_REGION),
    ];
    for (env, said) in cases {
        let out = run("rate-reporter", &["--event", event], &env);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(1), "{err}");
        assert_eq!(err.lines().count(), 1, "one line, not the SDK's internals:\n{err}");
        assert_eq!(err.trim_end(), format!("error: CloudWatch ListMetrics failed: {said}"));
        // the detail is there for who asks for it
        let debug = stderr(&run(
            "rate-reporter",
            &["--event", event],
            &[env.as_slice(), &[("RUST_LOG", "debug")]].concat(),
        ));
        assert!(debug.lines().count() > 1, "{debug}");
    }
}
