//! The current state of CloudWatch alarms (DescribeAlarms), behind a small trait, with an
//! aws-sdk-cloudwatch implementation and an in-memory one for tests.
//!
//! alarm-suppressor acts on an alarm's *current* state, not on the state a notification carries:
//! SNS standard topics do not keep order, Lambda's asynchronous retries reorder further, and the
//! failure queue may be replayed hours later. So before pausing or resuming sending (and before
//! continuing a suppression run) it asks CloudWatch.

use std::future::Future;

use crate::alarm::{AlarmState, CONFIGURATION_SET_DIMENSIONS};
use crate::platform::aws::AwsError;

mod cloudwatch;
#[cfg(any(test, feature = "test-util"))]
mod memory;

pub use cloudwatch::CloudWatchAlarms;
#[cfg(any(test, feature = "test-util"))]
pub use memory::{MEMORY_ACCOUNT, MemoryAlarms};

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

/// Reading alarms' current states.
pub trait AlarmStates: Send + Sync {
    /// The named alarms that exist (metric and composite alarms), in no particular order. An
    /// alarm that does not exist (deleted) is simply absent.
    fn describe(&self, names: &[String]) -> impl Future<Output = Result<Vec<AlarmStatus>, AwsError>> + Send;
}
