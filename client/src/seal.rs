//! Encryption to Solana wallet keys with `age`: a wallet's ed25519 public key is an age
//! `ssh-ed25519` recipient, and its keypair file is the identity that opens what was sealed to
//! it, so a buyer needs nothing but the keypair that signed the offer. Used for a delivery's
//! files (sealed to the buyer) and for stored contribution records (sealed to the pool's
//! custodians, so the store holds nothing readable).

use std::io::{Read, Write};

use anchor_lang::prelude::Pubkey;
use solana_keypair::Keypair;
use ssh_key::private::{Ed25519Keypair, Ed25519PrivateKey, KeypairData};
use ssh_key::public::Ed25519PublicKey;
use ssh_key::{LineEnding, PrivateKey, PublicKey};

/// Why sealing or opening failed.
#[derive(Debug, thiserror::Error)]
pub enum SealError {
    /// Nothing to seal to.
    #[error("no recipients to encrypt to")]
    NoRecipients,
    /// A key could not be turned into an age recipient or identity.
    #[error("key {0} is not a usable ed25519 key")]
    Key(String),
    /// The ciphertext is not for this key, or was altered.
    #[error("cannot decrypt: {0} (the file is not encrypted to this keypair, or was altered)")]
    Open(String),
    /// Encryption failed.
    #[error("cannot encrypt: {0}")]
    Seal(String),
}

/// The OpenSSH form of a wallet's public key (`ssh-ed25519 AAAA…`): an age recipient.
pub fn ssh_public_key(key: &Pubkey) -> String {
    PublicKey::from(Ed25519PublicKey(key.to_bytes()))
        .to_openssh()
        .unwrap_or_default()
}

/// The age recipient of a wallet's public key.
pub fn recipient(key: &Pubkey) -> Result<age::ssh::Recipient, SealError> {
    ssh_public_key(key)
        .parse()
        .map_err(|_| SealError::Key(key.to_string()))
}

/// The age identity of a wallet keypair.
fn identity(keypair: &Keypair) -> Result<age::ssh::Identity, SealError> {
    let bad = || SealError::Key(solana_signer::Signer::pubkey(keypair).to_string());
    let secret = keypair.secret_bytes();
    let pair = Ed25519Keypair {
        public: Ed25519PublicKey(solana_signer::Signer::pubkey(keypair).to_bytes()),
        private: Ed25519PrivateKey::from_bytes(secret),
    };
    let pem = PrivateKey::new(KeypairData::Ed25519(pair), "")
        .and_then(|k| k.to_openssh(LineEnding::LF))
        .map_err(|_| bad())?;
    age::ssh::Identity::from_buffer(pem.as_bytes(), None).map_err(|_| bad())
}

/// Encrypts `plain` so that any one of `to` can open it.
pub fn seal(plain: &[u8], to: &[Pubkey]) -> Result<Vec<u8>, SealError> {
    let recipients = to.iter().map(recipient).collect::<Result<Vec<_>, _>>()?;
    let encryptor =
        age::Encryptor::with_recipients(recipients.iter().map(|r| r as &dyn age::Recipient))
            .map_err(|_| SealError::NoRecipients)?;
    let mut out = Vec::with_capacity(plain.len() + 256);
    let mut w = encryptor
        .wrap_output(&mut out)
        .map_err(|e| SealError::Seal(e.to_string()))?;
    w.write_all(plain)
        .and_then(|_| w.finish().map(|_| ()))
        .map_err(|e| SealError::Seal(e.to_string()))?;
    Ok(out)
}

/// Opens what [`seal`] encrypted to one keypair; its age identity is made once, so opening many
/// files (a custodian reading 10,000 records) does not rebuild it each time.
pub struct Opener(age::ssh::Identity);

impl Opener {
    /// The opener of `keypair`.
    pub fn new(keypair: &Keypair) -> Result<Self, SealError> {
        identity(keypair).map(Opener)
    }

    /// Decrypts `cipher`.
    pub fn open(&self, cipher: &[u8]) -> Result<Vec<u8>, SealError> {
        let d = age::Decryptor::new(cipher).map_err(|e| SealError::Open(e.to_string()))?;
        let mut r = d
            .decrypt(std::iter::once(&self.0 as &dyn age::Identity))
            .map_err(|e| SealError::Open(e.to_string()))?;
        let mut out = Vec::new();
        r.read_to_end(&mut out)
            .map_err(|e| SealError::Open(e.to_string()))?;
        Ok(out)
    }
}

/// Decrypts what [`seal`] encrypted to `keypair`'s public key.
pub fn open(cipher: &[u8], keypair: &Keypair) -> Result<Vec<u8>, SealError> {
    Opener::new(keypair)?.open(cipher)
}

#[cfg(test)]
mod tests {
    use super::*;
    use solana_signer::Signer;

    #[test]
    fn sealed_to_a_wallet_opens_with_its_keypair_only() {
        let buyer = Keypair::new();
        let other = Keypair::new();
        let c = seal(b"artist,plays\n", &[buyer.pubkey()]).unwrap();
        assert_eq!(open(&c, &buyer).unwrap(), b"artist,plays\n");
        assert!(matches!(open(&c, &other), Err(SealError::Open(_))));
        let mut t = c.clone();
        let n = t.len() - 3;
        t[n] ^= 1;
        assert!(matches!(open(&t, &buyer), Err(SealError::Open(_))));
    }

    #[test]
    fn several_recipients_each_open() {
        let (a, b) = (Keypair::new(), Keypair::new());
        let c = seal(b"x", &[a.pubkey(), b.pubkey()]).unwrap();
        assert_eq!(open(&c, &a).unwrap(), b"x");
        assert_eq!(open(&c, &b).unwrap(), b"x");
        assert!(matches!(seal(b"x", &[]), Err(SealError::NoRecipients)));
        assert!(ssh_public_key(&a.pubkey()).starts_with("ssh-ed25519 AAAA"));
    }
}
