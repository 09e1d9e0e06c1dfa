//! Alarms in memory, for tests (feature `test-util`).

use std::collections::BTreeMap;
use std::sync::Mutex;

use super::*;

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
    async fn describe(&self, names: &[String]) -> Result<Vec<AlarmStatus>, AwsError> {
        // as a network call would: concurrent tasks interleave here
        tokio::task::yield_now().await;
        *self.calls.lock().expect("not poisoned") += 1;
        if let Some(msg) = self.fail_with.lock().expect("not poisoned").clone() {
            return Err(AwsError::new("CloudWatch", "DescribeAlarms", msg));
        }
        let alarms = self.alarms.lock().expect("not poisoned");
        Ok(names.iter().filter_map(|n| alarms.get(n).cloned()).collect())
    }
}
