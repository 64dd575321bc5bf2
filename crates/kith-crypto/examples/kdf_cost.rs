//! Prints how long one Argon2id passphrase guess takes for a few parameter sets (run with
//! `cargo run --release -p kith-crypto --example kdf_cost`).

use std::time::Instant;

use kith_crypto::{DatabaseKey, KdfParams, WrappedKey};

fn main() -> Result<(), kith_crypto::CryptoError> {
    let key = DatabaseKey::generate()?;
    let recommended = KdfParams::recommended()?;
    let sets = [
        (64 * 1024, 3, 1),
        (64 * 1024, 8, 1),
        (128 * 1024, 4, 1),
        (128 * 1024, 3, 1),
        (256 * 1024, 2, 1),
        (recommended.memory_kib, recommended.iterations, recommended.parallelism),
    ];
    for (memory_kib, iterations, parallelism) in sets {
        let params = KdfParams::with_cost(memory_kib, iterations, parallelism)?;
        let wrapped = WrappedKey::with_passphrase(&key, "a passphrase", params)?;
        let mut times = Vec::new();
        for _ in 0..5 {
            let start = Instant::now();
            let _unwrapped: DatabaseKey = wrapped.unwrap_with_passphrase("a passphrase")?;
            times.push(start.elapsed().as_secs_f64() * 1000.0);
        }
        times.sort_by(f64::total_cmp);
        println!(
            "m={} MiB t={iterations} p={parallelism}: median {:.0} ms (min {:.0}, max {:.0})",
            memory_kib / 1024,
            times[2],
            times[0],
            times[4]
        );
    }
    Ok(())
}
