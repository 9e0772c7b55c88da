//! Per-person data keys and the chunked file encryption.
//!
//! A `DataKey` is stored only wrapped (AES-256-GCM) under a key derived from the master key,
//! so a database dump alone opens nothing, and deleting the wrapped key shreds every file.
//!
//! File format (version 1):
//!
//! ```text
//! "JBF1" || salt (16 random bytes)            header, 20 bytes
//! chunk 0 || chunk 1 || … || chunk n          each AES-256-GCM(plaintext) || tag (16 bytes)
//! ```
//!
//! Every chunk but the last holds exactly `CHUNK_BYTES` of plaintext; the last holds 0 to
//! `CHUNK_BYTES` (an empty file is one empty final chunk). Each file is sealed with its own key,
//! HMAC-SHA256(data key, label || salt), so nonces never repeat across files however many a person
//! uploads. The nonce of chunk *i* is `0 (7 bytes) || i (u32, big-endian) || last (1 byte)`, as
//! in the STREAM construction of Hoang, Reyhanitabar, Rogaway and Vizár: reordered or dropped
//! chunks fail on their counter, a stream cut at a chunk boundary fails on the last-chunk flag,
//! and a chunk from another file fails on the key. The header is the associated data of every
//! chunk.

use aes_gcm::{
    AeadInOut, Aes256Gcm, KeyInit,
    aead::{Nonce, Tag},
};
use bytes::{Bytes, BytesMut};
use hmac::{Hmac, Mac};
use rand::Rng;
use sha2::Sha256;
use zeroize::Zeroize;

use crate::{
    error::{Error, Result},
    secrets::MasterKey,
};

/// Plaintext bytes per chunk: big enough that the 16-byte tags cost 0.02 %, small enough that
/// a download holds little in memory.
pub(crate) const CHUNK_BYTES: usize = 64 * 1024;
const TAG_BYTES: usize = 16;
const MAGIC: &[u8; 4] = b"JBF1";
const SALT_BYTES: usize = 16;
pub(crate) const HEADER_BYTES: usize = MAGIC.len() + SALT_BYTES;

const WRAPPING_PURPOSE: &str = "files: data key wrapping v1";
const WRAP_VERSION: u8 = 1;
const WRAP_AAD: &[u8] = b"jobboard data key v1";
const FILE_KEY_LABEL: &[u8] = b"jobboard file key v1\0";

/// One person's 256-bit file key. Lives in memory only while a file is stored or read, and
/// is wiped when dropped.
#[derive(Clone)]
pub struct DataKey([u8; 32]);

impl Drop for DataKey {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

impl std::fmt::Debug for DataKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DataKey(<redacted>)")
    }
}

impl DataKey {
    pub fn generate() -> Self {
        let mut key = [0u8; 32];
        rand::rng().fill_bytes(&mut key);
        Self(key)
    }

    /// The form to store: version (1) || nonce (12) || sealed key (32) || tag (16).
    pub fn wrap(&self, master: &MasterKey) -> Vec<u8> {
        let cipher = wrapping_cipher(master);
        let mut nonce = [0u8; 12];
        rand::rng().fill_bytes(&mut nonce);
        let mut sealed = self.0.to_vec(); // encrypted in place: no plain copy remains
        cipher
            .encrypt_in_place(&Nonce::<Aes256Gcm>::from(nonce), WRAP_AAD, &mut sealed)
            .expect("a 32-byte message is within AES-GCM's limits");
        let mut wrapped = Vec::with_capacity(1 + nonce.len() + sealed.len());
        wrapped.push(WRAP_VERSION);
        wrapped.extend_from_slice(&nonce);
        wrapped.extend_from_slice(&sealed);
        wrapped
    }

    /// Fails on a damaged value or when it was wrapped under another master key.
    pub fn unwrap(master: &MasterKey, wrapped: &[u8]) -> Result<Self> {
        let refused =
            || Error::internal("a wrapped data key is damaged or was made with another master key");
        if wrapped.len() != 1 + 12 + 32 + TAG_BYTES || wrapped[0] != WRAP_VERSION {
            return Err(refused());
        }
        let nonce: [u8; 12] = wrapped[1..13].try_into().expect("length checked");
        let mut opened = wrapped[13..].to_vec();
        wrapping_cipher(master)
            .decrypt_in_place(&Nonce::<Aes256Gcm>::from(nonce), WRAP_AAD, &mut opened)
            .map_err(|_| refused())?;
        let mut key = Self([0u8; 32]);
        key.0.copy_from_slice(&opened);
        opened.zeroize();
        Ok(key)
    }

    fn file_cipher(&self, salt: &[u8]) -> Aes256Gcm {
        let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(&self.0).expect("any key length");
        mac.update(FILE_KEY_LABEL);
        mac.update(salt);
        let mut file_key: [u8; 32] = mac.finalize().into_bytes().into();
        let cipher = Aes256Gcm::new(&file_key.into());
        file_key.zeroize();
        cipher
    }
}

fn wrapping_cipher(master: &MasterKey) -> Aes256Gcm {
    let mut key = master.derive_key(WRAPPING_PURPOSE);
    let cipher = Aes256Gcm::new(&key.into());
    key.zeroize();
    cipher
}

fn chunk_nonce(counter: u32, last: bool) -> Nonce<Aes256Gcm> {
    let mut nonce = [0u8; 12];
    nonce[7..11].copy_from_slice(&counter.to_be_bytes());
    nonce[11] = u8::from(last);
    Nonce::<Aes256Gcm>::from(nonce)
}

fn damaged() -> Error {
    Error::internal("a stored file failed authentication (damaged, truncated or the wrong key)")
}

/// Turns plaintext, fed in pieces of any size, into the file format above.
pub(crate) struct Encryptor {
    cipher: Aes256Gcm,
    header: [u8; HEADER_BYTES],
    header_sent: bool,
    counter: u32,
    pending: BytesMut,
}

impl Encryptor {
    pub(crate) fn new(key: &DataKey) -> Self {
        let mut header = [0u8; HEADER_BYTES];
        header[..MAGIC.len()].copy_from_slice(MAGIC);
        rand::rng().fill_bytes(&mut header[MAGIC.len()..]);
        Self {
            cipher: key.file_cipher(&header[MAGIC.len()..]),
            header,
            header_sent: false,
            counter: 0,
            pending: BytesMut::new(),
        }
    }

    /// Ciphertext ready to be written. A full chunk is held back until more input shows it is
    /// not the last one.
    pub(crate) fn update(&mut self, plaintext: &[u8]) -> Result<Vec<Bytes>> {
        let mut out = self.take_header();
        self.pending.extend_from_slice(plaintext);
        while self.pending.len() > CHUNK_BYTES {
            let chunk = self.pending.split_to(CHUNK_BYTES);
            out.push(self.seal(&chunk, false)?);
        }
        Ok(out)
    }

    /// Seals what is left as the final chunk.
    pub(crate) fn finish(mut self) -> Result<Vec<Bytes>> {
        let mut out = self.take_header();
        let rest = std::mem::take(&mut self.pending);
        out.push(self.seal(&rest, true)?);
        Ok(out)
    }

    fn take_header(&mut self) -> Vec<Bytes> {
        if std::mem::replace(&mut self.header_sent, true) {
            Vec::new()
        } else {
            vec![Bytes::copy_from_slice(&self.header)]
        }
    }

    fn seal(&mut self, plaintext: &[u8], last: bool) -> Result<Bytes> {
        let mut buffer = Vec::with_capacity(plaintext.len() + TAG_BYTES);
        buffer.extend_from_slice(plaintext);
        let tag: Tag<Aes256Gcm> = self
            .cipher
            .encrypt_inout_detached(
                &chunk_nonce(self.counter, last),
                &self.header,
                buffer.as_mut_slice().into(),
            )
            .map_err(|_| Error::internal("chunk encryption failed"))?;
        buffer.extend_from_slice(&tag);
        self.counter = self
            .counter
            .checked_add(1)
            .ok_or_else(|| Error::internal("file too large for the chunk counter"))?;
        Ok(buffer.into())
    }
}

/// The inverse of `Encryptor`: releases each chunk's plaintext only once its tag checks out.
pub(crate) struct Decryptor {
    key: DataKey,
    cipher: Option<Aes256Gcm>,
    header: [u8; HEADER_BYTES],
    counter: u32,
    pending: BytesMut,
}

impl Decryptor {
    pub(crate) fn new(key: DataKey) -> Self {
        Self {
            key,
            cipher: None,
            header: [0u8; HEADER_BYTES],
            counter: 0,
            pending: BytesMut::new(),
        }
    }

    pub(crate) fn update(&mut self, ciphertext: &[u8]) -> Result<Vec<Bytes>> {
        self.pending.extend_from_slice(ciphertext);
        if self.cipher.is_none() {
            if self.pending.len() < HEADER_BYTES {
                return Ok(Vec::new());
            }
            let header = self.pending.split_to(HEADER_BYTES);
            if &header[..MAGIC.len()] != MAGIC {
                return Err(Error::internal("a stored file has an unknown format"));
            }
            self.header.copy_from_slice(&header);
            self.cipher = Some(self.key.file_cipher(&header[MAGIC.len()..]));
        }
        let mut out = Vec::new();
        while self.pending.len() > CHUNK_BYTES + TAG_BYTES {
            let chunk = self.pending.split_to(CHUNK_BYTES + TAG_BYTES);
            out.push(self.open(chunk, false)?);
        }
        Ok(out)
    }

    /// The final chunk; fails if the ciphertext was cut short anywhere.
    pub(crate) fn finish(mut self) -> Result<Bytes> {
        if self.cipher.is_none() || self.pending.len() < TAG_BYTES {
            return Err(damaged());
        }
        let rest = std::mem::take(&mut self.pending);
        self.open(rest, true)
    }

    fn open(&mut self, mut chunk: BytesMut, last: bool) -> Result<Bytes> {
        let cipher = self.cipher.as_ref().expect("header read first");
        let tag_at = chunk.len() - TAG_BYTES;
        let tag = Tag::<Aes256Gcm>::try_from(&chunk[tag_at..]).map_err(|_| damaged())?;
        chunk.truncate(tag_at);
        cipher
            .decrypt_inout_detached(
                &chunk_nonce(self.counter, last),
                &self.header,
                chunk.as_mut().into(),
                &tag,
            )
            .map_err(|_| damaged())?;
        self.counter = self.counter.checked_add(1).ok_or_else(damaged)?;
        Ok(chunk.freeze())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn master() -> MasterKey {
        MasterKey::parse(&"0f".repeat(32)).unwrap()
    }

    fn encrypt(key: &DataKey, plaintext: &[u8], piece: usize) -> Vec<u8> {
        let mut encryptor = Encryptor::new(key);
        let mut out = Vec::new();
        for part in plaintext.chunks(piece.max(1)) {
            for c in encryptor.update(part).unwrap() {
                out.extend_from_slice(&c);
            }
        }
        for c in encryptor.finish().unwrap() {
            out.extend_from_slice(&c);
        }
        out
    }

    fn decrypt(key: &DataKey, ciphertext: &[u8], piece: usize) -> Result<Vec<u8>> {
        let mut decryptor = Decryptor::new(key.clone());
        let mut out = Vec::new();
        for part in ciphertext.chunks(piece.max(1)) {
            for c in decryptor.update(part)? {
                out.extend_from_slice(&c);
            }
        }
        out.extend_from_slice(&decryptor.finish()?);
        Ok(out)
    }

    fn sample(len: usize) -> Vec<u8> {
        (0..len).map(|i| (i * 31 % 251) as u8).collect()
    }

    #[test]
    fn wrapped_keys_open_only_under_their_master_key() {
        let key = DataKey::generate();
        let wrapped = key.wrap(&master());
        assert_eq!(wrapped.len(), 61);
        let back = DataKey::unwrap(&master(), &wrapped).unwrap();
        assert_eq!(back.0, key.0);
        let other = MasterKey::parse(&"f0".repeat(32)).unwrap();
        assert!(DataKey::unwrap(&other, &wrapped).is_err());
        let mut tampered = wrapped.clone();
        tampered[20] ^= 1;
        assert!(DataKey::unwrap(&master(), &tampered).is_err());
        assert!(DataKey::unwrap(&master(), &wrapped[..60]).is_err());
        assert_eq!(format!("{key:?}"), "DataKey(<redacted>)");
    }

    #[test]
    fn round_trips_at_every_chunk_boundary_and_piece_size() {
        let key = DataKey::generate();
        for len in [
            0,
            1,
            CHUNK_BYTES - 1,
            CHUNK_BYTES,
            CHUNK_BYTES + 1,
            3 * CHUNK_BYTES,
            3 * CHUNK_BYTES + 7,
        ] {
            let plaintext = sample(len);
            for piece in [1000, CHUNK_BYTES, 100_000] {
                let ciphertext = encrypt(&key, &plaintext, piece);
                let chunks = len / CHUNK_BYTES + usize::from(len % CHUNK_BYTES != 0 || len == 0);
                assert_eq!(ciphertext.len(), HEADER_BYTES + len + chunks * TAG_BYTES);
                assert_eq!(decrypt(&key, &ciphertext, 777).unwrap(), plaintext, "{len}");
            }
        }
    }

    #[test]
    fn reordered_truncated_and_foreign_chunks_are_refused() {
        let key = DataKey::generate();
        let plaintext = sample(3 * CHUNK_BYTES);
        let ciphertext = encrypt(&key, &plaintext, CHUNK_BYTES);
        let sealed = CHUNK_BYTES + TAG_BYTES;
        let chunk = |c: &[u8], i: usize| c[HEADER_BYTES + i * sealed..][..sealed].to_vec();

        // Cut after a whole chunk: every remaining tag is valid, but no chunk says "last".
        let cut = &ciphertext[..HEADER_BYTES + 2 * sealed];
        assert!(decrypt(&key, cut, 4096).is_err());
        // Cut inside a chunk.
        assert!(decrypt(&key, &ciphertext[..ciphertext.len() - 1], 4096).is_err());
        // Only the header.
        assert!(decrypt(&key, &ciphertext[..HEADER_BYTES], 4096).is_err());

        // Swap chunks 0 and 1.
        let mut swapped = ciphertext[..HEADER_BYTES].to_vec();
        swapped.extend(chunk(&ciphertext, 1));
        swapped.extend(chunk(&ciphertext, 0));
        swapped.extend_from_slice(&ciphertext[HEADER_BYTES + 2 * sealed..]);
        assert!(decrypt(&key, &swapped, 4096).is_err());

        // Chunk 0 of another file under the same person's key.
        let other = encrypt(&key, &plaintext, CHUNK_BYTES);
        let mut spliced = ciphertext[..HEADER_BYTES].to_vec();
        spliced.extend(chunk(&other, 0));
        spliced.extend_from_slice(&ciphertext[HEADER_BYTES + sealed..]);
        assert!(decrypt(&key, &spliced, 4096).is_err());

        // One flipped bit, and the wrong key.
        let mut flipped = ciphertext.clone();
        flipped[HEADER_BYTES + sealed + 5] ^= 0x40;
        assert!(decrypt(&key, &flipped, 4096).is_err());
        assert!(decrypt(&DataKey::generate(), &ciphertext, 4096).is_err());
        assert_eq!(decrypt(&key, &ciphertext, 4096).unwrap(), plaintext);
    }
}
