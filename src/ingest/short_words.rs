//! A memory of values per short word, laid out for the indexer's hottest lookups.
//!
//! Stemming every token through a `HashMap<String, String>` cost 9% of a Reuters index's CPU
//! (perf): the map's buckets hold pointers, so a hit reads the bucket, then the key's bytes
//! elsewhere on the heap (through a `memcmp` call), then the stem's. Here a word of up to
//! [`MAX_WORD_BYTES`] bytes is packed with its length into one `u128`, compared in one
//! instruction, and its value sits beside it in the same slot of an open-addressing table
//! (linear probing), so a hit touches one cache line. Longer words are left to the caller.

/// The longest word (in UTF-8 bytes) a [`ShortWords`] table holds.
pub const MAX_WORD_BYTES: usize = 15;

/// A word packed with its length: byte 0 is the length, bytes 1.. the word, the rest zero. Zero
/// is never a key (words are not empty), so it marks an empty slot.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ShortKey(u128);

impl ShortKey {
    /// The key of no word (for tables whose values are words).
    pub const NONE: ShortKey = ShortKey(0);

    /// `word` packed, or `None` when it is empty or longer than [`MAX_WORD_BYTES`].
    #[inline]
    pub fn new(word: &str) -> Option<ShortKey> {
        let bytes = word.as_bytes();
        if bytes.is_empty() || bytes.len() > MAX_WORD_BYTES {
            return None;
        }
        let mut buf = [0u8; 16];
        buf[0] = bytes.len() as u8;
        buf[1..=bytes.len()].copy_from_slice(bytes);
        Some(ShortKey(u128::from_le_bytes(buf)))
    }

    /// The packed word's bytes into `buf`, returned as a string.
    pub fn unpack(self, buf: &mut [u8; 16]) -> &str {
        *buf = self.0.to_le_bytes();
        let len = usize::from(buf[0]).min(MAX_WORD_BYTES);
        // Only `new` makes keys, from whole strings, so this never fails.
        std::str::from_utf8(&buf[1..=len]).unwrap_or_default()
    }

    /// One of `2^bits` slots, by the key's hash: where a table (or a cache in front of one)
    /// looks for it first.
    #[inline]
    pub fn slot(self, bits: u32) -> usize {
        // Fx-style multiplicative hash of both halves; the top bits choose the slot.
        const K: u64 = 0xf135_7aea_2e62_a9c5;
        let h = ((self.0 as u64).wrapping_mul(K) ^ (self.0 >> 64) as u64).wrapping_mul(K);
        (h >> (64 - bits)) as usize
    }
}

/// Short word -> `V`, with at most `limit` words remembered: when full, it starts over.
#[derive(Clone)]
pub struct ShortWords<V: Copy> {
    slots: Vec<(u128, V)>,
    bits: u32,
    len: usize,
    limit: usize,
    empty: V,
}

/// Slots of a new table (it doubles as it fills, so a table that sees few words stays small).
const FIRST_BITS: u32 = 10;

impl<V: Copy> ShortWords<V> {
    /// An empty table remembering up to `limit` words; `empty` fills unused slots.
    pub fn new(limit: usize, empty: V) -> ShortWords<V> {
        ShortWords {
            slots: vec![(0, empty); 1 << FIRST_BITS],
            bits: FIRST_BITS,
            len: 0,
            limit: limit.max(1),
            empty,
        }
    }

    /// Words remembered.
    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    #[inline]
    pub fn get(&self, key: ShortKey) -> Option<V> {
        let mask = self.slots.len() - 1;
        let mut i = key.slot(self.bits);
        loop {
            let (k, v) = self.slots[i];
            if k == key.0 {
                return Some(v);
            }
            if k == 0 {
                return None;
            }
            i = (i + 1) & mask;
        }
    }

    /// Remembers `value` for `key` (which must not be in the table yet).
    pub fn insert(&mut self, key: ShortKey, value: V) {
        if self.len >= self.limit {
            self.clear();
        }
        // Load at most 1/2 before doubling, so probes stay short.
        if (self.len + 1) * 2 > self.slots.len() {
            self.grow();
        }
        self.place(key.0, value);
        self.len += 1;
    }

    fn place(&mut self, key: u128, value: V) {
        let mask = self.slots.len() - 1;
        let mut i = ShortKey(key).slot(self.bits);
        while self.slots[i].0 != 0 {
            i = (i + 1) & mask;
        }
        self.slots[i] = (key, value);
    }

    fn grow(&mut self) {
        let old = std::mem::take(&mut self.slots);
        self.bits += 1;
        self.slots = vec![(0, self.empty); 1 << self.bits];
        for (k, v) in old {
            if k != 0 {
                self.place(k, v);
            }
        }
    }

    /// Forgets every word (keeping the table's size).
    pub fn clear(&mut self) {
        self.slots.fill((0, self.empty));
        self.len = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    #[test]
    fn keys_pack_short_words_only() {
        assert_eq!(ShortKey::new(""), None);
        assert_eq!(ShortKey::new("abcdefghijklmnop"), None); // 16 bytes
        let k = ShortKey::new("naïve").unwrap();
        assert_eq!(k.unpack(&mut [0; 16]), "naïve");
        let k = ShortKey::new("abcdefghijklmno").unwrap();
        assert_eq!(k.unpack(&mut [0; 16]), "abcdefghijklmno");
        // The length is part of the key: a word is never a shorter word padded with zeros.
        assert_ne!(ShortKey::new("a\0"), ShortKey::new("a"));
    }

    /// The table answers like a HashMap over many words, across growth and start-overs.
    #[test]
    fn agrees_with_a_hash_map() {
        let mut table = ShortWords::new(5_000, 0u32);
        let mut map: HashMap<String, u32> = HashMap::new();
        for round in 0..3u32 {
            for i in 0..12_000u32 {
                // Words repeat (i % 7_919), so lookups hit and miss.
                let word = format!("w{}", (i * 31 + round) % 7_919);
                let key = ShortKey::new(&word).unwrap();
                match table.get(key) {
                    Some(v) => assert_eq!(Some(&v), map.get(&word), "{word}"),
                    None => {
                        if table.len() >= 5_000 {
                            map.clear();
                        }
                        let v = i ^ round;
                        table.insert(key, v);
                        map.insert(word, v);
                    }
                }
                assert_eq!(table.len(), map.len());
            }
        }
        assert!(table.len() <= 5_000);
    }
}
