//! Waiting for a job's GPU work, with a deadline and an eye on device loss, and reading its output back.

use std::sync::mpsc;
use std::time::{Duration, Instant};

use compute_primitives::ResultRoot;

use super::{GpuEnd, Timings};
use crate::gpu::context::GpuContext;
use crate::Error;

/// The wait for the GPU is sliced so that progress can be reported and a loss noticed.
const WAIT_SLICE: Duration = Duration::from_millis(100);

/// Waits until `readback` (its first `size` bytes) is mapped after `submission`, for at most `timeout`:
/// `Ok(Err(TimedOut))` past it, `Ok(Err(Lost))` when the device is lost meanwhile. `hook` hears the time
/// waited about every [`WAIT_SLICE`].
pub(super) fn for_readback(
    ctx: &GpuContext,
    readback: &wgpu::Buffer,
    size: u64,
    submission: wgpu::SubmissionIndex,
    timeout: Duration,
    mut hook: Option<&mut (dyn FnMut(Duration) + Send + 'static)>,
) -> Result<Result<(), GpuEnd>, Error> {
    let device = ctx.device();
    let lost = || Ok(Err(GpuEnd::Lost(ctx.lost_message().unwrap_or_default())));
    let start = Instant::now();
    let (sender, receiver) = mpsc::channel();
    readback.slice(..size).map_async(wgpu::MapMode::Read, move |result| {
        // The receiver is gone only if the job was abandoned.
        let _ = sender.send(result);
    });
    let deadline = start + timeout;
    loop {
        let now = Instant::now();
        if now >= deadline {
            return Ok(Err(GpuEnd::TimedOut(now - start)));
        }
        let slice = (deadline - now).min(WAIT_SLICE);
        match device
            .poll(wgpu::PollType::Wait { submission_index: Some(submission.clone()), timeout: Some(slice) })
        {
            Ok(_) => break,
            Err(wgpu::PollError::Timeout) => {
                if ctx.is_lost() {
                    return lost();
                }
                if let Some(hook) = hook.as_mut() {
                    hook(start.elapsed());
                }
            }
            // The submission never happened: wgpu drops submissions to a lost device.
            Err(e @ wgpu::PollError::WrongSubmissionIndex(..)) => {
                return Ok(Err(GpuEnd::Lost(ctx.lost_message().unwrap_or_else(|| e.to_string()))));
            }
        }
    }
    if ctx.is_lost() {
        return lost();
    }
    let mapped = match receiver.try_recv() {
        Ok(result) => result,
        Err(_) => {
            // The callback runs inside `poll`; one more poll if it has not yet.
            let _ = device.poll(wgpu::PollType::Poll);
            receiver.try_recv().map_err(|_| Error::Readback("the output was not mapped".into()))?
        }
    };
    match mapped {
        Ok(()) => Ok(Ok(())),
        Err(_) if ctx.is_lost() => lost(),
        Err(e) => Err(Error::Readback(e.to_string())),
    }
}

/// Copies the first `output_len` bytes out of the mapped `readback` (of `size` bytes) and unmaps it; when
/// `hash`, computes the root in the same pass (its time in `timings.root`).
pub(super) fn read_output(
    readback: &wgpu::Buffer,
    size: u64,
    output_len: u64,
    hash: bool,
    timings: &mut Timings,
) -> Result<(Vec<u8>, Option<ResultRoot>), Error> {
    let output_len = usize::try_from(output_len).map_err(|e| Error::Readback(e.to_string()))?;
    let read = {
        let view = readback.slice(..size).get_mapped_range().map_err(|e| Error::Readback(e.to_string()))?;
        if hash {
            let (bytes, root, hashing) = crate::root::copy_with_root(&view[..output_len]);
            timings.root = hashing;
            (bytes, Some(root))
        } else {
            (view[..output_len].to_vec(), None)
        }
    };
    readback.unmap();
    Ok(read)
}
