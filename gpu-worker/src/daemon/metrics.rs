//! The provider daemon's Prometheus metrics.

use prometheus::{
    Encoder, Histogram, HistogramOpts, IntCounter, IntCounterVec, IntGauge, Opts, Registry, TextEncoder,
};

/// The daemon's counters, served at `/metrics`.
#[derive(Clone, Debug)]
pub struct Metrics {
    registry: Registry,
    /// Jobs run to an output (successes and canonical failures).
    pub jobs_executed: IntCounter,
    /// Jobs that ended in a canonical failure (bad kernel, limits), by reason.
    pub jobs_failed: IntCounterVec,
    /// Commitments and reveals accepted by the pool.
    pub commits: IntCounter,
    /// Reveals accepted by the pool.
    pub reveals: IntCounter,
    /// Transactions or reads that failed (retried later).
    pub chain_errors: IntCounter,
    /// Seconds from seeing an assignment to the commitment being accepted by the pool.
    pub commit_latency: Histogram,
    /// Seconds of GPU work (upload, execution, readback) per job.
    pub gpu_time: Histogram,
    /// Bytes in the output store.
    pub store_bytes: IntGauge,
    /// Outputs served over HTTP.
    pub outputs_served: IntCounter,
    /// HTTP connections open now.
    pub http_connections: IntGauge,
    /// HTTP connections closed at once because a connection cap was reached.
    pub http_refused: IntCounter,
}

impl Metrics {
    /// Fresh metrics in their own registry.
    pub fn new() -> Result<Self, prometheus::Error> {
        let registry = Registry::new_custom(Some("gpu_worker".into()), None)?;
        let latency_buckets = vec![0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0];
        let metrics = Metrics {
            jobs_executed: IntCounter::new(
                "jobs_executed_total",
                "Jobs run to an output or a canonical failure",
            )?,
            jobs_failed: IntCounterVec::new(
                Opts::new("jobs_failed_total", "Jobs that ended in a canonical failure, by reason"),
                &["reason"],
            )?,
            commits: IntCounter::new("commits_total", "Commitments accepted by the transaction pool")?,
            reveals: IntCounter::new("reveals_total", "Reveals accepted by the transaction pool")?,
            chain_errors: IntCounter::new("chain_errors_total", "Chain reads or transactions that failed")?,
            commit_latency: Histogram::with_opts(
                HistogramOpts::new("commit_latency_seconds", "From seeing an assignment to its commitment")
                    .buckets(latency_buckets.clone()),
            )?,
            gpu_time: Histogram::with_opts(
                HistogramOpts::new("gpu_time_seconds", "GPU work per job: upload, execution, readback")
                    .buckets(latency_buckets),
            )?,
            store_bytes: IntGauge::new("store_bytes", "Bytes in the output store")?,
            outputs_served: IntCounter::new("outputs_served_total", "Outputs served over HTTP")?,
            http_connections: IntGauge::new("http_connections", "HTTP connections open now")?,
            http_refused: IntCounter::new(
                "http_connections_refused_total",
                "HTTP connections closed at once because a connection cap was reached",
            )?,
            registry,
        };
        metrics.registry.register(Box::new(metrics.jobs_executed.clone()))?;
        metrics.registry.register(Box::new(metrics.jobs_failed.clone()))?;
        metrics.registry.register(Box::new(metrics.commits.clone()))?;
        metrics.registry.register(Box::new(metrics.reveals.clone()))?;
        metrics.registry.register(Box::new(metrics.chain_errors.clone()))?;
        metrics.registry.register(Box::new(metrics.commit_latency.clone()))?;
        metrics.registry.register(Box::new(metrics.gpu_time.clone()))?;
        metrics.registry.register(Box::new(metrics.store_bytes.clone()))?;
        metrics.registry.register(Box::new(metrics.outputs_served.clone()))?;
        metrics.registry.register(Box::new(metrics.http_connections.clone()))?;
        metrics.registry.register(Box::new(metrics.http_refused.clone()))?;
        Ok(metrics)
    }

    /// The text exposition format.
    pub fn render(&self) -> String {
        let mut out = Vec::new();
        if let Err(e) = TextEncoder::new().encode(&self.registry.gather(), &mut out) {
            log::warn!("cannot encode metrics: {e}");
        }
        String::from_utf8(out).unwrap_or_default()
    }
}
