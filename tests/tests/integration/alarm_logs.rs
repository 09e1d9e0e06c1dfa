//! What alarm-suppressor writes to its logs, from the real binary (`--event`, no AWS needed):
//! email addresses are personal data, and a plain-text SNS message on the alarm topic (someone
//! publishing a test message, a bounce text pasted by hand) may quote some. Before issue 10 the
//! skip's preview logged the message's first 60 characters, addresses and all.

use std::process::{Command, Stdio};

use serde_json::{Value, json};
use ses_monitor::platform::logging::redact;
use ses_monitor_tests::lambda::function_binary;
use ses_monitor_tests::target_dir;

/// Runs the binary on a payload with only these variables set; (stdout, stderr).
fn run(payload: &Value, env: &[(&str, &str)]) -> (String, String) {
    let dir = target_dir().join("alarm-logs");
    std::fs::create_dir_all(&dir).expect("directory");
    let path = dir.join(format!("payload-{}.json", std::process::id()));
    std::fs::write(&path, payload.to_string()).expect("payload");
    let out = Command::new(function_binary("alarm-suppressor"))
        .arg("--event")
        .arg(&path)
        .env_clear()
        // hermetic: no instance metadata lookups, no AWS profile of the machine
        .envs([("AWS_EC2_METADATA_DISABLED", "true"), ("AWS_REGION", "us-east-1")])
        .env("AWS_CONFIG_FILE", dir.join("none"))
        .env("AWS_SHARED_CREDENTIALS_FILE", dir.join("none"))
        .envs(env.iter().copied())
        .stdin(Stdio::null())
        .output()
        .expect("run alarm-suppressor");
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    );
    assert!(out.status.success(), "{stderr}");
    (stdout, stderr)
}

#[test]
fn a_plain_text_message_is_logged_without_its_addresses() {
    let text = "Bounce from jane.doe@example.com: mailbox full; cc \"Bob\" <bob@example.org>";
    let payload =
        json!({"Records": [{"EventSource": "aws:sns", "Sns": {"Type": "Notification", "Message": text}}]});
    for level in ["info", "trace"] {
        let (stdout, stderr) = run(&payload, &[("RUST_LOG", level)]);
        let result: Value =
            serde_json::from_str(stdout.lines().last().unwrap_or_default()).expect("result JSON");
        assert_eq!(result["skip_reasons"], json!({"plain_text_message": 1}), "{stdout}");
        assert!(stderr.contains("plain_text_message"), "{stderr}");
        for address in ["jane.doe@example.com", "bob@example.org"] {
            let local = address.split('@').next().unwrap_or_default();
            assert!(!stderr.contains(local), "RUST_LOG={level}: {address} in the log:\n{stderr}");
            assert!(stdout.lines().all(|l| !l.contains(local)), "{stdout}");
        }
        // The domain and a stable hash stay, so the message can be followed.
        assert!(stderr.contains(&redact("jane.doe@example.com", false)), "{stderr}");
    }
    // With LOG_RECIPIENTS=true the operator asked for addresses: the cut preview may show them.
    let (_, stderr) = run(&payload, &[("LOG_RECIPIENTS", "true")]);
    assert!(stderr.contains("plain_text_message"), "{stderr}");
}
