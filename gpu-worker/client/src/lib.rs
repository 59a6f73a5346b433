//! The compute chain's client, for everyone who talks to the chain without running jobs: [`chain`] (a subxt
//! client with typed reads and signed calls), [`keys`] (accounts, key files, commitment salts), [`units`]
//! (GPUC amounts), and the commands of requesters ([`requester`]: submit, follow, status, fetch) and
//! delegators ([`delegator`]: delegate, undelegate, withdraw, cancel, rewards; [`earnings`]: the accounting
//! export). It knows nothing of GPUs: the worker builds a job's spec and hands it over.

pub mod chain;
pub mod delegator;
pub mod earnings;
mod error;
pub mod keys;
pub mod requester;
pub mod units;

pub use error::Error;
