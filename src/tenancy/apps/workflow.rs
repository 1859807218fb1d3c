//! Workflow suspend / resume, done as KubeVela's own `vela workflow suspend|resume` do it: a
//! merge patch of the Application's `status.workflow` through the status subresource.
//!
//! Suspending sets `suspend: true` and moves running steps to `suspending`; resuming sets
//! `suspend: false`, moves `suspending` steps back to `running` and completes running steps
//! of the built-in `suspend` type (which wait exactly for a resume).

use super::vela::{StepStatus, WorkflowStatus};

const RUNNING: &str = "running";
const SUSPENDING: &str = "suspending";
const SUCCEEDED: &str = "succeeded";

fn each_step(steps: &mut [StepStatus], f: &mut impl FnMut(&mut StepStatus)) {
    for step in steps {
        f(step);
        each_step(&mut step.sub_steps, f);
    }
}

/// The workflow status after a suspend; `None` when it is already suspended.
pub fn suspended(current: &WorkflowStatus) -> Option<WorkflowStatus> {
    if current.suspend {
        return None;
    }
    let mut next = current.clone();
    next.suspend = true;
    each_step(&mut next.steps, &mut |s| {
        if s.phase.as_deref() == Some(RUNNING) {
            s.phase = Some(SUSPENDING.into());
        }
    });
    Some(next)
}

/// The workflow status after a resume; `None` when nothing is suspended.
pub fn resumed(current: &WorkflowStatus) -> Option<WorkflowStatus> {
    let mut waiting = false;
    each_step(&mut current.steps.clone(), &mut |s| {
        waiting |= s.phase.as_deref() == Some(SUSPENDING)
            || (s.type_ == "suspend" && s.phase.as_deref() == Some(RUNNING));
    });
    if !current.suspend && !waiting {
        return None;
    }
    let mut next = current.clone();
    next.suspend = false;
    each_step(&mut next.steps, &mut |s| match s.phase.as_deref() {
        Some(SUSPENDING) if s.type_ == "suspend" => s.phase = Some(SUCCEEDED.into()),
        Some(SUSPENDING) => s.phase = Some(RUNNING.into()),
        Some(RUNNING) if s.type_ == "suspend" => s.phase = Some(SUCCEEDED.into()),
        _ => {}
    });
    Some(next)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn step(name: &str, type_: &str, phase: &str) -> StepStatus {
        StepStatus {
            name: name.into(),
            type_: type_.into(),
            phase: Some(phase.into()),
            ..Default::default()
        }
    }

    #[test]
    fn suspend_then_resume() {
        let wf = WorkflowStatus {
            mode: "StepByStep".into(),
            steps: vec![
                step("deploy", "apply-component", "succeeded"),
                step("rollout", "apply-component", "running"),
            ],
            ..Default::default()
        };
        let s = suspended(&wf).expect("changes");
        assert!(s.suspend);
        assert_eq!(s.steps[1].phase.as_deref(), Some("suspending"));
        assert_eq!(s.steps[0].phase.as_deref(), Some("succeeded"));
        assert!(suspended(&s).is_none(), "suspending twice changes nothing");
        let r = resumed(&s).expect("changes");
        assert!(!r.suspend);
        assert_eq!(r.steps[1].phase.as_deref(), Some("running"));
        assert!(
            resumed(&r).is_none(),
            "resuming a running workflow changes nothing"
        );
    }

    #[test]
    fn resume_completes_a_suspend_step() {
        let wf = WorkflowStatus {
            suspend: true,
            steps: vec![step("approve", "suspend", "running")],
            ..Default::default()
        };
        let r = resumed(&wf).expect("changes");
        assert_eq!(r.steps[0].phase.as_deref(), Some("succeeded"));
    }
}
