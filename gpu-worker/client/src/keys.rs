//! The worker's account key and the salts derived from it.
//!
//! The key comes from a secret URI (`//Alice`, a mnemonic with derivation paths, or `0x` + hex seed), given
//! on the command line or read from a key file. Commitment salts are derived from the secret URI and the job
//! id (DESIGN §3.5): a restarted worker derives the same salt and can still reveal, and nobody without the
//! secret can predict a salt.

use std::path::Path;
use std::str::FromStr;

use crate::Error;
use compute_primitives::{JobId, Salt};
use subxt_signer::sr25519::Keypair;
use subxt_signer::SecretUri;

use crate::chain::AccountId;

/// A signing key and the secret its salts derive from.
#[derive(Clone)]
pub struct Identity {
    keypair: Keypair,
    salt_key: [u8; 32],
}

impl std::fmt::Debug for Identity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Identity").field("account", &self.ss58()).finish_non_exhaustive()
    }
}

impl Identity {
    /// The key of a secret URI.
    pub fn from_uri(uri: &str) -> Result<Self, Error> {
        let secret = SecretUri::from_str(uri.trim()).map_err(|e| Error::BadUri(e.to_string()))?;
        let keypair = Keypair::from_uri(&secret).map_err(|e| Error::BadUri(e.to_string()))?;
        let salt_key = blake3::derive_key("compute-chain worker commitment salt v1", uri.trim().as_bytes());
        Ok(Identity { keypair, salt_key })
    }

    /// The key of a file holding a secret URI (on Unix the file must not be readable by others).
    pub fn from_file(path: &Path) -> Result<Self, Error> {
        let io = |source| Error::KeyFile { path: path.to_owned(), source };
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(path).map_err(io)?.permissions().mode();
            if mode & 0o077 != 0 {
                return Err(Error::KeyFilePermissions(path.to_owned()));
            }
        }
        let uri = std::fs::read_to_string(path).map_err(io)?;
        Self::from_uri(&uri)
    }

    /// The signing key.
    pub fn keypair(&self) -> &Keypair {
        &self.keypair
    }

    /// The account id.
    pub fn account(&self) -> AccountId {
        self.keypair.public_key().0
    }

    /// The account in SS58 (prefix 42).
    pub fn ss58(&self) -> String {
        self.keypair.public_key().to_account_id().to_string()
    }

    /// The salt of this worker's commitment to `job_id`.
    pub fn salt(&self, job_id: JobId) -> Salt {
        Salt(*blake3::keyed_hash(&self.salt_key, &job_id.to_le_bytes()).as_bytes())
    }
}

/// Parses an account given as SS58 or `0x` + 64 hex digits.
pub fn parse_account(s: &str) -> Result<AccountId, Error> {
    let s = s.trim();
    if let Some(hex_digits) = s.strip_prefix("0x") {
        let bytes = hex::decode(hex_digits).map_err(|e| Error::BadUri(format!("{s}: {e}")))?;
        return bytes.try_into().map_err(|_| Error::BadUri(format!("{s}: not 32 bytes")));
    }
    if s.starts_with("//") {
        return Identity::from_uri(s).map(|i| i.account());
    }
    subxt::utils::AccountId32::from_str(s)
        .map(|a| a.0)
        .map_err(|e| Error::BadUri(format!("{s} is not an SS58 address: {e}")))
}

/// An account in SS58 (prefix 42).
pub fn ss58(account: &AccountId) -> String {
    subxt::utils::AccountId32(*account).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dev_accounts_and_salts() {
        let alice = Identity::from_uri("//Alice").unwrap();
        assert_eq!(alice.ss58(), "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY");
        assert_eq!(
            parse_account("5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY").unwrap(),
            alice.account()
        );
        assert_eq!(parse_account("//Alice").unwrap(), alice.account());
        // Salts are stable per key and job, and differ across keys and jobs.
        assert_eq!(alice.salt(7), Identity::from_uri(" //Alice\n").unwrap().salt(7));
        assert_ne!(alice.salt(7), alice.salt(8));
        assert_ne!(alice.salt(7), Identity::from_uri("//Bob").unwrap().salt(7));
        assert!(Identity::from_uri("not a uri at all").is_err());
        assert!(parse_account("0x1234").is_err());
    }
}
