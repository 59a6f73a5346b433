//! One thread owns the executor (device, queue, pipeline cache, buffer pool) and runs jobs one after the
//! other; async tasks send it programs and await the outcome.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::oneshot;

use compute_executor::exec::{ExecConfig, Executor, Outcome, Validation};
use compute_executor::program::Program;
use compute_kernels::bench::{BenchConfig, BenchReport};

use crate::error::Error;

/// Clears its flag when dropped: when the executor thread ends, by returning or unwinding.
struct AliveUntilDropped(Arc<AtomicBool>);

impl Drop for AliveUntilDropped {
    fn drop(&mut self) {
        self.0.store(false, Ordering::SeqCst);
    }
}

/// The executor thread's stack.
const EXECUTOR_STACK_BYTES: usize = 64 << 20;

enum Request {
    Run {
        program: Program,
        deadline: Instant,
        reply: oneshot::Sender<Result<Outcome, compute_executor::Error>>,
    },
    Bench {
        config: BenchConfig,
        reply: oneshot::Sender<Result<BenchReport, compute_kernels::Error>>,
    },
}

/// A handle to the executor thread.
#[derive(Clone, Debug)]
pub struct GpuService {
    requests: mpsc::Sender<Request>,
    adapter: wgpu::AdapterInfo,
}

impl GpuService {
    /// Creates the executor on its own thread; `alive` is true from when it is ready until the thread ends
    /// (a panic included).
    pub fn start(config: ExecConfig, alive: Arc<AtomicBool>) -> Result<Self, Error> {
        let (requests, incoming) = mpsc::channel::<Request>();
        let (ready_tx, ready) = mpsc::channel();
        std::thread::Builder::new()
            .name("gpu-executor".into())
            // Validation bounds how deep a kernel's expressions nest (`validate` step 2); the shader compilers
            // behind pipeline creation recurse too, so the thread has room to spare.
            .stack_size(EXECUTOR_STACK_BYTES)
            .spawn(move || {
                let mut executor = match Executor::new(config) {
                    Ok(executor) => executor,
                    Err(e) => {
                        let _ = ready_tx.send(Err(e));
                        return;
                    }
                };
                let info = executor.adapter_info().cloned();
                alive.store(true, Ordering::SeqCst);
                let _alive = AliveUntilDropped(alive);
                let _ = ready_tx.send(Ok(info));
                let ceiling = executor.config().timeout;
                for request in incoming {
                    match request {
                        Request::Run { program, deadline, reply } => {
                            // What is left when the job starts, not when it was queued.
                            let left = deadline.saturating_duration_since(Instant::now());
                            if left.is_zero() {
                                let _ = reply.send(Err(compute_executor::Error::TimedOut(Duration::ZERO)));
                                continue;
                            }
                            executor.set_timeout(left.min(ceiling));
                            // A chain job of a built-in kernel runs as the device's variant (same bytes);
                            // anything else runs as a job, the variants' sources refused like any job's.
                            let traits = executor.device_traits().unwrap_or_default();
                            let outcome = match compute_kernels::device_equivalent(&program, traits) {
                                Some(variant) => executor.run_with(&variant, Validation::DeviceVariant),
                                None => executor.run(&program),
                            };
                            let _ = reply.send(outcome);
                        }
                        Request::Bench { config, reply } => {
                            let _ =
                                reply.send(compute_kernels::bench::run(&mut executor, &config, &mut |_| {}));
                        }
                    }
                }
            })
            .map_err(|_| Error::GpuStopped)?;
        let info = ready.recv().map_err(|_| Error::GpuStopped)??;
        let adapter = info.ok_or(Error::GpuStopped)?;
        Ok(GpuService { requests, adapter })
    }

    /// The adapter the executor runs on.
    pub fn adapter(&self) -> &wgpu::AdapterInfo {
        &self.adapter
    }

    /// Runs `program` after the jobs already queued; its GPU work must end by `deadline` (and take no longer
    /// than the configured timeout), or the run ends with [`compute_executor::Error::TimedOut`].
    pub async fn run(&self, program: Program, deadline: Instant) -> Result<Outcome, Error> {
        let (reply, outcome) = oneshot::channel();
        self.requests.send(Request::Run { program, deadline, reply }).map_err(|_| Error::GpuStopped)?;
        Ok(outcome.await.map_err(|_| Error::GpuStopped)??)
    }

    /// Runs the benchmark (between jobs).
    pub async fn bench(&self, config: BenchConfig) -> Result<BenchReport, Error> {
        let (reply, report) = oneshot::channel();
        self.requests.send(Request::Bench { config, reply }).map_err(|_| Error::GpuStopped)?;
        Ok(report.await.map_err(|_| Error::GpuStopped)??)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_flag_falls_when_the_thread_panics() {
        let alive = Arc::new(AtomicBool::new(true));
        let flag = alive.clone();
        let thread = std::thread::spawn(move || {
            let _alive = AliveUntilDropped(flag);
            panic!("a job took the executor down");
        });
        assert!(thread.join().is_err());
        assert!(!alive.load(Ordering::SeqCst), "/health must stop answering ok");
    }
}
