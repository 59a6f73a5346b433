//! Buffers reused across jobs.
//!
//! Creating GPU buffers is not free (and on some drivers zero-filling them is not either), so the executor
//! takes its buffers from a pool keyed by usage and size class (the next power of two, at least 256 bytes)
//! and gives them back after the job. A pooled buffer can be larger than the data it holds: jobs always bind
//! the exact (4-byte padded) range they use, write every byte of their inputs' ranges and clear their
//! output's range, so what a previous job left in a buffer is never visible to the next one.

use std::collections::HashMap;

/// What a buffer is used for; buffers of different kinds have different usages and are never mixed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BufferKind {
    /// A job input: storage, written by the queue.
    Input,
    /// The job output: storage, cleared, copied to the readback buffer.
    Output,
    /// Pass parameters: uniform, written by the queue.
    Params,
    /// Where the output is copied to be mapped and read.
    Readback,
}

impl BufferKind {
    fn usages(self) -> wgpu::BufferUsages {
        use wgpu::BufferUsages as U;
        match self {
            BufferKind::Input => U::STORAGE | U::COPY_DST,
            BufferKind::Output => U::STORAGE | U::COPY_SRC | U::COPY_DST,
            BufferKind::Params => U::UNIFORM | U::COPY_DST,
            BufferKind::Readback => U::MAP_READ | U::COPY_DST,
        }
    }
}

/// The size class of a buffer of `size` bytes.
pub fn size_class(size: u64) -> u64 {
    size.max(256).next_power_of_two()
}

/// Counters, for tests and logs.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PoolStats {
    /// Buffers created.
    pub created: u64,
    /// Buffers taken from the pool.
    pub reused: u64,
}

/// Free buffers by kind and size class.
#[derive(Debug)]
pub struct BufferPool {
    free: HashMap<(BufferKind, u64), Vec<wgpu::Buffer>>,
    pooled_bytes: u64,
    max_pooled_bytes: u64,
    stats: PoolStats,
}

impl BufferPool {
    /// An empty pool that keeps at most `max_pooled_bytes` of free buffers.
    pub fn new(max_pooled_bytes: u64) -> Self {
        BufferPool { free: HashMap::new(), pooled_bytes: 0, max_pooled_bytes, stats: PoolStats::default() }
    }

    /// A buffer of kind `kind` with at least `size` bytes: a pooled one of the right class, or a new one.
    pub fn take(&mut self, device: &wgpu::Device, kind: BufferKind, size: u64) -> wgpu::Buffer {
        let class = size_class(size);
        if let Some(buffer) = self.free.get_mut(&(kind, class)).and_then(Vec::pop) {
            self.pooled_bytes -= class;
            self.stats.reused += 1;
            return buffer;
        }
        self.stats.created += 1;
        device.create_buffer(&wgpu::BufferDescriptor {
            label: Some("gpu-worker pooled buffer"),
            size: class,
            usage: kind.usages(),
            mapped_at_creation: false,
        })
    }

    /// Returns a buffer taken with [`Self::take`]; it is dropped if the pool is full.
    pub fn give(&mut self, kind: BufferKind, buffer: wgpu::Buffer) {
        let class = buffer.size();
        if self.pooled_bytes + class > self.max_pooled_bytes {
            return;
        }
        self.pooled_bytes += class;
        self.free.entry((kind, class)).or_default().push(buffer);
    }

    /// Drops every free buffer (their device is gone).
    pub fn clear(&mut self) {
        self.free.clear();
        self.pooled_bytes = 0;
    }

    /// Counters.
    pub fn stats(&self) -> PoolStats {
        self.stats
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn size_classes_are_powers_of_two() {
        assert_eq!(size_class(0), 256);
        assert_eq!(size_class(256), 256);
        assert_eq!(size_class(257), 512);
        assert_eq!(size_class(64 << 20), 64 << 20);
        assert_eq!(size_class((64 << 20) + 4), 128 << 20);
    }
}
