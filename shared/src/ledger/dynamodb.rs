//! The ledger in DynamoDB: the item layout (documented in the parent module) and the adapter.

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::types::AttributeValue;
use futures_util::{StreamExt, stream};

use super::*;
use crate::platform::aws::AwsError;

/// The partition key of an entry.
pub fn partition_key(dimension: &str) -> String {
    format!("D#{dimension}")
}

/// The sort key of an entry.
pub fn sort_key(e: &LedgerEntry) -> String {
    format!("{}#{}#{}#{}", time::key(e.timestamp), e.kind.as_str(), e.message_id, e.recipient)
}

fn day_key(d: NaiveDate) -> String {
    format!("DAY#{}", d.format("%Y-%m-%d"))
}

/// The DynamoDB item of an entry, with its TTL.
pub fn to_item(e: &LedgerEntry, ttl: Duration) -> HashMap<String, AttributeValue> {
    let s = |v: &str| AttributeValue::S(v.to_string());
    let sk = sort_key(e);
    let mut item = HashMap::from([
        ("pk".to_string(), s(&partition_key(&e.dimension))),
        ("sk".to_string(), s(&sk)),
        ("gsi1pk".to_string(), s(&day_key(e.timestamp.date_naive()))),
        ("gsi1sk".to_string(), s(&sk)),
        ("recipient".to_string(), s(&e.recipient)),
        ("domain".to_string(), s(&e.domain)),
        ("dimension".to_string(), s(&e.dimension)),
        ("kind".to_string(), s(e.kind.as_str())),
        ("message_id".to_string(), s(&e.message_id)),
        ("ts".to_string(), s(&time::key(e.timestamp))),
        ("expires_at".to_string(), AttributeValue::N((e.timestamp + ttl).timestamp().to_string())),
    ]);
    for (k, v) in [("subtype", &e.subtype), ("status", &e.status), ("diagnostic", &e.diagnostic)] {
        if let Some(v) = v {
            item.insert(k.into(), s(v));
        }
    }
    if !e.tags.is_empty() {
        item.insert(
            "tags".into(),
            AttributeValue::M(e.tags.iter().map(|(k, v)| (k.clone(), s(v))).collect()),
        );
    }
    if let Some(t) = e.suppressed_at {
        item.insert("suppressed_at".into(), s(&time::key(t)));
    }
    item
}

/// Reads an item back.
pub fn from_item(item: &HashMap<String, AttributeValue>) -> Result<LedgerEntry, LedgerError> {
    let get = |k: &str| item.get(k).and_then(|v| v.as_s().ok()).map(String::as_str);
    let req = |k: &str| get(k).ok_or_else(|| LedgerError::Malformed(format!("missing {k}")));
    let time =
        |v: &str| time::parse_rfc3339(v).ok_or_else(|| LedgerError::Malformed(format!("bad time {v:?}")));
    let mut tags: Vec<(String, String)> = item
        .get("tags")
        .and_then(|v| v.as_m().ok())
        .map(|m| m.iter().filter_map(|(k, v)| v.as_s().ok().map(|v| (k.clone(), v.clone()))).collect())
        .unwrap_or_default();
    tags.sort();
    Ok(LedgerEntry {
        recipient: req("recipient")?.to_string(),
        domain: req("domain")?.to_string(),
        dimension: req("dimension")?.to_string(),
        kind: Offence::parse(req("kind")?).ok_or_else(|| LedgerError::Malformed("unknown kind".into()))?,
        subtype: get("subtype").map(str::to_string),
        status: get("status").map(str::to_string),
        diagnostic: get("diagnostic").map(str::to_string),
        tags,
        message_id: req("message_id")?.to_string(),
        timestamp: time(req("ts")?)?,
        suppressed_at: get("suppressed_at").map(time).transpose()?,
    })
}

/// The ledger in a DynamoDB table.
#[derive(Debug, Clone)]
pub struct DynamoLedger {
    client: Client,
    table: String,
    ttl: Duration,
}

impl DynamoLedger {
    /// A ledger on `table`, whose items expire `ttl` after the event.
    pub fn new(client: Client, table: impl Into<String>, ttl: Duration) -> Self {
        Self { client, table: table.into(), ttl }
    }

    /// A ledger for reading and marking only (alarm-suppressor): it writes no new items, so it
    /// needs no TTL.
    pub fn reader(client: Client, table: impl Into<String>) -> Self {
        Self::new(client, table, Duration::days(14))
    }

    async fn query_pages(
        &self,
        index: Option<&str>,
        key_attr: (&str, &str),
        key: String,
        q: &LedgerQuery,
        out: &mut Vec<LedgerEntry>,
    ) -> Result<(), LedgerError> {
        let mut start_key = None;
        loop {
            let resp = self
                .client
                .query()
                .table_name(&self.table)
                .set_index_name(index.map(str::to_string))
                .key_condition_expression(format!("{} = :p AND {} BETWEEN :a AND :b", key_attr.0, key_attr.1))
                .expression_attribute_values(":p", AttributeValue::S(key.clone()))
                .expression_attribute_values(":a", AttributeValue::S(time::key(q.start)))
                .expression_attribute_values(":b", AttributeValue::S(format!("{}~", time::key(q.end))))
                .set_exclusive_start_key(start_key)
                .send()
                .await
                .map_err(|e| LedgerError::Aws(AwsError::sdk("DynamoDB", "Query", &e)))?;
            for item in resp.items() {
                out.push(from_item(item)?);
            }
            match resp.last_evaluated_key() {
                Some(k) if !k.is_empty() => start_key = Some(k.clone()),
                _ => return Ok(()),
            }
        }
    }
}

impl Ledger for DynamoLedger {
    async fn record(&self, entries: &[LedgerEntry]) -> Result<RecordReport, LedgerError> {
        let mut report = RecordReport::default();
        // CONCURRENCY conditional puts in flight; the first failure returns and drops the
        // stream, which cancels the rest (the invocation fails and is retried; what was written
        // is then a duplicate).
        // (The requests are built first: a stream over borrowed entries trips the Send bound of
        // the trait's future on a higher-ranked lifetime.)
        let requests: Vec<_> = entries
            .iter()
            .map(|e| {
                self.client
                    .put_item()
                    .table_name(&self.table)
                    .set_item(Some(to_item(e, self.ttl)))
                    .condition_expression("attribute_not_exists(pk)")
            })
            .collect();
        let mut calls = stream::iter(requests).map(|r| r.send()).buffer_unordered(CONCURRENCY);
        while let Some(result) = calls.next().await {
            match result {
                Ok(_) => report.written += 1,
                Err(e) if e.as_service_error().is_some_and(|s| s.is_conditional_check_failed_exception()) => {
                    report.duplicates += 1
                }
                Err(e) => {
                    return Err(LedgerError::Aws(AwsError::sdk("DynamoDB", "PutItem", &e)));
                }
            }
        }
        Ok(report)
    }

    async fn query(&self, q: &LedgerQuery) -> Result<Vec<LedgerEntry>, LedgerError> {
        let mut out = Vec::new();
        match &q.dimension {
            Some(d) => self.query_pages(None, ("pk", "sk"), partition_key(d), q, &mut out).await?,
            None => {
                let mut day = q.start.date_naive();
                while day <= q.end.date_naive() {
                    self.query_pages(Some(BY_DAY_INDEX), ("gsi1pk", "gsi1sk"), day_key(day), q, &mut out)
                        .await?;
                    day = day.succ_opt().expect("date in range");
                }
            }
        }
        out.sort_by(|a, b| (a.timestamp, &a.recipient).cmp(&(b.timestamp, &b.recipient)));
        Ok(out)
    }

    async fn mark_suppressed(&self, entries: &[LedgerEntry], at: DateTime<Utc>) -> Result<(), LedgerError> {
        let requests: Vec<_> = entries
            .iter()
            .map(|e| {
                self.client
                    .update_item()
                    .table_name(&self.table)
                    .key("pk", AttributeValue::S(partition_key(&e.dimension)))
                    .key("sk", AttributeValue::S(sort_key(e)))
                    .update_expression("SET suppressed_at = :t")
                    .condition_expression("attribute_exists(pk)")
                    .expression_attribute_values(":t", AttributeValue::S(time::key(at)))
            })
            .collect();
        let mut calls = stream::iter(requests).map(|r| r.send()).buffer_unordered(CONCURRENCY);
        while let Some(result) = calls.next().await {
            match result {
                Ok(_) => {}
                // The item expired meanwhile: nothing to mark.
                Err(e) if e.as_service_error().is_some_and(|s| s.is_conditional_check_failed_exception()) => {
                }
                Err(e) => {
                    return Err(LedgerError::Aws(AwsError::sdk("DynamoDB", "UpdateItem", &e)));
                }
            }
        }
        Ok(())
    }
}
