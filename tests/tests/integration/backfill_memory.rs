//! Backfill of a big archive in constant memory (issue 13): the release binary of ses-events is
//! given a generated JSON-lines archive more than 20 times larger than the peak memory it is
//! allowed, and its peak resident set (the kernel's high-water mark for that process, `VmHWM`)
//! must stay under the bound. Before, `--event` read the whole file into a string
//! (and every line's documents into a list): the peak grew with the file (≈ 1.7 × its size).

use std::io::{BufRead, BufReader, BufWriter, Write};
use std::process::{Command, Stdio};

use chrono::{DateTime, Duration, Utc};
use ses_monitor::synth::Generator;
use ses_monitor_tests::lambda::function_binary;
use ses_monitor_tests::target_dir;

/// The most resident memory a backfill may use, whatever the archive's size.
const PEAK_RSS_BOUND_MIB: u64 = 24;

/// The archive is at least this many times the bound.
const SIZE_FACTOR: u64 = 20;

#[test]
fn backfill_memory_stays_flat_on_an_archive_20_times_the_bound() {
    let dir = target_dir().join("backfill-memory");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("archive.jsonl");
    let now: DateTime<Utc> = Utc::now();
    // Events over the last 13 days (every minute of them a series of its own, so the run
    // publishes many parts), written until the file is SIZE_FACTOR × the bound.
    let want = SIZE_FACTOR * (PEAK_RSS_BOUND_MIB << 20);
    let mut g = Generator::new(13);
    let mut out = BufWriter::with_capacity(1 << 20, std::fs::File::create(&path).unwrap());
    let (mut written, mut events) = (0u64, 0u64);
    let span_ms = 13 * 24 * 3600 * 1000;
    while written < want {
        let at = now - Duration::milliseconds((events * 997) as i64 % span_ms);
        let line = g.next_json(at);
        out.write_all(line.as_bytes()).unwrap();
        out.write_all(b"\n").unwrap();
        written += line.len() as u64 + 1;
        events += 1;
    }
    out.flush().unwrap();
    drop(out);

    // Reaped by `waitpid` below, which polls its memory until it exits.
    #[allow(clippy::zombie_processes)]
    let mut child = Command::new(function_binary("ses-events"))
        .arg("--event")
        .arg(&path)
        .env_clear()
        .envs([("AWS_EC2_METADATA_DISABLED", "true"), ("PATH", "/usr/bin:/bin"), ("RUST_LOG", "warn")])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("run ses-events");
    // EMF lines stream by; the result JSON is the last line.
    let stdout = child.stdout.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut last = String::new();
        let mut lines = 0u64;
        for line in BufReader::new(stdout).lines() {
            last = line.unwrap();
            lines += 1;
        }
        (last, lines)
    });
    let (status, peak_kib) = wait_with_peak_rss(child.id());
    let (summary, stdout_lines) = reader.join().unwrap();
    std::fs::remove_file(&path).unwrap();

    assert_eq!(status, 0, "exit status; last line: {summary}");
    let summary: serde_json::Value = serde_json::from_str(&summary).unwrap();
    assert_eq!(summary["events"], events, "{summary}");
    assert_eq!(summary["skipped"], 0, "{summary}");
    assert!(stdout_lines > 1000, "EMF lines written as it went: {stdout_lines}");
    let peak_mib = peak_kib as f64 / 1024.0;
    assert!(
        peak_kib < PEAK_RSS_BOUND_MIB * 1024,
        "peak RSS {peak_mib:.1} MiB for a {} MiB archive of {events} events (bound {PEAK_RSS_BOUND_MIB} MiB)",
        written >> 20
    );
    // Straight to stderr: shown with --nocapture (the figure for the note).
    let _ = writeln!(
        std::io::stderr(),
        "backfill: {events} events, {} MiB archive, peak RSS {peak_mib:.1} MiB",
        written >> 20
    );
}

/// Waits for the child `pid` and returns its exit code and its peak resident set in KiB: the
/// kernel's high-water mark of the process's own memory (`VmHWM` in `/proc/<pid>/status`, which
/// only grows), read every few milliseconds until it exits. (`wait4`'s `ru_maxrss` is not it: when
/// the child is forked, it also holds the peak of the test process before `exec`, tens of MiB
/// while the other tests run.)
fn wait_with_peak_rss(pid: u32) -> (i32, u64) {
    let status_file = format!("/proc/{pid}/status");
    let mut peak_kib = 0u64;
    loop {
        if let Some(kib) = std::fs::read_to_string(&status_file).ok().and_then(|s| {
            let line = s.lines().find(|l| l.starts_with("VmHWM:"))?.to_string();
            line.split_whitespace().nth(1)?.parse::<u64>().ok()
        }) {
            peak_kib = peak_kib.max(kib);
        }
        let mut status = 0;
        // SAFETY: a plain waitpid on our own child, WNOHANG: returns at once.
        let got = unsafe { libc::waitpid(pid as libc::pid_t, &mut status, libc::WNOHANG) };
        assert!(got >= 0, "waitpid: {}", std::io::Error::last_os_error());
        if got == pid as libc::pid_t {
            let code = if libc::WIFEXITED(status) { libc::WEXITSTATUS(status) } else { -1 };
            return (code, peak_kib);
        }
        std::thread::sleep(std::time::Duration::from_millis(2));
    }
}
