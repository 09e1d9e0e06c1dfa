//! Alarm states through aws-sdk-cloudwatch (DescribeAlarms).

use aws_sdk_cloudwatch::Client;
use aws_sdk_cloudwatch::types::{AlarmType, Dimension, MetricAlarm, StateValue};

use super::*;

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
    async fn describe(&self, names: &[String]) -> Result<Vec<AlarmStatus>, AwsError> {
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
                    .map_err(|e| AwsError::sdk("CloudWatch", "DescribeAlarms", &e))?;
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
