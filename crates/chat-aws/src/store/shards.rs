//! Write sharding for sparse indexes that the sweepers read by time: records spread over a
//! fixed number of partitions by a hash of their id, so that no index partition nears
//! DynamoDB's per-partition write rate, and a sweeper Queries each shard in turn.

/// The shard of `id` (FNV-1a): stable, and spread evenly by random ids. Records keep the shard
/// they were written with, so a table's shard count is a constant.
pub(crate) fn shard_of(id: &str, shards: u32) -> u32 {
    let hash = id.bytes().fold(0x811c_9dc5_u32, |hash, byte| {
        (hash ^ u32::from(byte)).wrapping_mul(0x0100_0193)
    });
    hash % shards
}

/// The shard's value in the index's partition key.
pub(crate) fn shard_name(shard: u32) -> String {
    format!("{shard:02}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_are_stable_and_spread() {
        assert_eq!(
            shard_of("L0SM9cOFvHcCIhw=", 16),
            shard_of("L0SM9cOFvHcCIhw=", 16)
        );
        let seen: std::collections::BTreeSet<String> = (0..400)
            .map(|n| shard_name(shard_of(&format!("conn{n:04}xyzAB="), 16)))
            .collect();
        assert_eq!(seen.len(), 16);
        assert!(seen.iter().all(|s| s.len() == 2));
    }
}
