//! The worker's account key and the salts derived from it.
//!
//! The key comes from a secret URI (`//Alice`, a mnemonic with derivation paths, or `0x` + hex seed), given
//! on the command line or read from a key file. Commitment salts are derived from the secret key's bytes, the
//! chain's genesis hash and the job id (DESIGN §3.5): a restarted worker derives the same salt and can still
//! reveal, whichever way its key is written (a dev URI, the phrase with its path, or the derived seed in hex);
//! nobody without the secret can predict a salt, and the same key on two chains has unrelated salts.

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
    /// The salt key of workers before salts were derived from the key's bytes (from the URI's text): a worker
    /// upgraded between a commitment and its reveal still opens what it committed.
    v1_salt_key: [u8; 32],
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
        let secret_key = secret_key_of(&secret)?;
        // subxt-signer keeps its secret key to itself; ours is derived the same way, and must sign as the
        // same account, or the salts would belong to another key.
        if secret_key.to_public().to_bytes() != keypair.public_key().0 {
            return Err(Error::BadUri("the salt key does not derive to the signing key's account".into()));
        }
        let salt_key = blake3::derive_key("compute-chain worker commitment salt v2", &secret_key.to_bytes());
        let v1_salt_key =
            blake3::derive_key("compute-chain worker commitment salt v1", uri.trim().as_bytes());
        Ok(Identity { keypair, salt_key, v1_salt_key })
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

    /// The salt of this worker's commitment to `job_id` on the chain whose genesis hash is `genesis`.
    pub fn salt(&self, genesis: &[u8; 32], job_id: JobId) -> Salt {
        let mut hasher = blake3::Hasher::new_keyed(&self.salt_key);
        hasher.update(genesis);
        hasher.update(&job_id.to_le_bytes());
        Salt(*hasher.finalize().as_bytes())
    }

    /// The salts a commitment of this worker to `job_id` may have been made with: [`Identity::salt`], then
    /// the salt of the worker's previous version.
    pub fn salts(&self, genesis: &[u8; 32], job_id: JobId) -> [Salt; 2] {
        let v1 = Salt(*blake3::keyed_hash(&self.v1_salt_key, &job_id.to_le_bytes()).as_bytes());
        [self.salt(genesis, job_id), v1]
    }
}

/// The sr25519 secret key a URI names, derived as subxt-signer (and `sp_core`) derive it: a `0x` seed or the
/// mini secret of a BIP-39 phrase (with its password), expanded, then each junction in turn.
fn secret_key_of(uri: &SecretUri) -> Result<schnorrkel::SecretKey, Error> {
    use schnorrkel::derive::{ChainCode, Derivation};
    use schnorrkel::{ExpansionMode, MiniSecretKey};
    use subxt_signer::{DeriveJunction, ExposeSecret};
    let bad = |e: String| Error::BadUri(e);
    let phrase = uri.phrase.expose_secret();
    let mini = match phrase.strip_prefix("0x") {
        Some(hex_seed) => {
            let seed = hex::decode(hex_seed).map_err(|e| bad(e.to_string()))?;
            MiniSecretKey::from_bytes(&seed).map_err(|e| bad(e.to_string()))?
        }
        None => {
            let mnemonic = subxt_signer::bip39::Mnemonic::from_str(phrase).map_err(|e| bad(e.to_string()))?;
            let (entropy, len) = mnemonic.to_entropy_array();
            let password = uri.password.as_ref().map(|p| p.expose_secret()).unwrap_or("");
            substrate_bip39::mini_secret_from_entropy(&entropy[..len], password)
                .map_err(|e| bad(format!("{e:?}")))?
        }
    };
    let root = mini.expand(ExpansionMode::Ed25519);
    Ok(uri.junctions.iter().fold(root, |key, junction| match junction {
        DeriveJunction::Soft(code) => key.derived_key_simple(ChainCode(*code), []).0,
        DeriveJunction::Hard(code) => {
            key.hard_derive_mini_secret_key(Some(ChainCode(*code)), b"").0.expand(ExpansionMode::Ed25519)
        }
    }))
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
        // Salts are stable per key, chain and job, and differ across keys, chains and jobs.
        let chain = [1u8; 32];
        assert_eq!(alice.salt(&chain, 7), Identity::from_uri(" //Alice\n").unwrap().salt(&chain, 7));
        assert_ne!(alice.salt(&chain, 7), alice.salt(&chain, 8));
        assert_ne!(alice.salt(&chain, 7), alice.salt(&[2; 32], 7));
        assert_ne!(alice.salt(&chain, 7), Identity::from_uri("//Bob").unwrap().salt(&chain, 7));
        // A commitment made by the previous version (salt from the URI's text) can still be opened.
        let v1 = Salt(
            *blake3::keyed_hash(
                &blake3::derive_key("compute-chain worker commitment salt v1", b"//Alice"),
                &7u64.to_le_bytes(),
            )
            .as_bytes(),
        );
        assert_eq!(alice.salts(&chain, 7), [alice.salt(&chain, 7), v1]);
        assert!(Identity::from_uri("not a uri at all").is_err());
        // The same key written another way has the same salts: the phrase with its path, and the seed that
        // path derives, in hex.
        let phrase = format!("{}//Alice", subxt_signer::DEV_PHRASE);
        assert_eq!(Identity::from_uri(&phrase).unwrap().salt(&chain, 7), alice.salt(&chain, 7));
        let mnemonic = subxt_signer::bip39::Mnemonic::from_str(subxt_signer::DEV_PHRASE).unwrap();
        let (entropy, len) = mnemonic.to_entropy_array();
        let dev = substrate_bip39::mini_secret_from_entropy(&entropy[..len], "").unwrap();
        let code = subxt_signer::DeriveJunction::hard("Alice");
        let subxt_signer::DeriveJunction::Hard(code) = code else { unreachable!() };
        let alice_seed = dev
            .expand(schnorrkel::ExpansionMode::Ed25519)
            .hard_derive_mini_secret_key(Some(schnorrkel::derive::ChainCode(code)), b"")
            .0;
        let hex_uri = format!("0x{}", hex::encode(alice_seed.to_bytes()));
        let from_hex = Identity::from_uri(&hex_uri).unwrap();
        assert_eq!(from_hex.account(), alice.account());
        assert_eq!(from_hex.salt(&chain, 7), alice.salt(&chain, 7));
        // A soft path and a password derive too, and give their own key.
        let soft = Identity::from_uri("//Alice/stash").unwrap();
        assert_ne!(soft.salt(&chain, 7), alice.salt(&chain, 7));
        assert!(Identity::from_uri(&format!("{}///pass", subxt_signer::DEV_PHRASE)).is_ok());
        assert!(parse_account("0x1234").is_err());
    }
}
