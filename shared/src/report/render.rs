//! The report as an email: a subject, an HTML body that reads well on a phone (one table, inline
//! CSS only, as mail clients strip `<style>`), and a plain-text alternative.
//!
//! Everything that comes from data (domain names, tag values, the namespace) is escaped.

use std::fmt::Write;

use crate::report::stats::{Rate, Report, Row, Status};

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
            pct(&row.complaint_rate),
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
    let th = &r.thresholds;
    let _ = writeln!(
        s,
        "Statuses use the lower bound of a 95% confidence interval. Hard bounces: WATCH > {}, WARN > {}, CRITICAL > {}; complaints: WATCH > {}, WARN > {}, CRITICAL > {}.",
        fmt_pct(th.hard_bounce.0[0]),
        fmt_pct(th.hard_bounce.0[1]),
        fmt_pct(th.hard_bounce.0[2]),
        fmt_pct(th.complaint.0[0]),
        fmt_pct(th.complaint.0[1]),
        fmt_pct(th.complaint.0[2]),
    );
    s
}

fn badge(s: Status) -> String {
    let (bg, fg) = colours(s);
    format!(
        "<span style=\"display:inline-block;padding:2px 8px;border-radius:10px;background:{bg};color:{fg};font-weight:600;font-size:12px\">{}</span>",
        s.as_str()
    )
}

fn rate_cell(r: &Rate, status: Status) -> String {
    let colour = if status > Status::Ok { colours(status).1 } else { "#202124" };
    format!(
        "<td style=\"padding:6px 8px;text-align:right;color:{colour};white-space:nowrap\">{}<br><span style=\"color:#5f6368;font-size:11px\">{}–{}</span></td>",
        pct(r),
        fmt_pct(r.low),
        fmt_pct(r.high)
    )
}

fn html_row(r: &Row, bold: bool) -> String {
    let weight = if bold { "font-weight:700;" } else { "" };
    let c = &r.counts;
    format!(
        "<tr style=\"border-top:1px solid #e0e0e0;{weight}\">\
<td style=\"padding:6px 8px\">{}</td>\
<td style=\"padding:6px 8px;word-break:break-all\">{}</td>\
<td style=\"padding:6px 8px;text-align:right\">{}</td>\
<td style=\"padding:6px 8px;text-align:right\">{}</td>\
{}{}</tr>",
        badge(r.status),
        escape_html(&r.domain),
        fmt_count(c.sends),
        pct(&r.delivery_rate),
        rate_cell(&r.hard_bounce_rate, r.hard_bounce_status),
        rate_cell(&r.complaint_rate, r.complaint_status),
    )
}

/// The HTML body: a single-column layout with one table, inline styles only.
pub fn html(r: &Report) -> String {
    let (bg, fg) = colours(r.status);
    let t = &r.total;
    let mut s = String::new();
    s.push_str("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">");
    s.push_str("<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">");
    let _ = write!(s, "<title>{}</title></head>", escape_html(&subject(r)));
    s.push_str("<body style=\"margin:0;padding:0;background:#f6f8fa;font-family:-apple-system,Segoe UI,Roboto,Helvetica,Arial,sans-serif;color:#202124\">");
    s.push_str("<div style=\"max-width:720px;margin:0 auto;padding:16px\">");
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
    s.push_str("<div style=\"overflow-x:auto\"><table role=\"presentation\" style=\"width:100%;border-collapse:collapse;background:#ffffff;border-radius:8px;font-size:13px\">");
    s.push_str("<tr style=\"background:#f1f3f4;text-align:left\"><th style=\"padding:6px 8px\">Status</th><th style=\"padding:6px 8px\">Domain</th><th style=\"padding:6px 8px;text-align:right\">Sent</th><th style=\"padding:6px 8px;text-align:right\">Delivered</th><th style=\"padding:6px 8px;text-align:right\">Hard bounces</th><th style=\"padding:6px 8px;text-align:right\">Complaints</th></tr>");
    s.push_str(&html_row(t, true));
    for row in &r.domains {
        s.push_str(&html_row(row, false));
    }
    s.push_str("</table></div>");
    let th = &r.thresholds;
    let _ = write!(
        s,
        "<p style=\"margin:12px 0;font-size:13px;color:#5f6368;line-height:1.5\">Account reputation (AWS/SES): bounce rate {}, complaint rate {}.<br>Small figures under a rate are its 95% confidence interval; a domain is flagged only when the interval's lower bound crosses a threshold (hard bounces {} / {} / {}, complaints {} / {} / {} for WATCH / WARN / CRITICAL).</p>",
        r.reputation.bounce_rate.map_or("not published".into(), fmt_pct),
        r.reputation.complaint_rate.map_or("not published".into(), fmt_pct),
        fmt_pct(th.hard_bounce.0[0]),
        fmt_pct(th.hard_bounce.0[1]),
        fmt_pct(th.hard_bounce.0[2]),
        fmt_pct(th.complaint.0[0]),
        fmt_pct(th.complaint.0[1]),
        fmt_pct(th.complaint.0[2]),
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
        let h = html(&r);
        assert!(!h.contains("<script>"), "raw script tag in HTML");
        assert!(!h.contains("<b>SES</b>"));
        assert!(h.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&quot;&amp;.example"));
        assert!(h.contains("Custom/&lt;b&gt;SES&lt;/b&gt;"));
        // every tag the renderer writes is one of its own
        for tag in h.split('<').skip(1).map(|t| t.split([' ', '>']).next().unwrap_or("")) {
            assert!(
                [
                    "!DOCTYPE", "html", "/html", "head", "/head", "meta", "title", "/title", "body", "/body",
                    "div", "/div", "p", "/p", "b", "/b", "br", "table", "/table", "tr", "/tr", "th", "/th",
                    "td", "/td", "span", "/span"
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
        let h = html(&r);
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
        let h = html(&r);
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
        assert!(html(&r).contains(&format!("color:{}", colours(Status::Critical).1)));
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
    fn counts_are_grouped() {
        assert_eq!(fmt_count(1234567.0), "1,234,567");
        assert_eq!(fmt_count(999.0), "999");
        assert_eq!(fmt_pct(0.0005), "0.050%");
        assert_eq!(fmt_pct(0.25), "25.0%");
    }
}
