//! Compression around a file (gzip, bzip2, zstd), undone with a hard cap on the output.

use serde::Serialize;

/// Compression wrapped around a file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Compression {
    Gzip,
    Bzip2,
    Zstd,
}

/// Decompresses at most `limit` bytes. On damage or overflow, returns what was decoded so far
/// and the reason.
pub fn decompress(c: Compression, raw: &[u8], limit: u64) -> Result<Vec<u8>, (Vec<u8>, String)> {
    use std::io::Read;
    let reader: Box<dyn Read + '_> = match c {
        Compression::Gzip => Box::new(flate2::read::MultiGzDecoder::new(raw)),
        Compression::Bzip2 => Box::new(bzip2::read::MultiBzDecoder::new(raw)),
        Compression::Zstd => match zstd::stream::read::Decoder::new(raw) {
            Ok(d) => Box::new(d),
            Err(e) => return Err((Vec::new(), format!("corrupt zstd data: {e}"))),
        },
    };
    let mut out = Vec::new();
    let mut limited = reader.take(limit + 1);
    let name = match c {
        Compression::Gzip => "gzip",
        Compression::Bzip2 => "bzip2",
        Compression::Zstd => "zstd",
    };
    match limited.read_to_end(&mut out) {
        Ok(_) if out.len() as u64 > limit => {
            out.truncate(limit as usize);
            Err((
                out,
                format!(
                    "decompressed data exceeds the {} MB limit (a compression bomb?)",
                    limit / 1_000_000
                ),
            ))
        }
        Ok(_) => Ok(out),
        Err(e) => {
            let reason = format!(
                "truncated or corrupt {name} data after {} bytes: {e}",
                out.len()
            );
            Err((out, reason))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gzip_round_trip_truncation_and_bomb_limit() {
        use std::io::Write;
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        enc.write_all(&vec![b'a'; 100_000]).unwrap();
        let gz = enc.finish().unwrap();
        assert_eq!(
            decompress(Compression::Gzip, &gz, 1 << 20).unwrap().len(),
            100_000
        );
        let (partial, reason) =
            decompress(Compression::Gzip, &gz[..gz.len() / 2], 1 << 20).unwrap_err();
        assert!(reason.contains("truncated"), "{reason}");
        assert!(partial.len() < 100_000);
        let (_, reason) = decompress(Compression::Gzip, &gz, 1000).unwrap_err();
        assert!(reason.contains("exceeds"), "{reason}");
    }
}
