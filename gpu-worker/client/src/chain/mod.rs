//! The worker's connection to a compute chain node: a subxt client over a reconnecting WebSocket, typed
//! reads of the compute pallets (runtime API calls and storage, decoded with the shared `compute-primitives`
//! types) and signed transactions.
//!
//! Transactions take their nonce from the node's pool (`system_accountNextIndex`) under a lock, so one
//! account can have several transactions in flight (a provider committing to two jobs in one block).

mod calls;
mod generated;
mod types;

use generated::runtime;

pub use calls::{Call, GpuBackend, ProviderProfile};
pub use types::*;

use std::sync::Arc;
use std::time::Duration;

use codec::{Decode, Encode};
use compute_primitives::{JobId, KernelId};
use subxt::client::OnlineClientAtBlock;
use subxt::config::{RpcConfigFor, SubstrateExtrinsicParamsBuilder};
use subxt::rpcs::client::{ReconnectingRpcClient, RpcClient};
use subxt::rpcs::methods::LegacyRpcMethods;
use subxt::transactions::TransactionStatus;
use subxt::{OnlineClient, SubstrateConfig};
use subxt_signer::sr25519::Keypair;
use thiserror::Error;

/// The client's chain configuration (the runtime uses the standard Substrate types and extensions).
pub type ChainConfig = SubstrateConfig;
/// The client's view of the chain at one block.
pub type AtBlock = OnlineClientAtBlock<ChainConfig>;

/// How long a connection attempt may take.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(20);
/// How long a watched transaction may take to be included in a best block.
const INCLUSION_TIMEOUT: Duration = Duration::from_secs(120);
/// Blocks a transaction stays valid for (mortality).
const MORTALITY: u64 = 64;

/// What can go wrong talking to the chain.
#[derive(Debug, Error)]
pub enum ChainError {
    /// The node could not be reached.
    #[error("cannot connect to {url}: {reason}")]
    Connect {
        /// The endpoint.
        url: String,
        /// Why.
        reason: String,
    },
    /// A request failed (the connection dropped, the node refused it).
    #[error("RPC request failed: {0}")]
    Rpc(String),
    /// The node's bytes did not decode as the expected type.
    #[error("cannot decode {what} from the chain: {error}")]
    Decode {
        /// What was being decoded.
        what: &'static str,
        /// The codec's error.
        error: codec::Error,
    },
    /// The runtime lacks a pallet, call or API that the worker uses.
    #[error("the connected runtime does not match this worker: {0}")]
    Mismatch(String),
    /// The transaction pool refused the transaction (bad nonce, not enough funds for fees, invalid).
    #[error("the transaction was refused: {0}")]
    Refused(String),
    /// The transaction was included and failed (the pallet's error).
    #[error("{call} failed: {error}")]
    Failed {
        /// `Pallet::call`.
        call: String,
        /// The dispatch error, with the pallet's error name.
        error: String,
    },
    /// A wait ran out of time.
    #[error("timed out after {0:?} waiting for {1}")]
    Timeout(Duration, &'static str),
}

impl ChainError {
    fn rpc(e: impl std::fmt::Display) -> Self {
        ChainError::Rpc(e.to_string())
    }
}

/// A transaction included in a best block, with its events.
#[derive(Clone, Debug)]
pub struct Included {
    /// The block that includes it.
    pub block_hash: [u8; 32],
    /// Its events: `(pallet, event, SCALE fields)`.
    pub events: Vec<RawEvent>,
}

/// One event with its fields still encoded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RawEvent {
    /// Pallet name.
    pub pallet: String,
    /// Event name.
    pub name: String,
    /// The SCALE-encoded fields.
    pub fields: Vec<u8>,
}

impl RawEvent {
    fn of(event: &subxt::events::Event<'_, ChainConfig>) -> Self {
        RawEvent {
            pallet: event.pallet_name().to_owned(),
            name: event.event_name().to_owned(),
            fields: event.field_bytes().to_vec(),
        }
    }
}

impl Included {
    /// The fields of the first `pallet::name` event, decoded as `E`.
    pub fn event<E: Decode>(&self, pallet: &str, name: &str) -> Option<E> {
        self.events
            .iter()
            .find(|e| e.pallet == pallet && e.name == name)
            .and_then(|e| E::decode(&mut e.fields.as_slice()).ok())
    }
}

/// A connection to a node.
#[derive(Clone)]
pub struct Chain {
    url: String,
    client: OnlineClient<ChainConfig>,
    rpc: LegacyRpcMethods<RpcConfigFor<ChainConfig>>,
    submit_lock: Arc<tokio::sync::Mutex<()>>,
}

impl std::fmt::Debug for Chain {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Chain").field("url", &self.url).finish()
    }
}

impl Chain {
    /// Connects to the node at `url` (`ws://` or `wss://`). The connection reconnects by itself when it
    /// drops; requests made meanwhile fail and may be retried.
    pub async fn connect(url: &str) -> Result<Self, ChainError> {
        let failed = |reason: String| ChainError::Connect { url: url.to_owned(), reason };
        let attempt = async {
            let inner = ReconnectingRpcClient::builder()
                .connection_timeout(CONNECT_TIMEOUT)
                .request_timeout(Duration::from_secs(60))
                .build(url)
                .await
                .map_err(|e| failed(e.to_string()))?;
            let rpc_client = RpcClient::new(inner);
            let client = OnlineClient::<ChainConfig>::from_rpc_client(rpc_client.clone())
                .await
                .map_err(|e| failed(e.to_string()))?;
            Ok::<_, ChainError>((client, LegacyRpcMethods::new(rpc_client)))
        };
        let (client, rpc) = tokio::time::timeout(CONNECT_TIMEOUT, attempt)
            .await
            .map_err(|_| failed(format!("no answer within {CONNECT_TIMEOUT:?}")))??;
        let chain = Chain { url: url.to_owned(), client, rpc, submit_lock: Arc::default() };
        chain.check_runtime(&chain.at_best().await?)?;
        Ok(chain)
    }

    /// The subxt client, for block streams and events.
    pub fn client(&self) -> &OnlineClient<ChainConfig> {
        &self.client
    }

    /// The number of the current best block.
    pub async fn best_number(&self) -> Result<u64, ChainError> {
        let header = self.rpc.chain_get_header(None).await.map_err(ChainError::rpc)?;
        Ok(header.ok_or_else(|| ChainError::Rpc("the node has no best block".into()))?.number)
    }

    /// The chain at its current best block.
    pub async fn at_best(&self) -> Result<AtBlock, ChainError> {
        let header = self.rpc.chain_get_header(None).await.map_err(ChainError::rpc)?;
        let header = header.ok_or_else(|| ChainError::Rpc("the node has no best block".into()))?;
        self.client.at_block(header.number).await.map_err(ChainError::rpc)
    }

    /// The chain at its latest finalized block.
    pub async fn at_finalized(&self) -> Result<AtBlock, ChainError> {
        self.client.at_current_block().await.map_err(ChainError::rpc)
    }

    /// The chain at block `number` of the best chain.
    pub async fn at_number(&self, number: u64) -> Result<AtBlock, ChainError> {
        self.client.at_block(number).await.map_err(ChainError::rpc)
    }

    /// Checks that the runtime has what the worker uses.
    fn check_runtime(&self, at: &AtBlock) -> Result<(), ChainError> {
        let metadata = at.metadata_ref();
        for pallet in ["ComputeStaking", "ComputeJobs"] {
            if metadata.pallet_by_name(pallet).is_none() {
                return Err(ChainError::Mismatch(format!("no {pallet} pallet (is this a compute chain?)")));
            }
        }
        if metadata.runtime_api_trait_by_name("ComputeApi").is_none() {
            return Err(ChainError::Mismatch("no ComputeApi runtime API".into()));
        }
        Ok(())
    }

    /// The value of the constant `pallet::name` in the runtime's metadata at `at`.
    pub fn constant<R: Decode>(
        &self,
        at: &AtBlock,
        pallet: &str,
        name: &'static str,
    ) -> Result<R, ChainError> {
        let metadata = at.metadata_ref();
        let constant = metadata
            .pallet_by_name(pallet)
            .and_then(|p| p.constant_by_name(name))
            .ok_or_else(|| ChainError::Mismatch(format!("no constant {pallet}::{name}")))?;
        R::decode(&mut constant.value()).map_err(|error| ChainError::Decode { what: name, error })
    }

    async fn runtime_call<R: Decode>(
        &self,
        at: &AtBlock,
        function: &str,
        args: &[u8],
        what: &'static str,
    ) -> Result<R, ChainError> {
        let bytes = at.runtime_apis().call_raw(function, Some(args)).await.map_err(ChainError::rpc)?;
        R::decode(&mut bytes.as_slice()).map_err(|error| ChainError::Decode { what, error })
    }

    /// `ComputeApi::job`: an open job or the record of a finished one.
    pub async fn job(&self, at: &AtBlock, job_id: JobId) -> Result<Option<JobDetails>, ChainError> {
        self.runtime_call(at, "ComputeApi_job", &job_id.encode(), "a job").await
    }

    /// `ComputeApi::assignments`: the open jobs assigned to `provider`.
    pub async fn assignments(&self, at: &AtBlock, provider: &AccountId) -> Result<Vec<JobId>, ChainError> {
        self.runtime_call(at, "ComputeApi_assignments", &provider.encode(), "assignments").await
    }

    /// `ComputeApi::provider_stats`.
    pub async fn provider_stats(
        &self,
        at: &AtBlock,
        provider: &AccountId,
    ) -> Result<Option<ProviderStats>, ChainError> {
        self.runtime_call(at, "ComputeApi_provider_stats", &provider.encode(), "provider stats").await
    }

    /// `ComputeApi::delegation`: `delegator`'s position in the pool of `provider`.
    pub async fn delegation(
        &self,
        at: &AtBlock,
        provider: &AccountId,
        delegator: &AccountId,
    ) -> Result<Option<DelegationStats>, ChainError> {
        let args = (provider, delegator).encode();
        self.runtime_call(at, "ComputeApi_delegation", &args, "a delegation").await
    }

    /// The providers `delegator` has a position with (active or unbonding) at `at`. Walks
    /// `ComputeStaking::Delegations` (by provider, then delegator): a read of every delegation on chain,
    /// for occasional off-chain use.
    pub async fn delegated_providers(
        &self,
        at: &AtBlock,
        delegator: &AccountId,
    ) -> Result<Vec<AccountId>, ChainError> {
        let mut providers = Vec::new();
        let mut entries = at
            .storage()
            .iter(runtime::storage().compute_staking().delegations(), ())
            .await
            .map_err(ChainError::rpc)?;
        while let Some(entry) = entries.next().await {
            let entry = entry.map_err(ChainError::rpc)?;
            let (provider, holder) = entry.key().and_then(|key| key.decode()).map_err(ChainError::rpc)?;
            if holder.0 == *delegator {
                providers.push(provider.0);
            }
        }
        Ok(providers)
    }

    /// Every registered provider at `at` (the keys of `ComputeStaking::Providers`), for occasional
    /// off-chain use.
    pub async fn providers(&self, at: &AtBlock) -> Result<Vec<AccountId>, ChainError> {
        let mut providers = Vec::new();
        let mut entries = at
            .storage()
            .iter(runtime::storage().compute_staking().providers(), ())
            .await
            .map_err(ChainError::rpc)?;
        while let Some(entry) = entries.next().await {
            let entry = entry.map_err(ChainError::rpc)?;
            let (provider,) = entry.key().and_then(|key| key.decode()).map_err(ChainError::rpc)?;
            providers.push(provider.0);
        }
        Ok(providers)
    }

    /// The block's timestamp (`Timestamp::Now`), in milliseconds since the Unix epoch.
    pub async fn timestamp(&self, at: &AtBlock) -> Result<u64, ChainError> {
        let now = at
            .storage()
            .try_fetch(runtime::storage().timestamp().now(), ())
            .await
            .map_err(ChainError::rpc)?;
        now.map(|value| value.decode().map_err(ChainError::rpc)).transpose().map(Option::unwrap_or_default)
    }

    /// The WGSL source of a registered kernel.
    pub async fn kernel_code(&self, at: &AtBlock, kernel: &KernelId) -> Result<Option<Vec<u8>>, ChainError> {
        let address = runtime::storage().compute_jobs().kernel_code();
        let key = runtime::runtime_types::compute_primitives::KernelId(kernel.0);
        let code = at.storage().try_fetch(address, (key,)).await.map_err(ChainError::rpc)?;
        code.map(|value| value.decode().map(|code| code.0).map_err(ChainError::rpc)).transpose()
    }

    /// A registered provider's profile (the first field of the staking pallet's `ProviderInfo`).
    pub async fn provider_profile(
        &self,
        at: &AtBlock,
        provider: &AccountId,
    ) -> Result<Option<ProviderProfile>, ChainError> {
        let address = runtime::storage().compute_staking().providers();
        let Some(info) =
            at.storage().try_fetch(address, ((*provider).into(),)).await.map_err(ChainError::rpc)?
        else {
            return Ok(None);
        };
        ProviderProfile::decode(&mut info.bytes())
            .map(Some)
            .map_err(|error| ChainError::Decode { what: "a provider profile", error })
    }

    /// The events of a block: `(pallet, event, SCALE fields)`.
    pub async fn events(&self, at: &AtBlock) -> Result<Vec<RawEvent>, ChainError> {
        let events = at.events().fetch().await.map_err(ChainError::rpc)?;
        Ok(events.iter().filter_map(Result::ok).map(|e| RawEvent::of(&e)).collect())
    }

    /// The call, checked against the runtime's metadata (names, indices and the argument bytes).
    fn call_payload(
        &self,
        at: &AtBlock,
        call: &Call,
    ) -> Result<subxt::transactions::DynamicPayload<subxt::ext::scale_value::Composite<()>>, ChainError> {
        let (pallet_name, call_name) = call.name();
        let metadata = at.metadata_ref();
        let pallet = metadata
            .pallet_by_name(pallet_name)
            .ok_or_else(|| ChainError::Mismatch(format!("no pallet {pallet_name}")))?;
        let variant = pallet
            .call_variant_by_name(call_name)
            .ok_or_else(|| ChainError::Mismatch(format!("no call {pallet_name}::{call_name}")))?;
        let mut bytes = vec![pallet.call_index(), variant.index];
        bytes.extend(call.encode_args());
        let payload = at
            .transactions()
            .from_call_data_bytes(&bytes)
            .map_err(|e| ChainError::Mismatch(format!("{pallet_name}::{call_name} does not decode: {e}")))?;
        // The payload was decoded from our bytes; re-encoding must give them back, or the runtime's type
        // differs from ours in a way that decoding alone did not catch.
        let reencoded = at.transactions().call_data(&payload).map_err(ChainError::rpc)?;
        if reencoded != bytes {
            return Err(ChainError::Mismatch(format!("{pallet_name}::{call_name} has other argument types")));
        }
        Ok(payload)
    }

    /// Signs `call` with the pool's next nonce for `signer` and submits it; returns once the pool accepted
    /// it (not included yet).
    pub async fn submit(&self, signer: &Keypair, call: &Call) -> Result<[u8; 32], ChainError> {
        let at = self.at_best().await?;
        let payload = self.call_payload(&at, call)?;
        let _guard = self.submit_lock.lock().await;
        let tx = self.sign(&at, signer, &payload).await?;
        let hash = tx.submit().await.map_err(|e| ChainError::Refused(e.to_string()))?;
        Ok(hash.0)
    }

    /// Signs and submits `call`, then waits until a best block includes it and checks that it succeeded.
    pub async fn submit_and_watch(&self, signer: &Keypair, call: &Call) -> Result<Included, ChainError> {
        let (pallet_name, call_name) = call.name();
        let at = self.at_best().await?;
        let payload = self.call_payload(&at, call)?;
        let mut progress = {
            let _guard = self.submit_lock.lock().await;
            let tx = self.sign(&at, signer, &payload).await?;
            tx.submit_and_watch().await.map_err(|e| ChainError::Refused(e.to_string()))?
        };
        let wait = async {
            while let Some(status) = progress.next().await {
                match status.map_err(ChainError::rpc)? {
                    TransactionStatus::InBestBlock(in_block)
                    | TransactionStatus::InFinalizedBlock(in_block) => {
                        let events = match in_block.wait_for_success().await {
                            Ok(events) => events,
                            Err(e) => {
                                return Err(ChainError::Failed {
                                    call: format!("{pallet_name}::{call_name}"),
                                    error: e.to_string(),
                                })
                            }
                        };
                        let events = events.iter().filter_map(Result::ok).map(|e| RawEvent::of(&e)).collect();
                        return Ok(Included { block_hash: in_block.block_hash().0, events });
                    }
                    TransactionStatus::Error { message }
                    | TransactionStatus::Invalid { message }
                    | TransactionStatus::Dropped { message } => return Err(ChainError::Refused(message)),
                    _ => continue,
                }
            }
            Err(ChainError::Rpc("the node stopped reporting on the transaction".into()))
        };
        tokio::time::timeout(INCLUSION_TIMEOUT, wait)
            .await
            .map_err(|_| ChainError::Timeout(INCLUSION_TIMEOUT, "the transaction to be included"))?
    }

    async fn sign(
        &self,
        at: &AtBlock,
        signer: &Keypair,
        payload: &subxt::transactions::DynamicPayload<subxt::ext::scale_value::Composite<()>>,
    ) -> Result<
        subxt::transactions::SubmittableTransaction<
            ChainConfig,
            subxt::client::OnlineClientAtBlockImpl<ChainConfig>,
        >,
        ChainError,
    > {
        let account = signer.public_key().to_account_id();
        let nonce = self.rpc.system_account_next_index(&account).await.map_err(ChainError::rpc)?;
        let params =
            SubstrateExtrinsicParamsBuilder::<ChainConfig>::new().nonce(nonce).mortal(MORTALITY).build();
        at.transactions().create_signed(payload, signer, params).await.map_err(ChainError::rpc)
    }
}
