//! The credential providers a function binary keeps after the SDK's features were trimmed (issue
//! 13: no SSO, no credentials process, no default HTTPS client): environment credentials, as
//! Lambda gives them, and the container credentials endpoint (`AWS_CONTAINER_CREDENTIALS_FULL_URI`
//! with its authorization token, as Lambda SnapStart, ECS and local emulators give them), fetched
//! through the functions' own HTTP client. The real release binary writes a bounce to the ledger
//! in ministack with each.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};

use chrono::{Duration, SecondsFormat, Utc};
use serde_json::Value;
use ses_monitor_tests::lambda::function_binary;
use ses_monitor_tests::{Emulator, REGION, create_ledger_table, repo_root, target_dir};

const TABLE: &str = "credentials-ledger";
const TOKEN: &str = "container-token-1234";

/// A container credentials endpoint on a free loopback port: answers every GET with fresh
/// credentials and records the `Authorization` header of each request.
fn container_endpoint() -> (String, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/v2/credentials/ses-events", listener.local_addr().unwrap());
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut auth = String::new();
            let mut line = String::new();
            while reader.read_line(&mut line).is_ok_and(|n| n > 0) && line != "\r\n" {
                if let Some(v) = line.to_ascii_lowercase().strip_prefix("authorization:") {
                    auth = v.trim().to_string();
                }
                line.clear();
            }
            log.lock().unwrap().push(auth);
            let expires = (Utc::now() + Duration::hours(1)).to_rfc3339_opts(SecondsFormat::Secs, true);
            let body = format!(
                r#"{{"AccessKeyId":"ASIACONTAINERTEST","SecretAccessKey":"container-secret","Token":"container-session","Expiration":"{expires}"}}"#
            );
            let _ = write!(
                stream,
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    (url, seen)
}

/// events/sns-bounce-hard.json's bounce as of now (the ledger keeps 14 days), as a payload file.
fn fresh_bounce() -> std::path::PathBuf {
    let text = std::fs::read_to_string(repo_root().join("events/sns-bounce-hard.json")).unwrap();
    let mut sns: Value = serde_json::from_str(&text).unwrap();
    let mut bounce: Value =
        serde_json::from_str(sns["Records"][0]["Sns"]["Message"].as_str().unwrap()).unwrap();
    let now = Utc::now().to_rfc3339_opts(SecondsFormat::Millis, true);
    bounce["mail"]["timestamp"] = Value::String(now.clone());
    bounce["bounce"]["timestamp"] = Value::String(now);
    sns["Records"][0]["Sns"]["Message"] = Value::String(bounce.to_string());
    let path = target_dir().join(format!("credentials-bounce-{}.json", std::process::id()));
    std::fs::write(&path, sns.to_string()).unwrap();
    path
}

/// Runs ses-events `--event` on `payload` with `env` (and no other AWS settings), returns its
/// result JSON.
fn bounce_into_the_ledger(emu: &Emulator, payload: &std::path::Path, env: &[(&str, &str)]) -> Value {
    let none = target_dir().join("credentials-empty-profile");
    std::fs::write(&none, "").unwrap();
    let out = Command::new(function_binary("ses-events"))
        .args(["--event", &payload.display().to_string()])
        .env_clear()
        .envs([("AWS_EC2_METADATA_DISABLED", "true"), ("AWS_REGION", REGION), ("LEDGER_TABLE", TABLE)])
        .env("AWS_ENDPOINT_URL", emu.endpoint_url())
        .env("AWS_CONFIG_FILE", &none)
        .env("AWS_SHARED_CREDENTIALS_FILE", &none)
        .envs(env.iter().copied())
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "ses-events failed: {}\n{stdout}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_str(stdout.lines().last().unwrap_or_default()).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn environment_and_container_credentials_sign_the_functions_calls() {
    let emu = Emulator::start();
    create_ledger_table(&emu.sdk_config().await, TABLE).await;
    let payload = fresh_bounce();

    // Lambda's way: the role's credentials in the environment.
    let from_env = bounce_into_the_ledger(
        &emu,
        &payload,
        &[
            ("AWS_ACCESS_KEY_ID", "AKIDENVTEST"),
            ("AWS_SECRET_ACCESS_KEY", "env-secret"),
            ("AWS_SESSION_TOKEN", "s"),
        ],
    );
    assert_eq!(from_env["ledger"]["written"], 1, "{from_env}");

    // The container endpoint, with its authorization token, and no credentials in the environment.
    let (url, seen) = container_endpoint();
    let from_container = bounce_into_the_ledger(
        &emu,
        &payload,
        &[("AWS_CONTAINER_CREDENTIALS_FULL_URI", &url), ("AWS_CONTAINER_AUTHORIZATION_TOKEN", TOKEN)],
    );
    // The same bounce again: the ledger's conditional put finds it written.
    assert_eq!(from_container["ledger"]["duplicates"], 1, "{from_container}");
    let seen = seen.lock().unwrap().clone();
    assert!(!seen.is_empty(), "the container endpoint was never asked");
    assert!(seen.iter().all(|a| a == &TOKEN.to_ascii_lowercase()), "authorization token sent: {seen:?}");
    let _ = std::fs::remove_file(&payload);
}
