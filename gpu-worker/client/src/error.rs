//! The client's error: everything that can go wrong talking to the chain, loading a key, or following and
//! fetching a job.

use std::path::PathBuf;
use std::time::Duration;

use compute_primitives::JobId;
use thiserror::Error;

/// What can go wrong in the client.
#[derive(Debug, Error)]
pub enum Error {
    // --- The chain. ---
    /// The node could not be reached.
    #[error("cannot connect to {url}: {reason}")]
    Connect {
        /// The endpoint.
        url: String,
        /// Why.
        reason: String,
    },
    /// A request failed (the connection dropped, the node refused it, its answer did not decode).
    #[error("RPC request failed: {0}")]
    Rpc(String),
    /// The runtime lacks a pallet, call, entry or API that the client uses, or has it with another shape
    /// than the metadata this client was generated from.
    #[error("the connected runtime does not match this client: {0}")]
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

    // --- Keys. ---
    /// The secret URI does not parse or derive.
    #[error("invalid secret URI: {0}")]
    BadUri(String),
    /// The key file cannot be read.
    #[error("cannot read the key file {path}: {source}")]
    KeyFile {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The key file can be read by other users.
    #[error("the key file {0} is readable by other users; run `chmod 600` on it")]
    KeyFilePermissions(PathBuf),

    // --- Jobs. ---
    /// The job's budget takes longer than any commit window the chain allows.
    #[error(
        "the job's compute budget (dispatch × fuel × kernel length) needs a commit window longer than the \
         chain's longest, {longest} blocks: lower --fuel or split the dispatch"
    )]
    BudgetTooLarge {
        /// `MaxCommitWindow`.
        longest: u32,
    },
    /// No such job (or its record was pruned).
    #[error("job {0} is unknown (never submitted, or finished longer ago than the retention period)")]
    UnknownJob(JobId),
    /// The job has no output to fetch.
    #[error("job {job_id} has no output: {why}")]
    NoOutput {
        /// The job.
        job_id: JobId,
        /// Why.
        why: String,
    },
    /// No provider served an output that matches the root.
    #[error("no verified copy of job {job_id}'s output (root {root}): {tried}")]
    NotFetched {
        /// The job.
        job_id: JobId,
        /// The root on chain.
        root: String,
        /// What each provider answered.
        tried: String,
    },
    /// The submission's event was not found.
    #[error("the job was submitted but its JobSubmitted event is missing")]
    NoJobId,
}

impl Error {
    pub(crate) fn rpc(e: impl std::fmt::Display) -> Self {
        Error::Rpc(e.to_string())
    }
}
