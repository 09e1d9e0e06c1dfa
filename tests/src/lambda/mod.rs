//! The real compiled function binaries, run the way Lambda runs them.
//!
//! - [`function_binary`]: the executable of a function: the `bootstrap` that `sam build` wrote
//!   (`.aws-sam/build/<LogicalId>/bootstrap`, what `sam deploy` uploads) when
//!   `SES_MONITOR_BOOTSTRAP_DIR` names that folder, as scripts/test does; else
//!   `target/release/<function>`, the same code built by plain cargo ([`release_binary`]). A
//!   missing one is a clear error telling how to build it.
//! - [`Template`]: template.yaml read as data, with a small evaluator for the intrinsics its
//!   function environments and alarms use (`Ref`, `Fn::Sub`, `Fn::If` and conditions), so each
//!   binary gets its configuration exactly as the stack would set it.
//! - [`LambdaFunction`]: one binary as a child process served by a Lambda Runtime API emulator
//!   (the `lambda-simulator` crate, in this process on a free loopback port): the process polls
//!   `/next`, handles the invocation and posts its response or error, as in Lambda. Its stdout
//!   and stderr are captured (last lines in memory, everything in a file under
//!   `target/lambda-logs/`).
//! - [`Steps`]: named test steps; a failing step's panic names the step and the functions it
//!   drove and carries their log tails, their last invocations as the runtime emulator saw them
//!   and the AWS emulator's log tail.

use std::collections::{BTreeMap, HashMap};

mod binaries;
mod function;
mod steps;
mod template;

pub use binaries::{
    BOOTSTRAP_DIR_VAR, BUILD_COMMAND, FUNCTIONS, INVOKE_TIMEOUT, function_binary, release_binary,
};
pub use function::{Invoked, LambdaFunction};
pub use steps::Steps;
pub use template::{FunctionDef, Template, scalar, single_key};

/// Environment variables as a `HashMap` (for `IngestConfig::from_map` and friends).
pub fn env_map(env: &BTreeMap<String, String>) -> HashMap<String, String> {
    env.iter().map(|(k, v)| (k.clone(), v.clone())).collect()
}
