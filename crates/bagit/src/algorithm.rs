//! Checksum algorithms a manifest can name, and hashing a file with several at once.

use std::io::Read;
use std::path::Path;

use md5::Digest as _;

/// A checksum algorithm named in `manifest-ALG.txt`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Algorithm {
    /// MD5: still common in older bags; RFC 8493 says not to use it for new ones.
    Md5,
    /// SHA-1: as MD5.
    Sha1,
    /// SHA-224.
    Sha224,
    /// SHA-256.
    Sha256,
    /// SHA-384.
    Sha384,
    /// SHA-512: RFC 8493's recommendation.
    Sha512,
}

impl Algorithm {
    /// The name in a manifest's file name.
    pub fn name(self) -> &'static str {
        match self {
            Algorithm::Md5 => "md5",
            Algorithm::Sha1 => "sha1",
            Algorithm::Sha224 => "sha224",
            Algorithm::Sha256 => "sha256",
            Algorithm::Sha384 => "sha384",
            Algorithm::Sha512 => "sha512",
        }
    }

    /// The algorithm of a manifest file name's middle part.
    pub fn from_name(name: &str) -> Option<Algorithm> {
        Some(match name {
            "md5" => Algorithm::Md5,
            "sha1" => Algorithm::Sha1,
            "sha224" => Algorithm::Sha224,
            "sha256" => Algorithm::Sha256,
            "sha384" => Algorithm::Sha384,
            "sha512" => Algorithm::Sha512,
            _ => return None,
        })
    }

    /// Length of a checksum in hex digits.
    pub fn hex_len(self) -> usize {
        match self {
            Algorithm::Md5 => 32,
            Algorithm::Sha1 => 40,
            Algorithm::Sha224 => 56,
            Algorithm::Sha256 => 64,
            Algorithm::Sha384 => 96,
            Algorithm::Sha512 => 128,
        }
    }

    /// True for algorithms RFC 8493 advises against for new bags.
    pub fn is_weak(self) -> bool {
        matches!(self, Algorithm::Md5 | Algorithm::Sha1)
    }
}

impl serde::Serialize for Algorithm {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.name())
    }
}

enum State {
    Md5(md5::Md5),
    Sha1(sha1::Sha1),
    Sha224(sha2::Sha224),
    Sha256(sha2::Sha256),
    Sha384(sha2::Sha384),
    Sha512(sha2::Sha512),
}

impl State {
    fn new(a: Algorithm) -> State {
        match a {
            Algorithm::Md5 => State::Md5(md5::Md5::new()),
            Algorithm::Sha1 => State::Sha1(sha1::Sha1::new()),
            Algorithm::Sha224 => State::Sha224(sha2::Sha224::new()),
            Algorithm::Sha256 => State::Sha256(sha2::Sha256::new()),
            Algorithm::Sha384 => State::Sha384(sha2::Sha384::new()),
            Algorithm::Sha512 => State::Sha512(sha2::Sha512::new()),
        }
    }

    fn update(&mut self, bytes: &[u8]) {
        match self {
            State::Md5(h) => h.update(bytes),
            State::Sha1(h) => h.update(bytes),
            State::Sha224(h) => h.update(bytes),
            State::Sha256(h) => h.update(bytes),
            State::Sha384(h) => h.update(bytes),
            State::Sha512(h) => h.update(bytes),
        }
    }

    fn finish(self) -> String {
        match self {
            State::Md5(h) => hex::encode(h.finalize()),
            State::Sha1(h) => hex::encode(h.finalize()),
            State::Sha224(h) => hex::encode(h.finalize()),
            State::Sha256(h) => hex::encode(h.finalize()),
            State::Sha384(h) => hex::encode(h.finalize()),
            State::Sha512(h) => hex::encode(h.finalize()),
        }
    }
}

/// Several digests of one stream, computed in a single pass over its bytes.
pub struct MultiHasher {
    states: Vec<(Algorithm, State)>,
    bytes: u64,
}

impl MultiHasher {
    /// A hasher for these algorithms.
    pub fn new(algorithms: &[Algorithm]) -> MultiHasher {
        MultiHasher {
            states: algorithms.iter().map(|&a| (a, State::new(a))).collect(),
            bytes: 0,
        }
    }

    /// Feeds bytes.
    pub fn update(&mut self, bytes: &[u8]) {
        self.bytes += bytes.len() as u64;
        for (_, s) in &mut self.states {
            s.update(bytes);
        }
    }

    /// The digests in hex, in the order the algorithms were given, and the byte count.
    pub fn finish(self) -> (Vec<(Algorithm, String)>, u64) {
        (
            self.states
                .into_iter()
                .map(|(a, s)| (a, s.finish()))
                .collect(),
            self.bytes,
        )
    }
}

/// Reads a file to its end, hashing it with every algorithm at once.
pub fn hash_file(
    path: &Path,
    algorithms: &[Algorithm],
) -> std::io::Result<(Vec<(Algorithm, String)>, u64)> {
    thread_local! {
        // Small enough to stay in the core's cache while each algorithm reads it in turn,
        // and kept per thread: a bag of many small files would otherwise spend a good part
        // of its time clearing new buffers.
        static BUFFER: std::cell::RefCell<Vec<u8>> = std::cell::RefCell::new(vec![0u8; 128 * 1024]);
    }
    let mut file = std::fs::File::open(path)?;
    let mut hasher = MultiHasher::new(algorithms);
    BUFFER.with(|buf| {
        let mut buf = buf.borrow_mut();
        loop {
            let n = match file.read(&mut buf[..]) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            hasher.update(&buf[..n]);
        }
        Ok(())
    })?;
    Ok(hasher.finish())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_digests_of_abc() {
        let mut h = MultiHasher::new(&[Algorithm::Md5, Algorithm::Sha1, Algorithm::Sha256]);
        h.update(b"a");
        h.update(b"bc");
        let (digests, n) = h.finish();
        assert_eq!(n, 3);
        // FIPS 180 and RFC 1321 test vectors.
        assert_eq!(digests[0].1, "900150983cd24fb0d6963f7d28e17f72");
        assert_eq!(digests[1].1, "a9993e364706816aba3e25717850c26c9cd0d89d");
        assert_eq!(
            digests[2].1,
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
