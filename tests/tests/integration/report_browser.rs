//! The daily report as a person sees it: the example report (the one in docs/) opened in headless
//! Chromium at phone widths (320, 375, 414 px) and at desktop width (1024 px). Fails on horizontal
//! overflow (the document wider than the viewport), on a broken image, on a domain name broken
//! inside it (its text on more than one line), on an element wider than the screen or scrolling
//! sideways inside, and on text under 14 px. Screenshots are written
//! to `target/report-screenshots/report-<width>.png` (docs/ holds copies of the 375 and 1024 px
//! ones).
//!
//! Chromium is Debian's `chromium` package, installed by `scripts/setup-tools`. Without it the
//! test fails when `CI` is set, and otherwise prints a notice and passes (a developer without
//! apt); `CHROMIUM=/path` picks another binary.

use std::path::{Path, PathBuf};
use std::process::Command;

use chrono::{DateTime, Utc};
use ses_monitor::report::{ReporterConfig, handle, render};
use ses_monitor::sesv2::MemorySes;
use ses_monitor::synth::{example_activity, example_source};
use ses_monitor_tests::target_dir;

/// The widths checked: the smallest phones, the common ones, a desktop.
const WIDTHS: [u32; 4] = [320, 375, 414, 1024];

/// The page Chromium opens: the report in a frame exactly `width` px wide (headless Chromium's
/// window is at least 500 px wide, so a phone's viewport is a frame's), and a script that writes
/// what it measured in the frame into the DOM, which `--dump-dom` prints once the page (frame and
/// images included) has loaded. `@DOMAINS@`, `@WIDTH@`, `@HEIGHT@` are filled in.
const WRAPPER: &str = r#"<!DOCTYPE html><html><head><meta charset="utf-8"></head>
<body style="margin:0;background:#3c4043">
<iframe id="report" src="report.html" style="display:block;border:0;width:@WIDTH@px;height:@HEIGHT@px;background:#ffffff"></iframe>
<script>
window.addEventListener('load', function () {
  var domains = @DOMAINS@;
  var win = document.getElementById('report').contentWindow, doc = win.document;
  var out = { viewport: win.innerWidth, width: doc.documentElement.scrollWidth,
              height: doc.documentElement.scrollHeight, images: [], broken_domains: [], small_text: [],
              sideways: [] };
  // an element past the right edge, or one that scrolls sideways inside (overflow-x:auto)
  doc.querySelectorAll('body *').forEach(function (el) {
    var r = el.getBoundingClientRect();
    if (r.right > win.innerWidth + 0.5 || el.scrollWidth > el.clientWidth + 1 && el.clientWidth > 0)
      out.sideways.push(el.tagName + ' ' + (el.textContent || '').trim().slice(0, 30));
  });
  doc.querySelectorAll('img').forEach(function (img) {
    out.images.push({ src: img.getAttribute('src'), complete: img.complete, natural_width: img.naturalWidth });
  });
  // the text of the page, with where each text node starts
  var nodes = [], text = '';
  var walker = doc.createTreeWalker(doc.body, NodeFilter.SHOW_TEXT);
  for (var n = walker.nextNode(); n; n = walker.nextNode()) {
    nodes.push({ node: n, at: text.length }); text += n.data;
    var size = parseFloat(win.getComputedStyle(n.parentElement).fontSize);
    if (n.data.trim() && size < 14) out.small_text.push(n.data.trim().slice(0, 40) + ' (' + size + 'px)');
  }
  function locate(i) {
    for (var k = nodes.length - 1; k >= 0; k--) if (nodes[k].at <= i) return [nodes[k].node, i - nodes[k].at];
  }
  // a domain name whose text lies on more than one line is broken
  domains.forEach(function (d) {
    for (var i = text.indexOf(d); i >= 0; i = text.indexOf(d, i + 1)) {
      var r = doc.createRange(), a = locate(i), b = locate(i + d.length - 1);
      r.setStart(a[0], a[1]); r.setEnd(b[0], b[1] + 1);
      var lines = {};
      Array.prototype.forEach.call(r.getClientRects(), function (c) { if (c.width > 0) lines[Math.round(c.bottom)] = 1; });
      if (Object.keys(lines).length > 1) out.broken_domains.push(d);
    }
  });
  var pre = document.createElement('pre'); pre.id = 'measured';
  pre.textContent = JSON.stringify(out); document.body.appendChild(pre);
});
</script></body></html>"#;

/// The Chromium binary, or `None` (with the reason) when there is none.
fn chromium() -> Result<PathBuf, String> {
    let bin = std::env::var_os("CHROMIUM").map(PathBuf::from).unwrap_or_else(|| "chromium".into());
    match Command::new(&bin).arg("--version").output() {
        Ok(o) if o.status.success() => Ok(bin),
        Ok(o) => Err(format!("{} --version failed: {}", bin.display(), String::from_utf8_lossy(&o.stderr))),
        Err(e) => Err(format!("{}: {e}", bin.display())),
    }
}

/// Runs headless Chromium with flags only (no network, no profile left behind).
fn run_chromium(
    bin: &Path,
    profile: &Path,
    width: u32,
    height: u32,
    extra: &[String],
    page: &Path,
) -> String {
    let out = Command::new(bin)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
            "--force-device-scale-factor=1",
            // the wrapper page reads the frame's document (both are files)
            "--allow-file-access-from-files",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg(format!("--window-size={width},{height}"))
        .args(extra)
        .arg(format!("file://{}", page.display()))
        .output()
        .expect("run chromium");
    assert!(
        out.status.success(),
        "chromium failed ({}): {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The example report's files: the HTML (its `cid:` images pointed at the PNG files written next
/// to it, as a mail client shows the inline attachments) and the domain names it shows.
async fn example_report(dir: &Path) -> (String, Vec<String>) {
    let now: DateTime<Utc> = "2026-11-27T06:00:00Z".parse().unwrap();
    let source = example_source("2026-11-26T00:00:00Z".parse().unwrap());
    let cfg = ReporterConfig::from_lookup(|k| (k == "REPORT_TOP_DOMAINS").then(|| "6".to_string())).unwrap();
    let activity = example_activity("2026-11-26T00:00:00Z".parse().unwrap()).await;
    let result = handle(&cfg, &source, &activity, &MemorySes::default(), "{}", now).await.unwrap();
    std::fs::create_dir_all(dir).unwrap();
    // the HTML with its images as files next to it, as REPORT_OUTPUT writes it
    let page = dir.join("report.html");
    ses_monitor::report::write_local(page.to_str().unwrap(), &result.report, &render::charts(&result.report))
        .unwrap();
    let html = std::fs::read_to_string(&page).unwrap();
    assert_eq!(
        html,
        render::html(&result.report, render::ImageSrc::ContentId).replace("src=\"cid:", "src=\""),
        "the local page is the email's HTML with cid: pointing at the files"
    );
    let activity = result.report.activity.as_ref().expect("the example has a ledger");
    let domains = (result.report.domains.iter().map(|d| d.domain.clone()))
        .chain(activity.long_tail.iter().map(|t| t.domain.clone()))
        .collect();
    (html, domains)
}

#[tokio::test]
async fn the_report_reads_on_a_phone_and_a_desktop() {
    let bin = match chromium() {
        Ok(b) => b,
        Err(why) if std::env::var_os("CI").is_some() => {
            panic!(
                "CI is set and Chromium is missing ({why}): scripts/setup-tools installs Debian's `chromium`"
            )
        }
        Err(why) => {
            eprintln!("NOTICE: report_browser skipped, no Chromium ({why}); scripts/setup-tools installs it");
            return;
        }
    };
    let dir = target_dir().join("report-screenshots");
    let (html, domains) = example_report(&dir).await;
    assert!(
        domains.iter().any(|d| d.contains('.')),
        "the example shows real domain names (long tail): {domains:?}"
    );
    assert!(html.matches("<img ").count() >= 2, "the example has charts");
    let domain_list = serde_json::to_string(&domains).unwrap();
    let wrapper = |width: u32, height: u64| {
        WRAPPER
            .replace("@DOMAINS@", &domain_list)
            .replace("@WIDTH@", &width.to_string())
            .replace("@HEIGHT@", &height.to_string())
    };
    let profile = std::env::temp_dir().join(format!("ses-monitor-chromium-{}", std::process::id()));
    let mut failures = Vec::new();
    for width in WIDTHS {
        let page = dir.join(format!("measure-{width}.html"));
        std::fs::write(&page, wrapper(width, 800)).unwrap();
        let window = width.max(500);
        let dom = run_chromium(&bin, &profile, window, 900, &["--dump-dom".into()], &page);
        let json = dom
            .split("<pre id=\"measured\">")
            .nth(1)
            .and_then(|s| s.split("</pre>").next())
            .unwrap_or_else(|| panic!("{width} px: no measurement in the dumped DOM:\n{dom}"));
        let m: serde_json::Value = serde_json::from_str(&json.replace("&quot;", "\"").replace("&amp;", "&"))
            .unwrap_or_else(|e| panic!("{width} px: {e}: {json}"));
        assert_eq!(m["viewport"], width, "{width} px: the report's viewport is the frame's width");
        if m["width"].as_u64().unwrap() > u64::from(width) {
            failures
                .push(format!("{width} px: the document is {} px wide (horizontal scrolling)", m["width"]));
        }
        for el in m["sideways"].as_array().unwrap().iter().take(5) {
            failures.push(format!("{width} px: wider than the screen or scrolling sideways: {el}"));
        }
        for img in m["images"].as_array().unwrap() {
            if img["complete"] != true || img["natural_width"].as_u64() == Some(0) {
                failures.push(format!("{width} px: broken image {img}"));
            }
        }
        for d in m["broken_domains"].as_array().unwrap() {
            failures.push(format!("{width} px: the domain name {d} is broken across lines"));
        }
        for t in m["small_text"].as_array().unwrap() {
            failures.push(format!("{width} px: text under 14 px: {t}"));
        }
        // the screenshot: the whole report, as tall as it is at this width (a phone's frame on a
        // grey page when the width is under Chromium's 500 px)
        let height = m["height"].as_u64().unwrap().clamp(200, 8000);
        std::fs::write(&page, wrapper(width, height)).unwrap();
        let png = dir.join(format!("report-{width}.png"));
        let _ = std::fs::remove_file(&png);
        run_chromium(
            &bin,
            &profile,
            window,
            height as u32,
            &[format!("--screenshot={}", png.display())],
            &page,
        );
        let bytes = std::fs::read(&png)
            .unwrap_or_else(|e| panic!("{width} px: no screenshot {}: {e}", png.display()));
        assert!(bytes.starts_with(b"\x89PNG\r\n\x1a\n"), "{width} px: the screenshot is a PNG");
    }
    let _ = std::fs::remove_dir_all(&profile);
    assert!(failures.is_empty(), "the report does not read well:\n{}", failures.join("\n"));
}
