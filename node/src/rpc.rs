//! The JSON-RPC methods beyond the standard set that `sc-service` installs (`chain_*`, `state_*`,
//! `author_*`, `system_*`, the new `chainHead_v1_*` family and `rpc_methods`).

use std::sync::Arc;

use compute_runtime::{opaque::Block, AccountId, Balance, Nonce};
use jsonrpsee::RpcModule;
use sc_consensus_babe::BabeWorkerHandle;
use sc_consensus_grandpa::{
    FinalityProofProvider, GrandpaJustificationStream, SharedAuthoritySet, SharedVoterState,
};
use sc_rpc::SubscriptionTaskExecutor;
use sc_transaction_pool_api::TransactionPool;
use sp_api::ProvideRuntimeApi;
use sp_block_builder::BlockBuilder;
use sp_blockchain::{Error as BlockChainError, HeaderBackend, HeaderMetadata};
use sp_consensus::SelectChain;
use sp_keystore::KeystorePtr;

/// What the BABE RPC (`babe_epochAuthorship`) needs.
pub struct BabeDeps {
    /// Talks to the BABE worker about epochs.
    pub babe_worker_handle: BabeWorkerHandle<Block>,
    /// The node's keystore, to tell which slots its keys may author.
    pub keystore: KeystorePtr,
}

/// What the GRANDPA RPC (`grandpa_roundState`, `grandpa_proveFinality`, justification subscriptions) needs.
pub struct GrandpaDeps<B> {
    /// The voter's state.
    pub shared_voter_state: SharedVoterState,
    /// The current authority set.
    pub shared_authority_set: SharedAuthoritySet<<Block as sp_runtime::traits::Block>::Hash, u32>,
    /// Justifications as they are produced.
    pub justification_stream: GrandpaJustificationStream<Block>,
    /// Runs subscriptions.
    pub subscription_executor: SubscriptionTaskExecutor,
    /// Proves finality of a block.
    pub finality_provider: Arc<FinalityProofProvider<B, Block>>,
}

/// Everything the full node's RPC extensions need.
pub struct FullDeps<C, P, SC, B> {
    /// The client.
    pub client: Arc<C>,
    /// The transaction pool.
    pub pool: Arc<P>,
    /// Chooses the best chain.
    pub select_chain: SC,
    /// BABE's dependencies.
    pub babe: BabeDeps,
    /// GRANDPA's dependencies.
    pub grandpa: GrandpaDeps<B>,
}

/// Builds the RPC extensions of a full node: account nonces (`system_accountNextIndex`), fee queries
/// (`payment_queryInfo`, `payment_queryFeeDetails`), BABE and GRANDPA.
pub fn create_full<C, P, SC, B>(
    deps: FullDeps<C, P, SC, B>,
) -> Result<RpcModule<()>, Box<dyn std::error::Error + Send + Sync>>
where
    C: ProvideRuntimeApi<Block>
        + HeaderBackend<Block>
        + HeaderMetadata<Block, Error = BlockChainError>
        + sc_client_api::AuxStore
        + Send
        + Sync
        + 'static,
    C::Api: substrate_frame_rpc_system::AccountNonceApi<Block, AccountId, Nonce>
        + pallet_transaction_payment_rpc::TransactionPaymentRuntimeApi<Block, Balance>
        + sp_consensus_babe::BabeApi<Block>
        + BlockBuilder<Block>,
    P: TransactionPool + 'static,
    SC: SelectChain<Block> + 'static,
    B: sc_client_api::Backend<Block> + Send + Sync + 'static,
    B::State: sc_client_api::StateBackend<sp_runtime::traits::HashingFor<Block>>,
{
    use pallet_transaction_payment_rpc::{TransactionPayment, TransactionPaymentApiServer};
    use sc_consensus_babe_rpc::{Babe, BabeApiServer};
    use sc_consensus_grandpa_rpc::{Grandpa, GrandpaApiServer};
    use substrate_frame_rpc_system::{System, SystemApiServer};

    let FullDeps { client, pool, select_chain, babe, grandpa } = deps;
    let mut module = RpcModule::new(());

    module.merge(System::new(client.clone(), pool).into_rpc())?;
    module.merge(TransactionPayment::new(client.clone()).into_rpc())?;
    module.merge(Babe::new(client, babe.babe_worker_handle, babe.keystore, select_chain).into_rpc())?;
    module.merge(
        Grandpa::new(
            grandpa.subscription_executor,
            grandpa.shared_authority_set,
            grandpa.shared_voter_state,
            grandpa.justification_stream,
            grandpa.finality_provider,
        )
        .into_rpc(),
    )?;
    Ok(module)
}
