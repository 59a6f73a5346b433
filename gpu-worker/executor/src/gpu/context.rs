//! Adapter selection and the device.
//!
//! [`GpuContext::new`] picks an adapter ([`AdapterSelector`]: by index or name, or the best one: a discrete
//! GPU before an integrated, virtual or CPU one, Vulkan/Metal/DX12 before GL) among those that can serve jobs
//! (compute shaders and the WebGPU default limits, see [`super::limits`]), and creates a device with exactly
//! the protocol's limits. It installs a device-lost callback and an uncaptured-error handler: wgpu's default
//! handler panics, ours records the error; the executor recreates a lost device.
//!
//! A context whose GPU work overran its time limit is given up with [`GpuContext::abandon`]: dropping a
//! wgpu queue waits for its work to finish, so the device and queue are dropped on a detached thread and
//! the executor carries on with a fresh context at once.

use std::fmt;
use std::str::FromStr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use super::limits::{check_adapter, ProtocolLimits, Shortfall};
use crate::Error;

/// The hint printed when no adapter is found.
pub const NO_ADAPTER_HINT: &str = "on a machine without a GPU, install Mesa's software Vulkan driver \
     (lavapipe): `apt-get install mesa-vulkan-drivers libvulkan1`";

/// Which adapter to use.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum AdapterSelector {
    /// The best usable adapter.
    #[default]
    Auto,
    /// The adapter at this index of `gpu-worker devices`.
    Index(usize),
    /// The first usable adapter whose name contains this (case-insensitive).
    Name(String),
}

impl FromStr for AdapterSelector {
    type Err = std::convert::Infallible;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(match s.parse::<usize>() {
            Ok(index) => AdapterSelector::Index(index),
            Err(_) if s.is_empty() || s.eq_ignore_ascii_case("auto") => AdapterSelector::Auto,
            Err(_) => AdapterSelector::Name(s.to_owned()),
        })
    }
}

impl fmt::Display for AdapterSelector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AdapterSelector::Auto => f.write_str("auto"),
            AdapterSelector::Index(i) => write!(f, "{i}"),
            AdapterSelector::Name(name) => f.write_str(name),
        }
    }
}

/// An adapter as `gpu-worker devices` lists it.
#[derive(Clone, Debug)]
pub struct AdapterSummary {
    /// Index in the enumeration (what `--adapter <index>` selects).
    pub index: usize,
    /// wgpu's description.
    pub info: wgpu::AdapterInfo,
    /// Whether it can serve jobs, and why not.
    pub usable: Result<(), Shortfall>,
}

impl fmt::Display for AdapterSummary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let info = &self.info;
        write!(
            f,
            "[{}] {} | backend {:?} | type {:?} | driver {} {} | vendor {:#06x} device {:#06x}",
            self.index,
            info.name,
            info.backend,
            info.device_type,
            info.driver,
            info.driver_info,
            info.vendor,
            info.device
        )?;
        match &self.usable {
            Ok(()) => f.write_str(" | usable"),
            Err(e) => write!(f, " | not usable: {e}"),
        }
    }
}

/// An instance of `backends`, unless `WGPU_BACKEND` says otherwise.
fn new_instance(backends: wgpu::Backends) -> wgpu::Instance {
    let mut desc = wgpu::InstanceDescriptor::new_without_display_handle_from_env();
    desc.backends = wgpu::Backends::from_env().unwrap_or(backends);
    wgpu::Instance::new(desc)
}

fn summarize(adapters: &[wgpu::Adapter]) -> Vec<AdapterSummary> {
    adapters
        .iter()
        .enumerate()
        .map(|(index, adapter)| AdapterSummary {
            index,
            info: adapter.get_info(),
            usable: check_adapter(&adapter.limits(), &adapter.get_downlevel_capabilities()),
        })
        .collect()
}

/// Every adapter wgpu finds, usable or not, in enumeration order (the indices of `--adapter`).
pub fn enumerate_adapters() -> Vec<AdapterSummary> {
    let instance = new_instance(wgpu::Backends::all());
    summarize(&futures::executor::block_on(instance.enumerate_adapters(wgpu::Backends::all())))
}

/// Preference of an adapter for [`AdapterSelector::Auto`]: lower is better.
fn rank(device_type: wgpu::DeviceType, backend: wgpu::Backend) -> (u8, u8) {
    let kind = match device_type {
        wgpu::DeviceType::DiscreteGpu => 0,
        wgpu::DeviceType::IntegratedGpu => 1,
        wgpu::DeviceType::VirtualGpu => 2,
        wgpu::DeviceType::Cpu => 3,
        wgpu::DeviceType::Other => 4,
    };
    let backend = match backend {
        wgpu::Backend::Vulkan | wgpu::Backend::Metal | wgpu::Backend::Dx12 => 0,
        _ => 1,
    };
    (kind, backend)
}

/// What the callbacks of a device report.
#[derive(Default)]
struct DeviceHealth {
    lost: AtomicBool,
    lost_message: Mutex<Option<String>>,
    uncaptured: Mutex<Vec<String>>,
}

/// An adapter, its device and queue, and the device's health.
pub struct GpuContext {
    instance: wgpu::Instance,
    adapter: wgpu::Adapter,
    device: wgpu::Device,
    queue: wgpu::Queue,
    info: wgpu::AdapterInfo,
    health: Arc<DeviceHealth>,
}

impl fmt::Debug for GpuContext {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GpuContext").field("adapter", &self.info.name).field("lost", &self.is_lost()).finish()
    }
}

impl GpuContext {
    /// Selects an adapter and creates a device with the protocol's limits.
    ///
    /// `auto` looks at the primary backends (Vulkan, Metal, DX12) first and at GL only when none of them has
    /// a usable adapter; an index or a name refers to the list of `gpu-worker devices` (all backends).
    pub fn new(selector: &AdapterSelector) -> Result<Self, Error> {
        if *selector == AdapterSelector::Auto {
            match Self::with_backends(selector, wgpu::Backends::PRIMARY) {
                Err(Error::NoAdapter { .. }) => {}
                other => return other,
            }
        }
        Self::with_backends(selector, wgpu::Backends::all())
    }

    fn with_backends(selector: &AdapterSelector, backends: wgpu::Backends) -> Result<Self, Error> {
        let instance = new_instance(backends);
        let adapters = futures::executor::block_on(instance.enumerate_adapters(backends));
        let summaries = summarize(&adapters);
        let chosen = match selector {
            AdapterSelector::Auto => summaries
                .iter()
                .filter(|s| s.usable.is_ok())
                .min_by_key(|s| (rank(s.info.device_type, s.info.backend), s.index))
                .map(|s| s.index)
                .ok_or_else(|| Error::NoAdapter {
                    found: summaries.len(),
                    details: summaries.iter().map(|s| format!("; {s}")).collect(),
                })?,
            AdapterSelector::Index(index) => {
                summaries.get(*index).map(|s| s.index).ok_or_else(|| no_match(selector, &summaries))?
            }
            AdapterSelector::Name(name) => {
                let needle = name.to_lowercase();
                summaries
                    .iter()
                    .filter(|s| s.info.name.to_lowercase().contains(&needle))
                    .min_by_key(|s| (s.usable.is_err(), s.index))
                    .map(|s| s.index)
                    .ok_or_else(|| no_match(selector, &summaries))?
            }
        };
        let summary = &summaries[chosen];
        if let Err(source) = &summary.usable {
            return Err(Error::Unusable { name: summary.info.name.clone(), shortfall: source.clone() });
        }
        let adapter = adapters.into_iter().nth(chosen).ok_or_else(|| no_match(selector, &summaries))?;
        let info = adapter.get_info();
        // Subgroup operations and 64-bit integers are only for device variants (`Validation::DeviceVariant`);
        // jobs from the chain are validated without them.
        let features = adapter.features() & (wgpu::Features::SUBGROUP | wgpu::Features::SHADER_INT64);
        let (device, queue) = futures::executor::block_on(adapter.request_device(&wgpu::DeviceDescriptor {
            label: Some("gpu-worker"),
            required_features: features,
            required_limits: ProtocolLimits::device_limits(),
            experimental_features: wgpu::ExperimentalFeatures::disabled(),
            memory_hints: wgpu::MemoryHints::Performance,
            trace: wgpu::Trace::Off,
        }))
        .map_err(|source| Error::RequestDevice { name: info.name.clone(), source })?;

        let health = Arc::new(DeviceHealth::default());
        let on_lost = Arc::clone(&health);
        device.set_device_lost_callback(move |reason, message| {
            log::warn!("GPU device lost ({reason:?}): {message}");
            if let Ok(mut slot) = on_lost.lost_message.lock() {
                *slot = Some(format!("{reason:?}: {message}"));
            }
            on_lost.lost.store(true, Ordering::SeqCst);
        });
        let on_error = Arc::clone(&health);
        device.on_uncaptured_error(Arc::new(move |error: wgpu::Error| {
            log::warn!("uncaptured wgpu error: {error}");
            if let Ok(mut errors) = on_error.uncaptured.lock() {
                errors.push(error.to_string());
            }
        }));

        Ok(GpuContext { instance, adapter, device, queue, info, health })
    }

    /// The device.
    pub fn device(&self) -> &wgpu::Device {
        &self.device
    }

    /// The queue.
    pub fn queue(&self) -> &wgpu::Queue {
        &self.queue
    }

    /// The adapter's description.
    pub fn info(&self) -> &wgpu::AdapterInfo {
        &self.info
    }

    /// What the device offers beyond the baseline, for device-specific kernel variants.
    pub fn traits(&self) -> DeviceTraits {
        let features = self.device.features();
        let fixed = features.contains(wgpu::Features::SUBGROUP)
            && self.info.subgroup_min_size == self.info.subgroup_max_size;
        DeviceTraits {
            cpu: self.info.device_type == wgpu::DeviceType::Cpu,
            fixed_subgroup_size: fixed.then_some(self.info.subgroup_min_size),
            int64: features.contains(wgpu::Features::SHADER_INT64),
        }
    }

    /// Whether the device-lost callback fired.
    pub fn is_lost(&self) -> bool {
        self.health.lost.load(Ordering::SeqCst)
    }

    /// Why the device was lost, if it was.
    pub fn lost_message(&self) -> Option<String> {
        self.health.lost_message.lock().ok().and_then(|m| m.clone())
    }

    /// Errors reported outside error scopes since the last call.
    pub fn take_uncaptured_errors(&self) -> Vec<String> {
        self.health.uncaptured.lock().map(|mut e| std::mem::take(&mut *e)).unwrap_or_default()
    }

    /// Gives the context up without waiting for its GPU work: the device and queue are dropped on a detached
    /// thread, which ends when the driver lets go of the work (at once for a lost device; on a software
    /// driver, when the runaway kernel ends).
    pub fn abandon(self) {
        let GpuContext { instance, adapter, device, queue, info, health: _ } = self;
        let name = info.name.clone();
        let spawned = std::thread::Builder::new().name("gpu-worker-reaper".into()).spawn(move || {
            drop(queue);
            drop(device);
            drop(adapter);
            drop(instance);
            log::info!("abandoned device on {name} released");
        });
        if let Err(e) = spawned {
            log::error!("cannot spawn a thread to release the abandoned device ({e}); it is leaked");
        }
    }
}

/// What a device offers beyond the protocol's baseline, for choosing device-specific kernel variants.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DeviceTraits {
    /// Whether the device is a CPU implementation (lavapipe, SwiftShader).
    pub cpu: bool,
    /// The subgroup size when the device has subgroup operations and always uses that one size.
    pub fixed_subgroup_size: Option<u32>,
    /// Whether shaders may use 64-bit integers.
    pub int64: bool,
}

impl DeviceTraits {
    /// Whether the device has every extension a device variant may use (`Validation::DeviceVariant`).
    pub fn has_extensions(&self) -> bool {
        self.int64 && self.fixed_subgroup_size.is_some()
    }
}

fn no_match(selector: &AdapterSelector, summaries: &[AdapterSummary]) -> Error {
    log::debug!("adapters: {summaries:?}");
    Error::NoMatch { selector: selector.to_string() }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_selectors() {
        assert_eq!("2".parse::<AdapterSelector>(), Ok(AdapterSelector::Index(2)));
        assert_eq!("auto".parse::<AdapterSelector>(), Ok(AdapterSelector::Auto));
        assert_eq!("llvmpipe".parse::<AdapterSelector>(), Ok(AdapterSelector::Name("llvmpipe".into())));
    }

    #[test]
    fn prefers_discrete_gpus_and_modern_backends() {
        use wgpu::{Backend, DeviceType};
        let discrete_gl = rank(DeviceType::DiscreteGpu, Backend::Gl);
        let cpu_vulkan = rank(DeviceType::Cpu, Backend::Vulkan);
        let integrated_vulkan = rank(DeviceType::IntegratedGpu, Backend::Vulkan);
        let cpu_gl = rank(DeviceType::Cpu, Backend::Gl);
        assert!(discrete_gl < integrated_vulkan);
        assert!(integrated_vulkan < cpu_vulkan);
        assert!(cpu_vulkan < cpu_gl);
    }
}
