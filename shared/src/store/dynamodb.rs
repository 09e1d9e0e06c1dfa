//! The three stores on the ledger's DynamoDB table.

use std::collections::HashMap;

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::types::AttributeValue;
use futures_util::TryFutureExt;

use super::*;
use crate::platform::aws::AwsError;

/// The three stores on the ledger's DynamoDB table.
#[derive(Debug, Clone)]
pub struct DynamoStore {
    client: Client,
    table: String,
}

impl DynamoStore {
    /// On `table` (the ledger table).
    pub fn new(client: Client, table: impl Into<String>) -> Self {
        Self { client, table: table.into() }
    }

    /// The `data` of every item of partition `pk` (with a sort-key range, when given), all pages.
    async fn query_data<T: serde::de::DeserializeOwned>(
        &self,
        pk: &str,
        sk_between: Option<(String, String)>,
    ) -> Result<Vec<T>, LedgerError> {
        let mut out = Vec::new();
        let mut start_key = None;
        loop {
            let mut q = self.client.query().table_name(&self.table).expression_attribute_values(":p", s(pk));
            q = match &sk_between {
                Some((a, b)) => q
                    .key_condition_expression("pk = :p AND sk BETWEEN :a AND :b")
                    .expression_attribute_values(":a", s(a))
                    .expression_attribute_values(":b", s(b)),
                None => q.key_condition_expression("pk = :p"),
            };
            let resp = q
                .set_exclusive_start_key(start_key)
                .send()
                .await
                .map_err(|e| dynamo("Query")(crate::platform::aws::error_text(&e)))?;
            for item in resp.items() {
                out.push(data_of::<T>(item)?);
            }
            match resp.last_evaluated_key() {
                Some(k) if !k.is_empty() => start_key = Some(k.clone()),
                _ => return Ok(out),
            }
        }
    }
}

const PENDING_PK: &str = "PENDING";

fn s(v: &str) -> AttributeValue {
    AttributeValue::S(v.to_string())
}

fn n(v: i64) -> AttributeValue {
    AttributeValue::N(v.to_string())
}

fn dynamo(op: &'static str) -> impl Fn(String) -> LedgerError {
    move |message| LedgerError::Aws(AwsError::new("DynamoDB", op, message))
}

/// `Ok(true)` when a conditional write was made, `Ok(false)` when its condition failed.
fn conditional<T, E>(
    op: &'static str,
    result: Result<T, aws_sdk_dynamodb::error::SdkError<E, aws_sdk_dynamodb::config::http::HttpResponse>>,
) -> Result<bool, LedgerError>
where
    E: aws_sdk_dynamodb::error::ProvideErrorMetadata + std::error::Error + 'static,
{
    match result {
        Ok(_) => Ok(true),
        Err(e) if e.as_service_error().and_then(|s| s.code()) == Some("ConditionalCheckFailedException") => {
            Ok(false)
        }
        Err(e) => Err(dynamo(op)(crate::platform::aws::error_text(&e))),
    }
}

fn data_of<T: serde::de::DeserializeOwned>(item: &HashMap<String, AttributeValue>) -> Result<T, LedgerError> {
    let text = item
        .get("data")
        .and_then(|v| v.as_s().ok())
        .ok_or_else(|| LedgerError::Malformed("item without data".into()))?;
    serde_json::from_str(text).map_err(|e| LedgerError::Malformed(format!("data: {e}")))
}

impl Journal for DynamoStore {
    async fn record(&self, entry: &JournalEntry) -> Result<bool, LedgerError> {
        let data = serde_json::to_string(entry).map_err(|e| LedgerError::Malformed(e.to_string()))?;
        let result = self
            .client
            .put_item()
            .table_name(&self.table)
            .item("pk", s(&entry.partition_key()))
            .item("sk", s(&entry.sort_key()))
            .item("data", s(&data))
            .item("expires_at", n((entry.at + Duration::days(JOURNAL_TTL_DAYS)).timestamp()))
            .condition_expression("attribute_not_exists(pk)")
            .send()
            .await;
        conditional("PutItem", result)
    }

    async fn entries(
        &self,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
    ) -> Result<Vec<JournalEntry>, LedgerError> {
        if end - start > Duration::days(MAX_JOURNAL_WINDOW_DAYS) {
            return Err(LedgerError::Malformed(format!(
                "journal window over {MAX_JOURNAL_WINDOW_DAYS} days"
            )));
        }
        let mut out: Vec<JournalEntry> = Vec::new();
        let mut day = start.date_naive();
        while day <= end.date_naive() {
            let pk = format!("J#{}", day.format("%Y-%m-%d"));
            let range = Some((time::key(start), format!("{}~", time::key(end))));
            out.extend(self.query_data(&pk, range).await?);
            day = day.succ_opt().expect("date in range");
        }
        out.retain(|e| e.at >= start && e.at <= end);
        Ok(out)
    }
}

impl LeaseLock for DynamoStore {
    async fn try_acquire(&self, req: LeaseRequest<'_>) -> Result<bool, LedgerError> {
        let LeaseRequest { name, owner, now, lease } = req;
        let result = self
            .client
            .put_item()
            .table_name(&self.table)
            .item("pk", s(&format!("LOCK#{name}")))
            .item("sk", s("LOCK"))
            .item("lock_owner", s(owner))
            .item("acquired_at", s(&time::key(now)))
            .item("expires_at", n((now + lease).timestamp()))
            .condition_expression("attribute_not_exists(pk) OR expires_at < :now")
            .expression_attribute_values(":now", n(now.timestamp()))
            .send()
            .await;
        conditional("PutItem", result)
    }

    async fn release(&self, name: &str, owner: &str) -> Result<bool, LedgerError> {
        let result = self
            .client
            .delete_item()
            .table_name(&self.table)
            .key("pk", s(&format!("LOCK#{name}")))
            .key("sk", s("LOCK"))
            .condition_expression("lock_owner = :me")
            .expression_attribute_values(":me", s(owner))
            .send()
            .await;
        conditional("DeleteItem", result)
    }
}

impl PendingWork for DynamoStore {
    async fn put_pending(&self, p: &PendingSuppression) -> Result<(), LedgerError> {
        let data = serde_json::to_string(p).map_err(|e| LedgerError::Malformed(e.to_string()))?;
        self.client
            .put_item()
            .table_name(&self.table)
            .item("pk", s(PENDING_PK))
            .item("sk", s(&p.sort_key()))
            .item("data", s(&data))
            .item("expires_at", n((p.end + Duration::days(PENDING_TTL_DAYS)).timestamp()))
            .send()
            .map_err(|e| dynamo("PutItem")(crate::platform::aws::error_text(&e)))
            .await?;
        Ok(())
    }

    async fn pending(&self) -> Result<Vec<PendingSuppression>, LedgerError> {
        self.query_data(PENDING_PK, None).await
    }

    async fn remove_pending(&self, p: &PendingSuppression) -> Result<(), LedgerError> {
        self.client
            .delete_item()
            .table_name(&self.table)
            .key("pk", s(PENDING_PK))
            .key("sk", s(&p.sort_key()))
            .send()
            .map_err(|e| dynamo("DeleteItem")(crate::platform::aws::error_text(&e)))
            .await?;
        Ok(())
    }
}

// ---------------------------------------------------------------------------------------------
// No table, and memory
// ---------------------------------------------------------------------------------------------
