//! `ec2 launch --wait`: DescribeInstances polled, with growing pauses (2 s, ×1.5, at most
//! 15 s) and within a time limit, until every instance runs or one fails (goes to
//! shutting-down, terminated, stopping or stopped: EC2's `stateReason` says why). Each
//! instance's state change is told as it is seen. Waiting is passed in, so tests record
//! the pauses instead of sleeping.

use std::time::Duration;

use super::Ec2Error;
use crate::cli::CliError;
use crate::services::ec2::Instance;
use crate::time::Sleep;

/// The first pause between two looks.
pub const FIRST_PAUSE: Duration = Duration::from_secs(2);
/// The longest pause.
pub const MAX_PAUSE: Duration = Duration::from_secs(15);

/// What the wait tells as it goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WaitEvent {
    /// An instance's state, when first seen or changed.
    State {
        /// The instance.
        instance_id: String,
        /// Its state.
        state: String,
    },
    /// How many of how many run, after each look.
    Progress {
        /// Running.
        running: usize,
        /// All.
        total: usize,
    },
}

/// The pause after `previous`.
pub fn next_pause(previous: Duration) -> Duration {
    (previous.mul_f64(1.5)).min(MAX_PAUSE)
}

/// Waits until every one of `ids` runs: the instances as last described. `describe`
/// gives `None` for an answer that only means "not yet" (EC2 does not know the new ids
/// for a moment; throttling), and the wait goes on. Errors: one failed (its state and
/// reason), the time limit passed (the states then), or a call's error.
pub async fn until_running(
    ids: &[String],
    describe: impl AsyncFn() -> Result<Option<Vec<Instance>>, CliError>,
    sleep: &dyn Sleep,
    limit: Duration,
    tell: &dyn Fn(WaitEvent),
) -> Result<Vec<Instance>, CliError> {
    let mut seen: Vec<(String, String)> = Vec::new();
    let mut waited = Duration::ZERO;
    let mut pause = FIRST_PAUSE;
    let mut instances = Vec::new();
    loop {
        if let Some(seen_now) = describe().await? {
            instances = seen_now;
        }
        for instance in &instances {
            let known = seen.iter_mut().find(|(id, _)| *id == instance.instance_id);
            let changed = match known {
                Some((_, state)) if *state == instance.state => false,
                Some((_, state)) => {
                    state.clone_from(&instance.state);
                    true
                }
                None => {
                    seen.push((instance.instance_id.clone(), instance.state.clone()));
                    true
                }
            };
            if changed {
                tell(WaitEvent::State {
                    instance_id: instance.instance_id.clone(),
                    state: instance.state.clone(),
                });
            }
        }
        if let Some(failed) = instances.iter().find(|i| {
            matches!(
                i.state.as_str(),
                "shutting-down" | "terminated" | "stopping" | "stopped"
            )
        }) {
            return Err(Ec2Error::Wait(format!(
                "{} went to {} instead of running{}",
                failed.instance_id,
                failed.state,
                failed
                    .state_reason
                    .as_deref()
                    .map(|r| format!(" ({r})"))
                    .unwrap_or_default()
            ))
            .into());
        }
        let running = instances.iter().filter(|i| i.state == "running").count();
        tell(WaitEvent::Progress {
            running,
            total: ids.len(),
        });
        if running == ids.len() && instances.len() == ids.len() {
            return Ok(instances);
        }
        if waited >= limit {
            let states: Vec<String> = instances
                .iter()
                .map(|i| format!("{} {}", i.instance_id, i.state))
                .collect();
            return Err(Ec2Error::Wait(format!(
                "not all instances ran within {}s: {}",
                limit.as_secs(),
                states.join(", ")
            ))
            .into());
        }
        let this = pause
            .min(limit.saturating_sub(waited))
            .max(Duration::from_millis(1));
        sleep.sleep(this).await;
        waited += this;
        pause = next_pause(pause);
    }
}
