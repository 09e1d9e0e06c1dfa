//! The estimate as a person reads it.

use super::*;

/// The configuration as the environment variables that set it.
pub(super) fn configuration(cfg: &IngestConfig) -> BTreeMap<&'static str, String> {
    let mut out = BTreeMap::new();
    out.insert("METRICS_SINK", cfg.sink.as_str().to_string());
    out.insert("METRIC_NAMESPACE", cfg.namespace.clone());
    out.insert(
        "TAG_DIMENSIONS",
        cfg.tag_dimensions
            .iter()
            .map(|t| format!("{}:{}", t.name, t.default_value))
            .collect::<Vec<_>>()
            .join(","),
    );
    out.insert("DOMAIN_GROUPING", format!("{:?}", cfg.domains.grouping()).to_lowercase());
    out.insert("TRACKED_PROVIDERS", cfg.domains.tracked_providers().join(","));
    out.insert(
        "TRACKED_DOMAINS",
        format!(
            "{} domains tracked in all{}",
            cfg.domains.tracked_len(),
            if cfg.domains.tracks_all() { ", * (every domain)" } else { "" }
        ),
    );
    out.insert("DOMAIN_METRICS", cfg.domain_metrics.to_string());
    out.insert("TOTAL_METRICS", cfg.total_metrics.to_string());
    out.insert("TAG_METRICS", cfg.tag_metrics.to_string());
    out.insert(
        "TAG_VALUES",
        cfg.tag_dimensions.iter().map(|t| format!("{}={}", t.name, t.values)).collect::<Vec<_>>().join(";"),
    );
    out
}

/// The estimate as tables a person reads.
pub fn render(e: &Estimate) -> String {
    let mut s = String::new();
    let w = &mut s;
    use std::fmt::Write as _;
    let smp = &e.sample;
    let _ = writeln!(w, "ses-monitor cost estimate of {}", smp.path);
    let _ = writeln!(
        w,
        "  sample: {} SES events, {} emails, over {} UTC hours ({} to {}){}",
        crate::report::render::fmt_count(smp.events as f64),
        crate::report::render::fmt_count(smp.emails as f64),
        smp.hours,
        smp.first.map(|t| t.format("%Y-%m-%d %H:%M").to_string()).unwrap_or_default(),
        smp.last.map(|t| t.format("%Y-%m-%d %H:%M").to_string()).unwrap_or_default(),
        if smp.skipped > 0 {
            format!("; {} documents that are not SES events", smp.skipped)
        } else {
            String::new()
        }
    );
    let _ = writeln!(
        w,
        "  a month at this rate: {} emails, {} SES events; SES charges USD {:.2} for the emails",
        crate::report::render::fmt_count(smp.emails_per_month),
        crate::report::render::fmt_count(smp.events_per_month),
        smp.ses_usd_per_month
    );
    let _ = writeln!(w, "\nconfiguration (the function's environment variables):");
    for (k, v) in &e.configuration {
        let _ = writeln!(w, "  {k}={v}");
    }
    let m = &e.metrics;
    let _ =
        writeln!(w, "\nmetrics in {}: distinct metrics receiving data per UTC hour (average)", m.namespace);
    let _ = writeln!(w, "  {:<28} {:>10} {:>11}   per metric", "rollup", "metrics/h", "USD/month");
    for (rollup, n) in &m.by_rollup {
        let detail: Vec<String> =
            m.by_metric[rollup].iter().map(|(name, v)| format!("{name} {v:.1}")).collect();
        let _ = writeln!(
            w,
            "  {:<28} {:>10.1} {:>11.2}   {}",
            rollup,
            n,
            n * PRICES.metric_month,
            detail.join(", ")
        );
    }
    let _ = writeln!(w, "  {:<28} {:>10.1} {:>11.2}", "all", m.active_per_hour, m.usd_per_month);
    if !m.dimension_values.is_empty() {
        let vals: Vec<String> = m.dimension_values.iter().map(|(k, n)| format!("{k} {n}")).collect();
        let _ = writeln!(w, "  distinct dimension values in the sample: {}", vals.join(", "));
    }
    let _ = writeln!(w, "\nper trigger (EventsDelivery):");
    let col = |f: &dyn Fn(&TriggerEstimate) -> String| -> String {
        e.triggers.iter().map(|t| format!("{:>16}", f(t))).collect::<Vec<_>>().join("")
    };
    let rows: Vec<(&str, String)> = vec![
        ("trigger", col(&|t| t.trigger.to_string())),
        ("events / invocation", col(&|t| format!("{:.1}", t.events_per_invocation))),
        ("invocations / month", col(&|t| crate::report::render::fmt_count(t.invocations_per_month))),
        ("EMF bytes / event", col(&|t| format!("{:.0}", t.emf_bytes_per_event))),
        ("EMF documents / event", col(&|t| format!("{:.2}", t.emf_documents_per_event))),
        ("function log bytes / event", col(&|t| format!("{:.0}", t.function_log_bytes_per_event))),
        ("Lambda log bytes / event", col(&|t| format!("{:.0}", t.platform_log_bytes_per_event))),
        ("log GB / month", col(&|t| format!("{:.3}", t.log_gb_per_month))),
        ("measured ms / invocation", col(&|t| format!("{:.3}", t.measured_ms_per_invocation))),
        ("billed ms / invocation", col(&|t| format!("{:.2}", t.billed_ms_per_invocation))),
        ("GB-s / month", col(&|t| format!("{:.0}", t.gb_seconds_per_month))),
        (
            "PutMetricData (api) / month",
            col(&|t| {
                crate::report::render::fmt_count(t.put_metric_data_per_invocation * t.invocations_per_month)
            }),
        ),
        ("USD / month: metrics", col(&|_| format!("{:.2}", m.usd_per_month))),
        ("USD / month: logs", col(&|t| format!("{:.2}", t.logs_usd))),
        ("USD / month: Lambda requests", col(&|t| format!("{:.2}", t.lambda_requests_usd))),
        ("USD / month: Lambda duration", col(&|t| format!("{:.2}", t.lambda_duration_usd))),
        ("USD / month: PutMetricData", col(&|t| format!("{:.2}", t.put_metric_data_usd))),
        ("USD / month: Contributor Insights", col(&|t| format!("{:.2}", t.insight_rules_usd))),
        ("USD / month: total", col(&|t| format!("{:.2}", t.total_usd))),
        ("% of the SES bill", col(&|t| format!("{:.1} %", t.percent_of_ses))),
    ];
    for (label, cells) in &rows {
        let _ = writeln!(w, "  {label:<34}{cells}");
    }
    let _ = writeln!(
        w,
        "  offender-ledger items / month: {}",
        crate::report::render::fmt_count(e.ledger_items_per_month)
    );
    let _ = writeln!(
        w,
        "  SES's own CloudWatch event destination, if enabled (SesCloudWatchDestination=true): {:.1} metrics/h, \
         USD {:.2} / month more",
        e.ses_destination.metrics_per_hour, e.ses_destination.usd_per_month
    );
    let p = PRICES;
    let _ = writeln!(
        w,
        "\nprices (USD): metric-month {:.2}; logs {:.2}/GB; Lambda {:.2}/M requests, {}/GB-s arm64, {}/GB-s \
         x86_64; PutMetricData {:.2}/1000; Contributor Insights {:.2}/rule-month + {:.2}/M matched events; \
         SES {:.2}/1000 emails\n  read {}",
        p.metric_month,
        p.logs_ingestion_gb,
        p.lambda_requests_million,
        p.lambda_gb_second_arm64,
        p.lambda_gb_second_x86_64,
        p.put_metric_data_thousand,
        p.insight_rule_month,
        p.insight_matched_million,
        p.ses_thousand_emails,
        p.read
    );
    let _ = writeln!(w, "assumptions:");
    for a in &e.assumptions {
        let _ = writeln!(w, "  - {a}");
    }
    s
}
