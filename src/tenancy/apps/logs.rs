//! An app component's logs through the pod log API: every container of every pod KubeVela
//! labelled for the component, merged in time order.

use chrono::{DateTime, Utc};

use super::cluster;
use crate::error::{Error, Result};
use crate::store::apps::AppRow;

pub const DEFAULT_TAIL: i64 = 200;
pub const MAX_TAIL: i64 = 10_000;

#[derive(Clone, Debug, PartialEq)]
pub struct LogLine {
    pub pod: String,
    pub container: String,
    pub timestamp: Option<DateTime<Utc>>,
    pub message: String,
}

/// Checks `tail` (1..=10000, default 200) and `sinceSeconds` (positive).
pub fn validate(tail: Option<i64>, since_seconds: Option<i64>) -> Result<(i64, Option<i64>)> {
    let tail = tail.unwrap_or(DEFAULT_TAIL);
    if !(1..=MAX_TAIL).contains(&tail) {
        return Err(Error::bad_field(
            "tail",
            format!("tail must be between 1 and {MAX_TAIL}"),
        ));
    }
    if let Some(s) = since_seconds
        && s < 1
    {
        return Err(Error::bad_field(
            "sinceSeconds",
            "sinceSeconds must be positive",
        ));
    }
    Ok((tail, since_seconds))
}

/// Splits `<RFC 3339 timestamp> <message>` as the log API writes with `timestamps=true`.
fn parse_line(line: &str) -> (Option<DateTime<Utc>>, String) {
    if let Some((ts, rest)) = line.split_once(' ')
        && let Ok(t) = DateTime::parse_from_rfc3339(ts)
    {
        return (Some(t.with_timezone(&Utc)), rest.to_string());
    }
    (None, line.to_string())
}

/// The last `tail` lines of a component's pods, oldest first.
pub async fn component_logs(
    client: &kube::Client,
    app: &AppRow,
    component: &str,
    tail: Option<i64>,
    since_seconds: Option<i64>,
) -> Result<Vec<LogLine>> {
    let (tail, since) = validate(tail, since_seconds)?;
    let components = super::components_of(app)?;
    if !components.iter().any(|c| c.name == component) {
        return Err(Error::bad_field(
            "component",
            format!("app {} has no component {component}", app.name),
        ));
    }
    let pods = cluster::component_pods(client, &app.namespace, &app.name, Some(component)).await?;
    let mut lines = Vec::new();
    for pod in pods {
        let pod_name = pod.metadata.name.clone().unwrap_or_default();
        let containers: Vec<String> = pod
            .spec
            .as_ref()
            .map(|s| s.containers.iter().map(|c| c.name.clone()).collect())
            .unwrap_or_default();
        for container in containers {
            let text =
                cluster::container_log(client, &app.namespace, &pod_name, &container, tail, since)
                    .await?;
            for line in text.lines().filter(|l| !l.is_empty()) {
                let (timestamp, message) = parse_line(line);
                lines.push(LogLine {
                    pod: pod_name.clone(),
                    container: container.clone(),
                    timestamp,
                    message,
                });
            }
        }
    }
    // Stable sort: lines of one container keep their order; pods interleave by time.
    lines.sort_by_key(|l| l.timestamp);
    let skip = lines.len().saturating_sub(tail as usize);
    Ok(lines.split_off(skip))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_and_bounds() {
        let (t, m) = parse_line("2026-11-23T10:00:00.123456789Z hello world");
        assert!(t.is_some());
        assert_eq!(m, "hello world");
        assert_eq!(parse_line("no timestamp").1, "no timestamp");
        assert!(validate(Some(0), None).is_err());
        assert!(validate(Some(10_001), None).is_err());
        assert!(validate(None, Some(0)).is_err());
        assert_eq!(validate(None, None).expect("ok"), (200, None));
    }
}
