//! The current state of CloudWatch alarms (DescribeAlarms), behind a small trait, with an
//! aws-sdk-cloudwatch implementation and an in-memory one for tests.
//!
//! alarm-suppressor acts on an alarm's *current* state, not on the state a notification carries:
//! SNS standard topics do not keep order, Lambda's asynchronous retries reorder further, and the
//! failure queue may be replayed hours later. So before pausing or resuming sending (and before
//! continuing a suppression run) it asks CloudWatch.

use std::collections::BTreeMap;
use std::future::Future;
use std::sync::Mutex;

use aws_sdk_cloudwatch::Client;
use aws_sdk_cloudwatch::types::{AlarmType, Dimension, MetricAlarm, StateValue};

use crate::alarm::{AlarmState, CONFIGURATION_SET_DIMENSIONS};

/// DescribeAlarms takes at most 100 names per request.
pub const MAX_NAMES_PER_REQUEST: usize = 100;

/// One alarm as CloudWatch has it now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AlarmStatus {
    /// The alarm name.
    pub name: String,
    /// Its current state.
    pub state: AlarmState,
    /// Whether its actions are enabled (`DisableAlarmActions` turns them off: the operator's way
    /// to stop an alarm from holding a pause).
    pub actions_enabled: bool,
    /// The `ses:configuration-set` / `ConfigurationSet` dimension of its metrics, when they name
    /// one set (composite alarms have none).
    pub configuration_set: Option<String>,
    /// The account in its ARN.
    pub account: Option<String>,
}

/// The account of an ARN (`arn:aws:cloudwatch:us-east-1:123456789012:alarm:x` → `123456789012`).
pub fn arn_account(arn: &str) -> Option<&str> {
    arn.split(':').nth(4).filter(|a| !a.is_empty())
}

/// A failed DescribeAlarms (after the SDK's retries).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("CloudWatch DescribeAlarms failed: {0}")]
pub struct AlarmStatesError(pub String);

/// Reading alarms' current states.
pub trait AlarmStates: Send + Sync {
    /// The named alarms that exist (metric and composite alarms), in no particular order. An
    /// alarm that does not exist (deleted) is simply absent.
    fn describe(
        &self,
        names: &[String],
    ) -> impl Future<Output = Result<Vec<AlarmStatus>, AlarmStatesError>> + Send;
}

/// CloudWatch through aws-sdk-cloudwatch.
#[derive(Debug, Clone)]
pub struct CloudWatchAlarms {
    client: Client,
}

impl CloudWatchAlarms {
    /// Wraps a client (built once per container).
    pub fn new(client: Client) -> Self {
        Self { client }
    }
}

fn configuration_set_of(dims: &[&Dimension]) -> Option<String> {
    let mut found: Vec<&str> = dims
        .iter()
        .filter(|d| d.name().is_some_and(|n| CONFIGURATION_SET_DIMENSIONS.contains(&n)))
        .filter_map(|d| d.value())
        .collect();
    found.sort_unstable();
    found.dedup();
    match found.as_slice() {
        [one] => Some(one.to_string()),
        _ => None,
    }
}

fn metric_alarm_status(a: &MetricAlarm) -> AlarmStatus {
    let mut dims: Vec<&Dimension> = a.dimensions().iter().collect();
    for q in a.metrics() {
        if let Some(m) = q.metric_stat().and_then(|s| s.metric()) {
            dims.extend(m.dimensions());
        }
    }
    AlarmStatus {
        name: a.alarm_name().unwrap_or_default().to_string(),
        state: a.state_value().map_or(AlarmState::InsufficientData, state_of),
        actions_enabled: a.actions_enabled().unwrap_or(true),
        configuration_set: configuration_set_of(&dims),
        account: a.alarm_arn().and_then(arn_account).map(String::from),
    }
}

fn state_of(v: &StateValue) -> AlarmState {
    AlarmState::parse(v.as_str())
}

impl AlarmStates for CloudWatchAlarms {
    async fn describe(&self, names: &[String]) -> Result<Vec<AlarmStatus>, AlarmStatesError> {
        let mut out = Vec::new();
        for chunk in names.chunks(MAX_NAMES_PER_REQUEST) {
            let mut token: Option<String> = None;
            loop {
                let resp = self
                    .client
                    .describe_alarms()
                    .set_alarm_names(Some(chunk.to_vec()))
                    .alarm_types(AlarmType::MetricAlarm)
                    .alarm_types(AlarmType::CompositeAlarm)
                    .set_next_token(token.take())
                    .send()
                    .await
                    .map_err(|e| AlarmStatesError(crate::platform::aws::error_text(&e)))?;
                out.extend(resp.metric_alarms().iter().map(metric_alarm_status));
                out.extend(resp.composite_alarms().iter().map(|c| AlarmStatus {
                    name: c.alarm_name().unwrap_or_default().to_string(),
                    state: c.state_value().map_or(AlarmState::InsufficientData, state_of),
                    actions_enabled: c.actions_enabled().unwrap_or(true),
                    configuration_set: None,
                    account: c.alarm_arn().and_then(arn_account).map(String::from),
                }));
                match resp.next_token() {
                    Some(t) if !t.is_empty() => token = Some(t.to_string()),
                    _ => break,
                }
            }
        }
        // Only the names asked for (a server that ignores the filter must not add holders).
        out.retain(|a| names.contains(&a.name));
        Ok(out)
    }
}

/// The account of the alarms [`MemoryAlarms::set`] creates.
pub const MEMORY_ACCOUNT: &str = "123456789012";

/// Alarms in memory: name → status. Records every call.
#[derive(Debug, Default)]
pub struct MemoryAlarms {
    /// The alarms that exist.
    pub alarms: Mutex<BTreeMap<String, AlarmStatus>>,
    /// How many DescribeAlarms calls were made.
    pub calls: Mutex<usize>,
    /// When set, every call fails with this message.
    pub fail_with: Mutex<Option<String>>,
}

impl MemoryAlarms {
    /// Sets (or creates) an alarm's state; a new one has its actions enabled, no
    /// configuration-set dimension and the account [`MEMORY_ACCOUNT`].
    pub fn set(&self, name: &str, state: AlarmState) {
        let mut alarms = self.alarms.lock().expect("not poisoned");
        let entry = alarms.entry(name.to_string()).or_insert_with(|| AlarmStatus {
            name: name.to_string(),
            state: state.clone(),
            actions_enabled: true,
            configuration_set: None,
            account: Some(MEMORY_ACCOUNT.to_string()),
        });
        entry.state = state;
    }

    /// Deletes an alarm.
    pub fn delete(&self, name: &str) {
        self.alarms.lock().expect("not poisoned").remove(name);
    }
}

impl AlarmStates for MemoryAlarms {
    async fn describe(&self, names: &[String]) -> Result<Vec<AlarmStatus>, AlarmStatesError> {
        // as a network call would: concurrent tasks interleave here
        tokio::task::yield_now().await;
        *self.calls.lock().expect("not poisoned") += 1;
        if let Some(msg) = self.fail_with.lock().expect("not poisoned").clone() {
            return Err(AlarmStatesError(msg));
        }
        let alarms = self.alarms.lock().expect("not poisoned");
        Ok(names.iter().filter_map(|n| alarms.get(n).cloned()).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_cloudwatch::types::{Metric, MetricDataQuery, MetricStat};

    fn dim(n: &str, v: &str) -> Dimension {
        Dimension::builder().name(n).value(v).build()
    }

    #[test]
    fn status_of_a_metric_alarm() {
        let a = MetricAlarm::builder()
            .alarm_name("a")
            .state_value(StateValue::Alarm)
            .actions_enabled(false)
            .dimensions(dim("ses:configuration-set", "main"))
            .build();
        let s = metric_alarm_status(&a);
        assert_eq!((s.name.as_str(), &s.state, s.actions_enabled), ("a", &AlarmState::Alarm, false));
        assert_eq!(s.account, None, "no ARN");
        assert_eq!(arn_account("arn:aws:cloudwatch:us-east-1:123456789012:alarm:a"), Some("123456789012"));
        assert_eq!(s.configuration_set.as_deref(), Some("main"));
        // metric math: the set from the metrics' dimensions; two different sets give none
        let q = |id: &str, set: &str| {
            MetricDataQuery::builder()
                .id(id)
                .metric_stat(
                    MetricStat::builder()
                        .metric(
                            Metric::builder()
                                .metric_name("Bounce")
                                .dimensions(dim("ConfigurationSet", set))
                                .build(),
                        )
                        .build(),
                )
                .build()
        };
        let a = MetricAlarm::builder().alarm_name("m").metrics(q("m1", "x")).metrics(q("m2", "x")).build();
        assert_eq!(metric_alarm_status(&a).configuration_set.as_deref(), Some("x"));
        assert_eq!(metric_alarm_status(&a).state, AlarmState::InsufficientData, "no state: not ALARM");
        let a = MetricAlarm::builder().alarm_name("m").metrics(q("m1", "x")).metrics(q("m2", "y")).build();
        assert_eq!(metric_alarm_status(&a).configuration_set, None);
        assert!(metric_alarm_status(&a).actions_enabled, "actions enabled unless said otherwise");
    }
}
