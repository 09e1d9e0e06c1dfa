//! What the function binaries link (issue 13, smaller binaries): none of them pulls in the
//! crates their trimmed features left out. Each line of `FORBIDDEN` was in every binary before
//! (the SDK's default features, lambda_runtime's and tracing-subscriber's), and coming back would
//! grow them again without anyone noticing: a default feature switched back on, or a new
//! dependency on a crate with its defaults. Read from `cargo tree` of each function package,
//! normal dependencies only (what `cargo lambda build --release --bin <function>` compiles).

use std::process::Command;

/// (crate, why it must stay out).
const FORBIDDEN: &[(&str, &str)] = &[
    ("aws-lc-rs", "TLS runs on ring (platform::aws::http_client), not the SDK's default client"),
    ("aws-lc-sys", "the same, its C library"),
    ("rustls v0.21", "the SDK crates' legacy `rustls` feature: a second TLS stack"),
    ("hyper v0.14", "the legacy hyper 0.14 client of that feature"),
    ("aws-sdk-sso", "aws-config's `sso` feature: a Lambda function has environment credentials"),
    ("aws-sdk-ssooidc", "the same"),
    ("p256", "SigV4a (sesv2's default `sigv4a`), only for multi-region endpoints"),
    ("regex-automata", "tracing-subscriber's env-filter: platform::logging filters with Targets"),
];

#[test]
fn function_binaries_leave_out_the_trimmed_crates() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    for function in ["ses-events", "alarm-suppressor", "rate-reporter"] {
        let out = Command::new(env!("CARGO"))
            .current_dir(root)
            .args(["tree", "--locked", "--offline", "-e", "normal", "--prefix", "none", "-p", function])
            .output()
            .unwrap();
        assert!(out.status.success(), "cargo tree -p {function}: {}", String::from_utf8_lossy(&out.stderr));
        let tree = String::from_utf8(out.stdout).unwrap();
        assert!(
            tree.lines().any(|l| l.starts_with("aws-config ")),
            "{function}: an unexpected tree:\n{tree}"
        );
        for (name, why) in FORBIDDEN {
            // `name v1.2.3`: a bare name up to its space, a versioned one (`hyper v0.14`) as a prefix.
            let prefix = if name.contains(' ') { name.to_string() } else { format!("{name} ") };
            let found: Vec<&str> = tree.lines().filter(|l| l.starts_with(&prefix)).collect();
            assert!(found.is_empty(), "{function} links {found:?} again: {why}");
        }
    }
}
