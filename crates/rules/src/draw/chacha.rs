//! The random numbers of the draw (spec section 4): the ChaCha20 block function of
//! RFC 8439, its keystream read as little-endian u64 words, and `uniform(n)`.
//! Written out here so that the contract does not depend on a crate's internals.

/// "expand 32-byte k", the RFC 8439 constants.
const CONSTANTS: [u32; 4] = [0x6170_7865, 0x3320_646e, 0x7962_2d32, 0x6b20_6574];

#[inline(always)]
fn quarter_round(s: &mut [u32; 16], a: usize, b: usize, c: usize, d: usize) {
    s[a] = s[a].wrapping_add(s[b]);
    s[d] = (s[d] ^ s[a]).rotate_left(16);
    s[c] = s[c].wrapping_add(s[d]);
    s[b] = (s[b] ^ s[c]).rotate_left(12);
    s[a] = s[a].wrapping_add(s[b]);
    s[d] = (s[d] ^ s[a]).rotate_left(8);
    s[c] = s[c].wrapping_add(s[d]);
    s[b] = (s[b] ^ s[c]).rotate_left(7);
}

/// One block: 20 rounds (10 column + diagonal double rounds) over the state
/// constants | key | words 12..16, then the input added back word by word.
fn block_words(key: &[u32; 8], tail: [u32; 4]) -> [u32; 16] {
    let mut input = [0u32; 16];
    input[..4].copy_from_slice(&CONSTANTS);
    input[4..12].copy_from_slice(key);
    input[12..].copy_from_slice(&tail);
    let mut s = input;
    for _ in 0..10 {
        quarter_round(&mut s, 0, 4, 8, 12);
        quarter_round(&mut s, 1, 5, 9, 13);
        quarter_round(&mut s, 2, 6, 10, 14);
        quarter_round(&mut s, 3, 7, 11, 15);
        quarter_round(&mut s, 0, 5, 10, 15);
        quarter_round(&mut s, 1, 6, 11, 12);
        quarter_round(&mut s, 2, 7, 8, 13);
        quarter_round(&mut s, 3, 4, 9, 14);
    }
    for (w, i) in s.iter_mut().zip(input) {
        *w = w.wrapping_add(i);
    }
    s
}

fn le_words<const N: usize>(bytes: &[u8]) -> [u32; N] {
    let mut out = [0u32; N];
    for (w, c) in out.iter_mut().zip(bytes.chunks_exact(4)) {
        *w = u32::from_le_bytes([c[0], c[1], c[2], c[3]]);
    }
    out
}

/// The RFC 8439 section 2.3 block function: 64 keystream bytes for a key, a
/// 32-bit block counter and a 96-bit nonce.
pub fn chacha20_block(key: &[u8; 32], counter: u32, nonce: &[u8; 12]) -> [u8; 64] {
    let n: [u32; 3] = le_words(nonce);
    let words = block_words(&le_words(key), [counter, n[0], n[1], n[2]]);
    let mut out = [0u8; 64];
    for (c, w) in out.chunks_exact_mut(4).zip(words) {
        c.copy_from_slice(&w.to_le_bytes());
    }
    out
}

/// A source of 64-bit words for [`uniform`]; the draw uses [`Keystream`].
pub trait WordSource {
    fn next_word(&mut self) -> u64;
}

/// The spec's keystream: key = seed, zero nonce, block counter from 0, read as
/// consecutive little-endian u64 words.
///
/// The counter is kept as 64 bits over state words 12 and 13 (as `rand_chacha`
/// does); with the zero nonce this equals RFC 8439's 32-bit counter for the first
/// 2^32 blocks (256 GiB of keystream), far beyond any draw.
#[derive(Clone, Debug)]
pub struct Keystream {
    key: [u32; 8],
    counter: u64,
    block: [u32; 16],
    /// Next unread word of `block`; 16 = exhausted.
    pos: usize,
    words_read: u64,
}

impl Keystream {
    pub fn new(seed: &[u8; 32]) -> Keystream {
        Keystream { key: le_words(seed), counter: 0, block: [0; 16], pos: 16, words_read: 0 }
    }

    /// How many u64 words have been consumed (rejected ones included).
    pub fn words_read(&self) -> u64 {
        self.words_read
    }
}

impl WordSource for Keystream {
    fn next_word(&mut self) -> u64 {
        if self.pos == 16 {
            self.block = block_words(&self.key, [self.counter as u32, (self.counter >> 32) as u32, 0, 0]);
            self.counter = self.counter.wrapping_add(1);
            self.pos = 0;
        }
        let (lo, hi) = (self.block[self.pos], self.block[self.pos + 1]);
        self.pos += 2;
        self.words_read += 1;
        u64::from(lo) | (u64::from(hi) << 32)
    }
}

/// `uniform(n)` of the spec for n >= 1: the next word x, discarded while
/// x >= 2^64 - (2^64 mod n) so that every residue is equally likely; then x mod n.
///
/// Panics when n = 0: callers only ask for a choice among a non-empty list.
pub fn uniform<W: WordSource + ?Sized>(words: &mut W, n: u64) -> u64 {
    assert!(n >= 1, "uniform(0) has no result");
    const TWO_64: u128 = 1 << 64;
    let limit = TWO_64 - TWO_64 % u128::from(n);
    loop {
        let x = words.next_word();
        if u128::from(x) < limit {
            return x % n;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Fixed(std::vec::IntoIter<u64>);
    impl WordSource for Fixed {
        fn next_word(&mut self) -> u64 {
            self.0.next().expect("enough words")
        }
    }

    #[test]
    fn uniform_of_one_is_zero_and_never_rejects() {
        let mut w = Fixed(vec![u64::MAX, 7].into_iter());
        assert_eq!(uniform(&mut w, 1), 0);
        assert_eq!(w.0.len(), 1, "one word consumed");
    }

    #[test]
    fn uniform_of_a_power_of_two_never_rejects() {
        // 2^64 mod 2^k = 0: the limit is 2^64 itself.
        let mut w = Fixed(vec![u64::MAX].into_iter());
        assert_eq!(uniform(&mut w, 1 << 10), 1023);
    }
}
