//! The worker's log: its own records on stderr.

/// Log lines to stderr: `LEVEL target: message`, at `info` unless `GPU_WORKER_LOG` says otherwise
/// (`error`, `warn`, `info`, `debug`, `trace`). Only this crate's records; dependencies stay quiet.
struct StderrLogger(log::LevelFilter);

impl log::Log for StderrLogger {
    fn enabled(&self, metadata: &log::Metadata) -> bool {
        metadata.level() <= self.0 && metadata.target().starts_with("gpu_worker")
    }

    fn log(&self, record: &log::Record) {
        if self.enabled(record.metadata()) {
            let since_epoch =
                std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
            eprintln!("{:.3} {:5} {}", since_epoch.as_secs_f64(), record.level(), record.args());
        }
    }

    fn flush(&self) {}
}

/// Installs the logger (once).
pub(crate) fn init() {
    let level =
        std::env::var("GPU_WORKER_LOG").ok().and_then(|l| l.parse().ok()).unwrap_or(log::LevelFilter::Info);
    if log::set_boxed_logger(Box::new(StderrLogger(level))).is_ok() {
        log::set_max_level(level);
    }
}
