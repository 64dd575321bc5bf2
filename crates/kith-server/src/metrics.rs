//! Counters for the Prometheus text endpoint (`GET /metrics`). No labels carry personal data.

use std::sync::atomic::{AtomicU64, Ordering};

/// Process-wide counters since start.
#[derive(Default)]
pub struct Metrics {
    /// HTTP requests received.
    pub requests: AtomicU64,
    /// Responses with a 4xx status.
    pub client_errors: AtomicU64,
    /// Responses with a 5xx status.
    pub server_errors: AtomicU64,
    /// Push requests handled.
    pub pushes: AtomicU64,
    /// Pull requests handled.
    pub pulls: AtomicU64,
    /// Operations newly stored.
    pub operations_stored: AtomicU64,
    /// Operations refused.
    pub operations_refused: AtomicU64,
    /// Failed logins.
    pub login_failures: AtomicU64,
    /// Password checks refused because every password worker was busy and the queue full.
    pub password_work_refused: AtomicU64,
}

impl Metrics {
    /// Adds `n` to a counter.
    pub fn add(counter: &AtomicU64, n: u64) {
        counter.fetch_add(n, Ordering::Relaxed);
    }

    /// Renders the Prometheus text exposition format.
    pub fn render(&self) -> String {
        let lines: [(&str, &str, &AtomicU64); 9] = [
            ("kith_http_requests_total", "HTTP requests received", &self.requests),
            ("kith_http_client_errors_total", "Responses with a 4xx status", &self.client_errors),
            ("kith_http_server_errors_total", "Responses with a 5xx status", &self.server_errors),
            ("kith_push_requests_total", "Push requests handled", &self.pushes),
            ("kith_pull_requests_total", "Pull requests handled", &self.pulls),
            ("kith_operations_stored_total", "Operations newly stored", &self.operations_stored),
            ("kith_operations_refused_total", "Operations refused", &self.operations_refused),
            ("kith_login_failures_total", "Failed logins", &self.login_failures),
            (
                "kith_password_work_refused_total",
                "Password checks refused as busy",
                &self.password_work_refused,
            ),
        ];
        let mut text = String::new();
        for (name, help, value) in lines {
            text.push_str(&format!(
                "# HELP {name} {help}\n# TYPE {name} counter\n{name} {}\n",
                value.load(Ordering::Relaxed)
            ));
        }
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_counters_in_prometheus_text_format() {
        let metrics = Metrics::default();
        Metrics::add(&metrics.pushes, 3);
        let text = metrics.render();
        assert!(
            text.contains("# TYPE kith_push_requests_total counter\nkith_push_requests_total 3\n")
        );
        assert!(text.contains("kith_pull_requests_total 0\n"));
    }
}
