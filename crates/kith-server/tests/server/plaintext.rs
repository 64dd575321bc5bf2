//! No plaintext at rest: record contents pushed as AES-256-GCM envelopes never appear in the
//! server's SQLite files or in a PostgreSQL dump.

use aes_gcm::aead::{Aead, KeyInit, OsRng};
use aes_gcm::{AeadCore, Aes256Gcm};
use kith_protocol::{PersonId, PushOutcome, RecordKind, Role};

use crate::support::{Backend, TestServer};

const MARKER: &str = "KITH-PLAINTEXT-MARKER Margaret Thompson 943 476 5919 lives alone";

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|window| window == needle)
}

pub async fn no_plaintext_at_rest(backend: Backend) {
    let server = TestServer::start(backend).await;
    let practice = server.practice("Marker Practice").await;
    let mut worker = server.member(practice, "marker-lw", Role::LinkWorker).await;

    // The client seals the note under the practice key; the server only relays the envelope.
    let practice_key = Aes256Gcm::generate_key(OsRng);
    let cipher = Aes256Gcm::new(&practice_key);
    let mut ciphertexts = Vec::new();
    let person = PersonId::new_v7();
    let mut ops = vec![worker.op(RecordKind::Person, Some(person), Vec::new())];
    for index in 0..20 {
        let nonce = Aes256Gcm::generate_nonce(&mut OsRng);
        let sealed = cipher.encrypt(&nonce, format!("{MARKER} #{index}").as_bytes()).unwrap();
        let mut envelope = nonce.to_vec();
        envelope.extend_from_slice(&sealed);
        ciphertexts.push(envelope.clone());
        ops.push(worker.op(RecordKind::Note, Some(person), envelope));
    }
    ops[0].envelope.0 = ciphertexts[0].clone();
    let pushed = worker.push(ops).await;
    assert!(pushed.results.iter().all(|r| matches!(r.outcome, PushOutcome::Accepted { .. })));

    // The envelope comes back intact and opens on the client.
    let (pulled, _) = worker.pull_all(0, 100).await;
    let last = &pulled.last().unwrap().operation.envelope.0;
    let (nonce, sealed) = last.split_at(12);
    let opened = cipher.decrypt(nonce.into(), sealed).unwrap();
    assert!(String::from_utf8(opened).unwrap().starts_with(MARKER));

    let stored: Vec<u8> = match backend {
        Backend::Sqlite => {
            let path = server.sqlite_path.clone().unwrap();
            let mut bytes = Vec::new();
            for suffix in ["", "-wal", "-shm"] {
                let file = format!("{}{suffix}", path.display());
                if let Ok(content) = std::fs::read(&file) {
                    bytes.extend(content);
                }
            }
            bytes
        }
        Backend::Postgres => {
            let (cluster, url) = server.postgres.as_ref().unwrap();
            let dump = cluster.dump(url);
            // bytea is dumped as hex: search the hex spelling too.
            let hex_of_marker = kith_server::secrets::hex(MARKER.as_bytes());
            assert!(!contains(&dump, hex_of_marker.as_bytes()), "marker found as hex in pg_dump");
            // Sanity: the dump does hold the ciphertext (so the search looks in the right place).
            let hex_of_ciphertext = kith_server::secrets::hex(&ciphertexts[3]);
            assert!(contains(&dump, hex_of_ciphertext.as_bytes()), "ciphertext not in the dump");
            dump
        }
    };
    assert!(!stored.is_empty());
    assert!(!contains(&stored, MARKER.as_bytes()), "plaintext marker found at rest");
    assert!(!contains(&stored, b"Margaret"), "plaintext name found at rest");
    if backend == Backend::Sqlite {
        assert!(
            contains(&stored, &ciphertexts[3]),
            "ciphertext not in the files: search is broken"
        );
    }
}
