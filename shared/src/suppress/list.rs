//! Putting an alarm's offenders on the account's suppression list: within the invocation's
//! budget, in batches, marked in the ledger and journaled, the rest kept as pending work.

use super::*;

/// Suppresses the offenders of `work`'s window and scope within the invocation's budget; keeps
/// (or clears) the pending work; journals what was done, also when it fails half-way.
pub(super) async fn suppress<B: Backends>(
    cfg: &SuppressorConfig,
    deps: &B,
    work: &PendingSuppression,
    out: &mut AlarmOutcome,
    now: DateTime<Utc>,
    run: &mut Run,
) -> Result<(), SuppressError> {
    let scope = Scope {
        recipient_domains: work.recipient_domains.clone(),
        tags: work.tags.clone(),
        ..Scope::default()
    };
    let mut entries = Vec::new();
    if scope.recipient_domains.is_empty() {
        entries =
            deps.ledger().query(&LedgerQuery { dimension: None, start: work.start, end: work.end }).await?;
    } else {
        for d in &scope.recipient_domains {
            let q = LedgerQuery { dimension: Some(d.clone()), start: work.start, end: work.end };
            entries.extend(deps.ledger().query(&q).await?);
        }
    }
    let offenders = pick_offenders(&entries, &scope, cfg);
    for o in &offenders {
        *out.offenders.entry(o.because.as_str()).or_default() += 1;
    }
    let take = offenders.len().min(run.budget);
    out.left_over = offenders.len() - take;
    let chosen = &offenders[..take];
    if out.left_over > 0 {
        tracing::warn!(
            alarm = %work.alarm,
            left_over = out.left_over,
            cap = cfg.max_suppressions,
            "more offenders than MAX_SUPPRESSIONS: the rest is pending for the sweep"
        );
    }
    for o in chosen {
        tracing::info!(
            recipient = %redact(&o.address, cfg.log_recipients),
            reason = o.reason.as_str(),
            because = o.because.as_str(),
            dry_run = cfg.dry_run,
            "suppressing"
        );
    }
    if cfg.dry_run {
        for o in chosen {
            *out.suppressed.entry(o.reason.as_str()).or_default() += 1;
        }
        run.budget -= take;
        return Ok(());
    }
    let mut by_domain: BTreeMap<String, usize> = BTreeMap::new();
    let mut done: Vec<&str> = Vec::new();
    let result = suppress_batches(cfg, deps, chosen, out, &mut by_domain, &mut done, now).await;
    run.budget -= take;
    // What was left over waits for the sweep; what the sweep finished is no longer pending. If
    // the run failed, the pending work stays as it was (Lambda retries the invocation).
    if result.is_ok() {
        if out.left_over > 0 {
            deps.store()
                .put_pending(&PendingSuppression { left_over: out.left_over, ..work.clone() })
                .await?;
        } else {
            deps.store().remove_pending(work).await?;
        }
    }
    if !out.suppressed.is_empty() || out.failed > 0 || out.left_over > 0 {
        let entry = JournalEntry {
            at: now,
            // Each run suppresses other addresses (what is done is marked and left out after),
            // so they make the entry's key; the time too, for runs that suppressed none.
            id: short_id(&format!("{}|{now:?}|{}", work.alarm, done.join(","))),
            event: JournalEvent::Suppressed {
                alarm: work.alarm.clone(),
                by_reason: out.suppressed.iter().map(|(k, v)| (k.to_string(), *v)).collect(),
                by_domain,
                failed: out.failed,
                left_over: out.left_over,
            },
        };
        if let Err(e) = deps.store().record(&entry).await {
            // Do not hide the run's own error behind this one.
            if result.is_ok() {
                return Err(e.into());
            }
            tracing::error!(error = %e, "journal entry of a failed suppression run not written");
        }
    }
    result
}

/// The PutSuppressedDestination calls, `SUPPRESSION_CONCURRENCY` at a time in priority order.
/// What SES accepted is marked in the ledger even when a batch-mate failed. An address SES
/// refuses for itself is counted in `failed` and does not block the others; any other error
/// stops the run and fails the invocation after the batch is marked.
async fn suppress_batches<'o, B: Backends>(
    cfg: &SuppressorConfig,
    deps: &B,
    chosen: &'o [Offender],
    out: &mut AlarmOutcome,
    by_domain: &mut BTreeMap<String, usize>,
    done: &mut Vec<&'o str>,
    now: DateTime<Utc>,
) -> Result<(), SuppressError> {
    for batch in chosen.chunks(cfg.concurrency.max(1)) {
        let calls = batch.iter().map(|o| deps.list().suppress(&o.address, o.reason));
        let results = futures_util::future::join_all(calls).await;
        let mut marked: Vec<LedgerEntry> = Vec::new();
        let mut fatal: Option<AwsError> = None;
        for (o, r) in batch.iter().zip(results) {
            match r {
                Ok(()) => {
                    marked.extend(o.entries.iter().cloned());
                    done.push(&o.address);
                    *out.suppressed.entry(o.reason.as_str()).or_default() += 1;
                    let domain = o.entries.first().map_or("invalid", |e| e.dimension.as_str());
                    *by_domain.entry(domain.to_string()).or_default() += 1;
                }
                Err(e) if e.refused_item => {
                    tracing::warn!(recipient = %redact(&o.address, cfg.log_recipients), error = %scrub(&e.message, cfg.log_recipients), "SES refused to suppress this address");
                    out.failed += 1;
                }
                Err(e) => fatal = fatal.or(Some(e)),
            }
        }
        deps.ledger().mark_suppressed(&marked, now).await?;
        if let Some(e) = fatal {
            tracing::error!(error = %e, suppressed = ?out.suppressed, "suppression stopped: the invocation fails and is retried");
            return Err(e.into());
        }
    }
    Ok(())
}
