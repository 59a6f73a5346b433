//! Builds signed transactions in the runtime's own format, for the node's tools and for tests that talk to a
//! running node (which cannot use a wallet library).

use codec::Encode;
use sp_core::{sr25519, Pair};
use sp_runtime::generic::Era;

use crate::{
    Address, Hash, Nonce, Runtime, RuntimeCall, Signature, SignedPayload, TxExtension, UncheckedExtrinsic,
};

/// Where a transaction is valid: which chain, which runtime version, and for how long.
#[derive(Clone, Copy, Debug)]
pub struct SigningContext {
    /// Hash of block 0 of the target chain.
    pub genesis_hash: Hash,
    /// `spec_version` of the runtime the transaction is written for.
    pub spec_version: u32,
    /// `transaction_version` of that runtime.
    pub transaction_version: u32,
}

/// The extensions of an immortal transaction from `nonce` with no tip.
pub fn tx_extension(nonce: Nonce) -> TxExtension {
    (
        frame_system::CheckNonZeroSender::<Runtime>::new(),
        frame_system::CheckSpecVersion::<Runtime>::new(),
        frame_system::CheckTxVersion::<Runtime>::new(),
        frame_system::CheckGenesis::<Runtime>::new(),
        frame_system::CheckEra::<Runtime>::from(Era::Immortal),
        frame_system::CheckNonce::<Runtime>::from(nonce),
        frame_system::CheckWeight::<Runtime>::new(),
        pallet_transaction_payment::ChargeTransactionPayment::<Runtime>::from(0),
        frame_system::WeightReclaim::<Runtime>::new(),
    )
}

/// Signs `call` from `signer` as an immortal transaction with the given nonce.
pub fn signed_extrinsic(
    call: RuntimeCall,
    signer: &sr25519::Pair,
    nonce: Nonce,
    context: SigningContext,
) -> UncheckedExtrinsic {
    let extension = tx_extension(nonce);
    // The implicit data: what the signature covers without the transaction carrying it.
    let implicit = (
        (),
        context.spec_version,
        context.transaction_version,
        context.genesis_hash,
        context.genesis_hash,
        (),
        (),
        (),
        (),
    );
    let payload = SignedPayload::from_raw(call.clone(), extension.clone(), implicit);
    let signature = payload.using_encoded(|bytes| signer.sign(bytes));
    let account: crate::AccountId = signer.public().into();
    UncheckedExtrinsic::new_signed(call, Address::Id(account), Signature::Sr25519(signature), extension)
}
