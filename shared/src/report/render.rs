//! The report as an email: a subject, an HTML body that reads well on a phone (one table, inline
//! CSS only, as mail clients strip `<style>`), and a plain-text alternative.
//!
//! Everything that comes from data (domain names, tag values, the namespace) is escaped.

use std::fmt::Write;

use crate::report::chart::{self, Hourly, Scale};
use crate::report::reasons::Reasons;
use crate::report::stats::{POSTMASTER_TOOLS, Rate, Report, Row, Status};
use crate::sesv2::InlineImage;

/// Escapes text for HTML element content and quoted attribute values.
pub fn escape_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if c.is_control() && c != '\n' && c != '\t' => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    out
}

/// Text for a subject or plain-text line: no line breaks or control characters.
fn plain(s: &str) -> String {
    s.chars().map(|c| if c.is_control() { ' ' } else { c }).collect()
}

fn pct(r: &Rate) -> String {
    fmt_pct(r.value)
}

fn fmt_pct(v: f64) -> String {
    let p = v * 100.0;
    if p < 0.0005 {
        "0%".into()
    } else if p < 0.1 {
        format!("{p:.3}%")
    } else if p < 10.0 {
        format!("{p:.2}%")
    } else {
        format!("{p:.1}%")
    }
}

/// The report's WATCH / WARN / CRITICAL thresholds as percentages: hard bounces, complaints.
fn threshold_pcts(r: &Report) -> ([String; 3], [String; 3]) {
    let th = &r.thresholds;
    (th.hard_bounce.0.map(fmt_pct), th.complaint.0.map(fmt_pct))
}

/// A count with thousands separators (`12,345`).
pub(crate) fn fmt_count(v: f64) -> String {
    let n = v.round() as i64;
    let s = n.abs().to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if n < 0 { format!("-{out}") } else { out }
}

fn fmt_pp(v: Option<f64>) -> String {
    match v {
        Some(v) if v.abs() < 0.005 => "±0".into(),
        Some(v) => format!("{v:+.2} pp"),
        None => "–".into(),
    }
}

fn fmt_volume(v: Option<f64>) -> String {
    match v {
        Some(v) => format!("{:.0}% of usual", v * 100.0),
        None => "no baseline".into(),
    }
}

/// Background and text colours of a status badge.
fn colours(s: Status) -> (&'static str, &'static str) {
    match s {
        Status::Ok => ("#e6f4ea", "#137333"),
        Status::Watch => ("#fef7e0", "#8a5a00"),
        Status::Warn => ("#fde7d9", "#b3400b"),
        Status::Critical => ("#fce8e6", "#a50e0e"),
    }
}

/// The subject: worst status, then the totals.
pub fn subject(r: &Report) -> String {
    let t = &r.total;
    plain(&format!(
        "[{}] SES deliverability {}: {} sent, {} hard bounces ({}), {} complaints ({})",
        r.status.as_str(),
        subject_window(r),
        fmt_count(t.counts.sends),
        fmt_count(t.counts.hard_bounces),
        pct(&t.hard_bounce_rate),
        fmt_count(t.counts.complaints),
        pct(&t.complaint_rate),
    ))
}

/// The window as a subject names it: the date for one whole UTC day (the daily report), else
/// its length and end (`24 h to 2026-11-27 13:05 UTC`), so a rolling window is not mistaken for
/// the day it starts on.
fn subject_window(r: &Report) -> String {
    let whole_day = r.end - r.start == chrono::Duration::days(1) && r.start.time() == chrono::NaiveTime::MIN;
    if whole_day {
        return r.start.format("%Y-%m-%d").to_string();
    }
    let minutes = (r.end - r.start).num_minutes();
    let length = if minutes % 60 == 0 { format!("{} h", minutes / 60) } else { format!("{minutes} min") };
    format!("{length} to {} UTC", r.end.format("%Y-%m-%d %H:%M"))
}

fn window_text(r: &Report) -> String {
    format!("{} – {} UTC", r.start.format("%Y-%m-%d %H:%M"), r.end.format("%Y-%m-%d %H:%M"))
}

/// The plain-text body.
pub fn text(r: &Report) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "SES deliverability report, {}", window_text(r));
    let _ = writeln!(s, "Overall status: {}\n", r.status.as_str());
    let line = |s: &mut String, row: &Row| {
        let c = &row.counts;
        let complaint_rate = if row.complaints_measured {
            pct(&row.complaint_rate)
        } else {
            format!("not measured: Gmail sends SES no complaint feedback, see {POSTMASTER_TOOLS}")
        };
        let _ = writeln!(
            s,
            "{:<9} {:<32} sent {:>9}  delivered {:>7}  hard bounces {:>7} ({})  complaints {:>6} ({})",
            row.status.as_str(),
            plain(&row.domain),
            fmt_count(c.sends),
            pct(&row.delivery_rate),
            fmt_count(c.hard_bounces),
            pct(&row.hard_bounce_rate),
            fmt_count(c.complaints),
            complaint_rate,
        );
    };
    line(&mut s, &r.total);
    let _ = writeln!(
        s,
        "          vs the 7 days before: volume {}, hard bounces {}, complaints {}\n",
        fmt_volume(r.total.volume_vs_baseline),
        fmt_pp(r.total.hard_bounce_change_pp),
        fmt_pp(r.total.complaint_change_pp)
    );
    for row in &r.domains {
        line(&mut s, row);
    }
    let _ = writeln!(
        s,
        "\nAccount reputation (AWS/SES): bounce rate {}, complaint rate {}",
        r.reputation.bounce_rate.map_or("not published".into(), fmt_pct),
        r.reputation.complaint_rate.map_or("not published".into(), fmt_pct)
    );
    let ([h1, h2, h3], [c1, c2, c3]) = threshold_pcts(r);
    let _ = writeln!(
        s,
        "Statuses use the lower bound of a 95% confidence interval. Hard bounces: WATCH > {h1}, WARN > {h2}, CRITICAL > {h3}; complaints: WATCH > {c1}, WARN > {c2}, CRITICAL > {c3}.",
    );
    s
}

fn badge(s: Status) -> String {
    let (bg, fg) = colours(s);
    format!(
        "<span style=\"display:inline-block;padding:1px 8px;border-radius:10px;background:{bg};color:{fg};font-weight:700;font-size:14px;white-space:nowrap\">{}</span>",
        s.as_str()
    )
}

/// A domain name that never breaks inside a label: each label (with its dot) is kept whole
/// (`white-space:nowrap`), and a long name may break only after a dot (`<wbr>`), so a phone shows
/// `mail.example.` / `co.uk` rather than `yahoo.c` / `om`.
pub fn domain_html(d: &str) -> String {
    const NOWRAP: &str = "<span style=\"white-space:nowrap\">";
    if d.chars().count() <= 24 || !d.contains('.') {
        return format!("{NOWRAP}{}</span>", escape_html(d));
    }
    let labels: Vec<&str> = d.split_inclusive('.').collect();
    labels.iter().map(|l| format!("{NOWRAP}{}</span>", escape_html(l))).collect::<Vec<_>>().join("<wbr>")
}

/// One label/value line of a card: two columns that fit 320 px; the value may wrap between words.
fn card_line(label: &str, value: &str) -> String {
    format!(
        "<tr><td style=\"padding:4px 8px 4px 0;color:#5f6368;vertical-align:top;white-space:nowrap;width:1%\">{label}</td><td style=\"padding:4px 0;vertical-align:top\">{value}</td></tr>"
    )
}

/// A rate as a card shows it: the count, the rate (coloured by its status) and its interval.
fn rate_value(count: f64, r: &Rate, status: Status) -> String {
    let colour = if status > Status::Ok { colours(status).1 } else { "#202124" };
    format!(
        "{} · <b style=\"color:{colour}\">{}</b> <span style=\"color:#5f6368;white-space:nowrap\">(95%: {}–{})</span>",
        fmt_count(count),
        pct(r),
        fmt_pct(r.low),
        fmt_pct(r.high)
    )
}

/// What the complaint line says for a provider that sends SES no complaint feedback.
fn unmeasured_complaints(count: f64) -> String {
    format!(
        "{} · <b>not measured</b>: Gmail sends no complaint feedback to SES, so this rate reads 0% whatever happens; see <a href=\"{POSTMASTER_TOOLS}\" style=\"color:#1a73e8\">Google Postmaster Tools</a>",
        fmt_count(count)
    )
}

/// `label count · label count …`, the first `n` items, then how many more.
fn top_list<K>(items: &[(K, usize)], n: usize, label: impl Fn(&K) -> String) -> String {
    let mut parts: Vec<String> = items
        .iter()
        .take(n)
        .map(|(k, c)| {
            format!(
                "<span style=\"white-space:nowrap\">{} <b>{}</b></span>",
                escape_html(&label(k)),
                fmt_count(*c as f64)
            )
        })
        .collect();
    let rest: usize = items.iter().skip(n).map(|(_, c)| c).sum();
    if rest > 0 {
        parts.push(format!(
            "<span style=\"white-space:nowrap\">others <b>{}</b></span>",
            fmt_count(rest as f64)
        ));
    }
    parts.join(" · ")
}

/// A line across the whole card (a label, then a list that wraps between its items).
fn wide_line(label: &str, value: &str) -> String {
    format!(
        "<tr><td colspan=\"2\" style=\"padding:4px 0;vertical-align:top\"><span style=\"color:#5f6368\">{label}:</span> {value}</td></tr>"
    )
}

/// The reasons lines of a flagged domain's card.
fn reason_lines(why: &Reasons) -> String {
    let mut s = String::new();
    if !why.hard_bounces.is_empty() {
        s.push_str(&wide_line(
            "Why hard bounces",
            &top_list(&why.hard_bounces, 3, |r| r.label().to_string()),
        ));
    }
    if !why.soft_bounces.is_empty() {
        s.push_str(&wide_line(
            "Why soft bounces",
            &top_list(&why.soft_bounces, 3, |r| r.label().to_string()),
        ));
    }
    if !why.complaints.is_empty() {
        s.push_str(&wide_line("Complaint feedback types", &top_list(&why.complaints, 3, |t| t.clone())));
    }
    s
}

/// How the HTML refers to the charts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImageSrc {
    /// `cid:<content id>`: the email's inline attachments.
    ContentId,
    /// `<file name>`: PNG files next to a local HTML file (`REPORT_OUTPUT`, `--from-emf`).
    File,
}

/// The content id of a chart, which is also its file name: `chart-total.png`, or
/// `chart-d<i>.png` for the `i`-th domain row.
fn chart_id(row: Option<usize>) -> String {
    row.map_or_else(|| "chart-total.png".to_string(), |i| format!("chart-d{i}.png"))
}

/// The charts' rows: the total (`None`) and each domain row with hourly numbers (flagged).
fn chart_rows(r: &Report) -> Vec<(Option<usize>, &Row)> {
    let mut v = vec![(None, &r.total)];
    v.extend(
        r.domains
            .iter()
            .enumerate()
            .filter(|(_, d)| r.hourly.contains_key(&d.domain))
            .map(|(i, d)| (Some(i), d)),
    );
    v.into_iter().filter(|(_, row)| r.hourly.contains_key(&row.domain)).collect()
}

fn chart_scale(r: &Report, row: &Row, h: &Hourly) -> Scale {
    Scale::of(h, r.thresholds.hard_bounce.0[1], r.thresholds.complaint.0[1], row.complaints_measured)
}

/// The charts as inline PNG attachments, in the order the HTML shows them.
pub fn charts(r: &Report) -> Vec<InlineImage> {
    chart_rows(r)
        .into_iter()
        .filter_map(|(i, row)| {
            let h = r.hourly.get(&row.domain)?;
            let id = chart_id(i);
            Some(InlineImage {
                file_name: id.clone(),
                content_id: id,
                content_type: "image/png".into(),
                data: chart::png(h, chart_scale(r, row, h), row.complaints_measured),
            })
        })
        .collect()
}

/// A small square of a chart colour, for the legend.
fn swatch(c: [u8; 3]) -> String {
    format!(
        "<span style=\"display:inline-block;width:10px;height:10px;background:#{:02x}{:02x}{:02x}\"></span>",
        c[0], c[1], c[2]
    )
}

/// A row's chart with its labels (times, legend, maxima, thresholds) in HTML around the image.
fn chart_html(r: &Report, i: Option<usize>, row: &Row, src: ImageSrc) -> String {
    let Some(h) = r.hourly.get(&row.domain) else { return String::new() };
    let id = chart_id(i);
    let url = match src {
        ImageSrc::ContentId => format!("cid:{id}"),
        ImageSrc::File => id,
    };
    let scale = chart_scale(r, row, h);
    let (max_hard, max_compl) = h.max_rates();
    let (first, last) = (r.start, r.end);
    let mid = first + (last - first) / 2;
    let hm = |t: chrono::DateTime<chrono::Utc>| t.format("%H:%M").to_string();
    let step = if h.step_hours > 1 { format!("per {} hours", h.step_hours) } else { "per hour".into() };
    let complaints = if row.complaints_measured {
        format!(" · {} complaint rate (highest {})", swatch(chart::COMPLAINTS), fmt_pct(max_compl))
    } else {
        " · complaints not measured".into()
    };
    format!(
        "<div style=\"margin:10px 0 2px\"><img src=\"{url}\" width=\"{w}\" height=\"{hh}\" alt=\"{alt}\" style=\"display:block;width:100%;max-width:{w}px;height:auto;border:0\">\
<table role=\"presentation\" style=\"width:100%;max-width:{w}px;border-collapse:collapse;font-size:14px;color:#5f6368\"><tr><td style=\"text-align:left;padding:0\">{a}</td><td style=\"text-align:center;padding:0\">{b}</td><td style=\"text-align:right;padding:0\">{c} UTC</td></tr></table>\
<p style=\"margin:4px 0 0;font-size:14px;color:#5f6368;line-height:1.4\">{sw} sends {step} (top: {max}) · {hs} hard-bounce rate (highest {mh}){complaints}. Rates are drawn against their WARN thresholds (dashed line: {wh} hard bounces, {wc} complaints); the top is {top}× those, higher bars are cut.</p></div>",
        w = chart::WIDTH,
        hh = chart::HEIGHT,
        alt = escape_html(&format!("Sends, hard-bounce and complaint rates {step}: {}", row.domain)),
        a = hm(first),
        b = hm(mid),
        c = if last.time() == chrono::NaiveTime::MIN && last > first { "24:00".into() } else { hm(last) },
        sw = swatch(chart::SENDS),
        max = fmt_count(h.max_sends()),
        hs = swatch(chart::HARD),
        mh = fmt_pct(max_hard),
        wh = fmt_pct(scale.hard_warn),
        wc = fmt_pct(scale.complaint_warn),
        top = scale.top,
    )
}

/// One domain (or the total) as a card: status and name on top, then label/value lines.
fn card(r: &Row, total: bool, why: Option<&Reasons>) -> String {
    let c = &r.counts;
    let mut s = String::new();
    let border = if r.status > Status::Ok { colours(r.status).1 } else { "#dadce0" };
    let _ = write!(
        s,
        "<div style=\"background:#ffffff;border:1px solid #dadce0;border-left:4px solid {border};border-radius:8px;margin:0 0 12px;padding:10px 12px\">"
    );
    let name = if total {
        format!("<b>{}</b>", escape_html(&r.domain))
    } else {
        format!("<b>{}</b>", domain_html(&r.domain))
    };
    let _ = write!(s, "<div style=\"margin:0 0 6px;font-size:16px\">{} {name}</div>", badge(r.status));
    s.push_str("<table role=\"presentation\" style=\"width:100%;border-collapse:collapse;font-size:15px;line-height:1.4\">");
    s.push_str(&card_line("Sent", &fmt_count(c.sends)));
    s.push_str(&card_line("Delivered", &pct(&r.delivery_rate)));
    s.push_str(&card_line(
        "Hard bounces",
        &rate_value(c.hard_bounces, &r.hard_bounce_rate, r.hard_bounce_status),
    ));
    let complaints = if r.complaints_measured {
        rate_value(c.complaints, &r.complaint_rate, r.complaint_status)
    } else {
        unmeasured_complaints(c.complaints)
    };
    s.push_str(&card_line("Complaints", &complaints));
    if r.volume_vs_baseline.is_some() || r.hard_bounce_change_pp.is_some() {
        s.push_str(&card_line(
            "vs 7 days",
            &format!(
                "volume {}, hard bounces {}, complaints {}",
                fmt_volume(r.volume_vs_baseline),
                fmt_pp(r.hard_bounce_change_pp),
                fmt_pp(r.complaint_change_pp)
            ),
        ));
    }
    if let Some(why) = why {
        s.push_str(&reason_lines(why));
    }
    s.push_str("</table>");
    s
}

/// A section heading.
fn heading(s: &mut String, text: &str) {
    let _ = write!(s, "<h2 style=\"margin:20px 0 8px;font-size:17px\">{text}</h2>");
}

/// A paragraph of the sections after the cards.
const P: &str = "<p style=\"margin:6px 0;font-size:15px;line-height:1.5\">";

/// "What was done", "The long tail": from the ledger table, or why they are not there.
fn activity_html(s: &mut String, r: &Report) {
    let Some(a) = &r.activity else {
        heading(s, "What was done");
        let _ = write!(
            s,
            "{P}Not available: rate-reporter has no <code style=\"font-size:14px\">LEDGER_TABLE</code> (the offender ledger, where bounce reasons, the long tail of untracked domains and alarm-suppressor's journal are kept).</p>"
        );
        return;
    };
    heading(s, "What was done");
    match &a.actions {
        None => {
            let _ = write!(s, "{P}Not available: alarm-suppressor's journal could not be read.</p>");
        }
        Some(act) if act.suppressed() == 0 && act.events.is_empty() => {
            let _ = write!(
                s,
                "{P}Nothing: no alarm went to ALARM, no address was suppressed, sending was not paused.</p>"
            );
        }
        Some(act) => {
            if act.suppressed() > 0 {
                let by_reason: Vec<(String, usize)> =
                    act.suppressed_by_reason.iter().map(|(k, v)| (k.to_lowercase(), *v)).collect();
                let by_domain: Vec<(String, usize)> =
                    act.suppressed_by_domain.iter().map(|(k, v)| (k.clone(), *v)).collect();
                let _ = write!(
                    s,
                    "{P}<b>{}</b> addresses put on the suppression list: {}; by domain: {}.{}</p>",
                    fmt_count(act.suppressed() as f64),
                    top_list(&by_reason, 4, |k| k.clone()),
                    top_list(&by_domain, 6, |k| k.clone()),
                    if act.suppress_failed > 0 {
                        format!(" SES refused {}.", fmt_count(act.suppress_failed as f64))
                    } else {
                        String::new()
                    }
                );
            }
            for h in &act.events {
                let _ = write!(
                    s,
                    "{P}<span style=\"color:#5f6368;white-space:nowrap\">{}</span> {}</p>",
                    h.at.format("%Y-%m-%d %H:%M"),
                    escape_html(&h.what)
                );
            }
        }
    }
    heading(s, "The long tail");
    if a.long_tail.is_empty() {
        let _ = write!(s, "{P}No untracked domain (counted as <i>other</i>) bounced or complained.</p>");
    } else {
        let _ = write!(
            s,
            "{P}Untracked domains (counted as <i>other</i>) with the most complaints, then hard bounces:</p>"
        );
        for t in &a.long_tail {
            let _ = write!(
                s,
                "{P}<b>{}</b> — {} complaints, {} hard bounces, {} soft bounces</p>",
                domain_html(&t.domain),
                fmt_count(t.complaints as f64),
                fmt_count(t.hard_bounces as f64),
                fmt_count(t.soft_bounces as f64)
            );
        }
    }
}

/// The HTML body: one fluid column (at most 640 px wide, the whole width of a phone), a card per
/// domain with two-column lines, inline styles only (Gmail drops `<style>` in some clients), every
/// font at least 14 px, no table wider than the screen and no domain name broken inside a label.
pub fn html(r: &Report, src: ImageSrc) -> String {
    let (bg, fg) = colours(r.status);
    let t = &r.total;
    let mut s = String::new();
    s.push_str("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">");
    s.push_str("<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">");
    let _ = write!(s, "<title>{}</title></head>", escape_html(&subject(r)));
    s.push_str("<body style=\"margin:0;padding:0;background:#f6f8fa;font-family:-apple-system,Segoe UI,Roboto,Helvetica,Arial,sans-serif;color:#202124;font-size:15px;word-break:normal;overflow-wrap:normal\">");
    s.push_str("<div style=\"max-width:640px;width:100%;margin:0 auto;padding:12px;box-sizing:border-box\">");
    let _ = write!(
        s,
        "<div style=\"background:{bg};color:{fg};padding:12px 16px;border-radius:8px;font-size:18px;font-weight:700\">{} — SES deliverability</div>",
        r.status.as_str()
    );
    let _ = write!(
        s,
        "<p style=\"margin:12px 0;font-size:14px;color:#5f6368\">{} · namespace {}</p>",
        escape_html(&window_text(r)),
        escape_html(&r.namespace)
    );
    let _ = write!(
        s,
        "<p style=\"margin:12px 0;font-size:15px;line-height:1.5\"><b>{}</b> sent, <b>{}</b> delivered, <b>{}</b> hard bounces ({}), <b>{}</b> complaints ({}). Against the 7 days before: volume {}, hard-bounce rate {}, complaint rate {}.</p>",
        fmt_count(t.counts.sends),
        pct(&t.delivery_rate),
        fmt_count(t.counts.hard_bounces),
        pct(&t.hard_bounce_rate),
        fmt_count(t.counts.complaints),
        pct(&t.complaint_rate),
        fmt_volume(t.volume_vs_baseline),
        fmt_pp(t.hard_bounce_change_pp),
        fmt_pp(t.complaint_change_pp),
    );
    s.push_str(&card(t, true, None));
    s.push_str(&chart_html(r, None, t, src));
    s.push_str("</div>");
    let reasons = r.activity.as_ref().map(|a| &a.reasons);
    for (i, row) in r.domains.iter().enumerate() {
        s.push_str(&card(row, false, reasons.and_then(|m| m.get(&row.domain))));
        s.push_str(&chart_html(r, Some(i), row, src));
        s.push_str("</div>");
    }
    activity_html(&mut s, r);
    let ([h1, h2, h3], [c1, c2, c3]) = threshold_pcts(r);
    let _ = write!(
        s,
        "<p style=\"margin:12px 0;font-size:14px;color:#5f6368;line-height:1.5\">Account reputation (AWS/SES): bounce rate {}, complaint rate {}.<br>The figures in brackets are a rate's 95% confidence interval; a domain is flagged only when the interval's lower bound crosses a threshold (hard bounces {h1} / {h2} / {h3}, complaints {c1} / {c2} / {c3} for WATCH / WARN / CRITICAL).</p>",
        r.reputation.bounce_rate.map_or("not published".into(), fmt_pct),
        r.reputation.complaint_rate.map_or("not published".into(), fmt_pct),
    );
    s.push_str("</div></body></html>\n");
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::stats::{Counts, Reputation, Thresholds, build};

    fn report(domain: &str, tag_like: &str) -> Report {
        let c = Counts {
            sends: 1000.0,
            deliveries: 850.0,
            bounces: 150.0,
            hard_bounces: 150.0,
            complaints: 3.0,
            ..Default::default()
        };
        let ok = Counts {
            sends: 5000.0,
            deliveries: 4990.0,
            bounces: 10.0,
            hard_bounces: 10.0,
            ..Default::default()
        };
        let now = "2026-11-27T00:00:00Z".parse().unwrap();
        build(
            "2026-11-26T00:00:00Z".parse().unwrap(),
            now,
            tag_like,
            vec![(domain.to_string(), c, None), ("gmail.com".to_string(), ok, Some(ok))],
            Reputation { bounce_rate: Some(0.012), complaint_rate: None },
            Thresholds::default(),
            10,
        )
    }

    #[test]
    fn hostile_values_are_escaped() {
        let evil = "<script>alert('x')</script>\"&.example";
        let r = report(evil, "Custom/<b>SES</b>");
        let h = html(&r, ImageSrc::ContentId);
        assert!(!h.contains("<script>"), "raw script tag in HTML");
        assert!(!h.contains("<b>SES</b>"));
        // a long name is kept whole per label, with a break allowed after each dot
        assert!(h.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&quot;&amp;.</span><wbr>"));
        assert!(h.contains("Custom/&lt;b&gt;SES&lt;/b&gt;"));
        // every tag the renderer writes is one of its own
        for tag in h.split('<').skip(1).map(|t| t.split([' ', '>']).next().unwrap_or("")) {
            assert!(
                [
                    "!DOCTYPE", "html", "/html", "head", "/head", "meta", "title", "/title", "body", "/body",
                    "div", "/div", "p", "/p", "b", "/b", "br", "table", "/table", "tr", "/tr", "th", "/th",
                    "td", "/td", "span", "/span", "wbr", "a", "/a", "h2", "/h2", "code", "/code", "i", "/i",
                    "img"
                ]
                .contains(&tag),
                "unexpected tag {tag:?}"
            );
        }
        let line_break = report("a\nb.example", "Custom/SES");
        assert!(!subject(&line_break).contains('\n'));
        assert!(text(&line_break).contains("a b.example"));
    }

    #[test]
    fn subject_and_text_carry_the_numbers() {
        let r = report("bad.example", "Custom/SES");
        assert_eq!(
            subject(&r),
            "[CRITICAL] SES deliverability 2026-11-26: 6,000 sent, 160 hard bounces (2.67%), 3 complaints (0.050%)"
        );
        let t = text(&r);
        assert!(t.contains("CRITICAL  bad.example"));
        assert!(t.contains("bounce rate 1.20%, complaint rate not published"));
        let h = html(&r, ImageSrc::ContentId);
        assert!(h.contains("<meta name=\"viewport\""));
        assert!(!h.contains("<style"), "inline CSS only");
        assert!(h.find("bad.example").unwrap() < h.find("gmail.com").unwrap(), "riskiest first");
    }

    #[test]
    fn rates_under_the_minimum_volume_are_not_coloured() {
        // 1 hard bounce in 3 sends: 33%, but too few sends to judge; the badge says OK and so
        // must the rate's colour.
        let few =
            Counts { sends: 3.0, deliveries: 2.0, bounces: 1.0, hard_bounces: 1.0, ..Default::default() };
        let start = "2026-11-26T00:00:00Z".parse().unwrap();
        let end = "2026-11-27T00:00:00Z".parse().unwrap();
        let r = build(
            start,
            end,
            "Custom/SES",
            vec![("few.example".into(), few, None)],
            Reputation::default(),
            Thresholds::default(),
            10,
        );
        assert_eq!(r.domains[0].status, Status::Ok);
        let h = html(&r, ImageSrc::ContentId);
        for s in [Status::Watch, Status::Warn, Status::Critical] {
            assert!(!h.contains(colours(s).1), "{s:?} colour in {h}");
        }
        // the same rate with enough sends is coloured
        let many = Counts {
            sends: 300.0,
            deliveries: 200.0,
            bounces: 100.0,
            hard_bounces: 100.0,
            ..Default::default()
        };
        let r = build(
            start,
            end,
            "Custom/SES",
            vec![("many.example".into(), many, None)],
            Reputation::default(),
            Thresholds::default(),
            10,
        );
        assert!(html(&r, ImageSrc::ContentId).contains(&format!("color:{}", colours(Status::Critical).1)));
    }

    #[test]
    fn a_rolling_window_is_named_by_its_length_and_end() {
        let mut r = report("bad.example", "Custom/SES");
        r.end = r.start + chrono::Duration::days(1);
        assert!(subject(&r).contains("deliverability 2026-11-26:"), "{}", subject(&r));
        r.start += chrono::Duration::minutes(13 * 60 + 5);
        r.end += chrono::Duration::minutes(13 * 60 + 5);
        assert!(subject(&r).contains("deliverability 24 h to 2026-11-27 13:05 UTC:"), "{}", subject(&r));
        r.start += chrono::Duration::minutes(30);
        assert!(subject(&r).contains("deliverability 1410 min to 2026-11-27 13:05 UTC:"), "{}", subject(&r));
    }

    #[test]
    fn domain_names_break_only_between_labels() {
        assert_eq!(domain_html("yahoo.com"), "<span style=\"white-space:nowrap\">yahoo.com</span>");
        assert_eq!(
            domain_html("mail.a-very-long-company-name.co.uk"),
            "<span style=\"white-space:nowrap\">mail.</span><wbr><span style=\"white-space:nowrap\">a-very-long-company-name.</span><wbr><span style=\"white-space:nowrap\">co.</span><wbr><span style=\"white-space:nowrap\">uk</span>"
        );
        let h = html(&report("bad.example", "Custom/SES"), ImageSrc::ContentId);
        assert!(!h.contains("break-all") && h.contains("word-break:normal"));
    }

    /// Gmail sends SES no complaint feedback: its complaint rate is not shown as 0% (OK), the
    /// row says so and points to Postmaster Tools; other rows keep their rate.
    #[test]
    fn gmail_complaints_are_not_measured() {
        let r = report("bad.example", "Custom/SES");
        let gmail = r.domains.iter().find(|d| d.domain == "gmail.com").unwrap();
        assert!(!gmail.complaints_measured);
        assert!(r.domains.iter().find(|d| d.domain == "bad.example").unwrap().complaints_measured);
        let h = html(&r, ImageSrc::ContentId);
        let card = &h[h.find("gmail.com").unwrap()..];
        let card = &card[..card.find("</table>").unwrap()];
        assert!(card.contains("not measured") && card.contains(POSTMASTER_TOOLS), "{card}");
        assert!(!card.contains("(95%: 0%"), "no 0% complaint interval for Gmail: {card}");
        let t = text(&r);
        let line = t.lines().find(|l| l.contains("gmail.com")).unwrap();
        assert!(line.contains("not measured") && !line.ends_with("(0%)"), "{line}");
    }

    #[test]
    fn counts_are_grouped() {
        assert_eq!(fmt_count(1234567.0), "1,234,567");
        assert_eq!(fmt_count(999.0), "999");
        assert_eq!(fmt_pct(0.0005), "0.050%");
        assert_eq!(fmt_pct(0.25), "25.0%");
    }
}
