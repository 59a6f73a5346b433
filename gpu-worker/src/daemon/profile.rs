//! The provider's profile (from the adapter, the benchmark and the command line) and its registration.

use std::net::SocketAddr;

use compute_primitives::DeterminismClass;

use super::GpuService;
use compute_client::chain::api::runtime_types::bounded_collections::bounded_vec::BoundedVec;
use compute_client::chain::api::runtime_types::sp_arithmetic::per_things::Perbill;
use compute_client::chain::{api, Balance, Chain, GpuBackend, ProviderProfile, Static};
use compute_client::keys::Identity;
use compute_client::units::format_amount;
use compute_client::Error as ClientError;
use compute_kernels::bench::BenchConfig;

/// What the operator declares besides what the adapter reports.
#[derive(Clone, Debug)]
pub struct ProfileOptions {
    /// GPU memory in MiB (wgpu does not report it).
    pub vram_mib: u32,
    /// Jobs run at once.
    pub max_concurrent_jobs: u32,
    /// Least reward per replica accepted.
    pub ask: Balance,
    /// Commission in parts per billion.
    pub commission_ppb: u32,
    /// Self-bond at registration.
    pub bond: Balance,
    /// The benchmark score to publish; measured (quick benchmark) when absent.
    pub benchmark_score: Option<u64>,
    /// The output URL to publish; `http://<listen address>` when absent.
    pub public_url: Option<String>,
}

/// The determinism class of an adapter: floating-point results are only compared between machines with the
/// same backend, vendor, device and driver (DESIGN §6).
pub fn determinism_class(adapter: &wgpu::AdapterInfo) -> DeterminismClass {
    let key = format!(
        "{:?}|{:#x}|{:#x}|{}|{}",
        adapter.backend, adapter.vendor, adapter.device, adapter.driver, adapter.driver_info
    );
    let hash = blake3::hash(key.as_bytes());
    let mut class = [0u8; 16];
    class.copy_from_slice(&hash.as_bytes()[..16]);
    DeterminismClass(class)
}

fn endpoint(options: &ProfileOptions, http: SocketAddr) -> String {
    options.public_url.clone().unwrap_or_else(|| {
        let host = if http.ip().is_unspecified() { "127.0.0.1".to_owned() } else { http.ip().to_string() };
        format!("http://{host}:{}", http.port())
    })
}

/// Registers the identity as a provider unless it is one; a registered provider whose published endpoint
/// differs from this run's gets its profile updated.
pub async fn ensure_registered(
    chain: &Chain,
    identity: &Identity,
    options: &ProfileOptions,
    gpu: &GpuService,
    http: SocketAddr,
) -> Result<(), ClientError> {
    let at = chain.at_best().await?;
    let url = endpoint(options, http);
    if let Some(mut profile) = chain.provider_profile(&at, &identity.account()).await? {
        if profile.endpoint.0 != url.as_bytes() {
            profile.endpoint = BoundedVec(url.as_bytes().to_vec());
            chain
                .submit_and_watch(identity.keypair(), &api::tx().compute_staking().update_profile(profile))
                .await?;
            log::info!("provider {} updated its endpoint to {url}", identity.ss58());
        } else {
            log::info!("provider {} is registered", identity.ss58());
        }
        return Ok(());
    }
    let adapter = gpu.adapter();
    let benchmark_score = match options.benchmark_score {
        Some(score) => score,
        None => {
            log::info!("measuring the benchmark score (quick benchmark)");
            let config = BenchConfig { quick: true, repeats: 1, ..BenchConfig::default() };
            gpu.bench(config).await.map(|r| r.score()).unwrap_or_else(|e| {
                log::warn!("benchmark failed ({e}); publishing a score of 0");
                0
            })
        }
    };
    let profile = ProviderProfile {
        gpu_name: BoundedVec(adapter.name.as_bytes().to_vec()),
        vendor: BoundedVec(format!("{:#06x}", adapter.vendor).into_bytes()),
        backend: backend_of(adapter.backend),
        vram_mib: options.vram_mib,
        benchmark_score,
        determinism_class: Static(determinism_class(adapter)),
        max_concurrent_jobs: options.max_concurrent_jobs,
        ask: options.ask,
        endpoint: BoundedVec(url.clone().into_bytes()),
    };
    let commission = Perbill(options.commission_ppb);
    let call = api::tx().compute_staking().register_provider(profile, commission, options.bond);
    chain.submit_and_watch(identity.keypair(), &call).await?;
    log::info!(
        "registered {} as a provider: bond {}, ask {}, score {benchmark_score}, outputs at {url}",
        identity.ss58(),
        format_amount(options.bond),
        format_amount(options.ask)
    );
    Ok(())
}

/// The profile's backend of a wgpu adapter.
fn backend_of(backend: wgpu::Backend) -> GpuBackend {
    match backend {
        wgpu::Backend::Metal => GpuBackend::Metal,
        wgpu::Backend::Dx12 => GpuBackend::Dx12,
        wgpu::Backend::Gl => GpuBackend::Gl,
        wgpu::Backend::BrowserWebGpu => GpuBackend::BrowserWebGpu,
        wgpu::Backend::Vulkan | wgpu::Backend::Noop => GpuBackend::Vulkan,
    }
}
