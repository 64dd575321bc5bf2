//! A real kith-server on 127.0.0.1:0 (SQLite in a temp dir) for the whole test binary, and
//! practices with enrolled devices made straight through its storage.
#![allow(clippy::unwrap_used, clippy::expect_used, dead_code)]

use std::sync::{Arc, OnceLock};

use kith_protocol::{DeviceId, Role};
use kith_server::storage::NewUser;
use kith_server::{ServerConfig, Storage};

pub struct RealServer {
    pub runtime: tokio::runtime::Runtime,
    pub base_url: String,
    pub address: std::net::SocketAddr,
    pub storage: Arc<dyn Storage>,
    _dir: tempfile::TempDir,
}

/// The one server of this test binary.
pub fn real_server() -> &'static RealServer {
    static SERVER: OnceLock<RealServer> = OnceLock::new();
    SERVER.get_or_init(|| {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let dir = tempfile::tempdir().unwrap();
        let (address, storage) = runtime
            .block_on(kith_server::serve_sqlite_on_loopback(dir.path(), ServerConfig::default()))
            .unwrap();
        RealServer { runtime, base_url: format!("http://{address}"), address, storage, _dir: dir }
    })
}

impl RealServer {
    /// A new practice with one supervisor (who sees the whole practice) and `devices` enrolled
    /// devices of theirs: `(device id, bearer token)`.
    pub async fn practice_with_devices(&self, devices: usize) -> Vec<(DeviceId, String)> {
        let practice = self.storage.create_practice("Test practice".into()).await.unwrap();
        let user = self
            .storage
            .create_user(NewUser {
                practice_id: practice.id,
                username: format!("supervisor-{}", uuid::Uuid::now_v7().simple()),
                role: Role::Supervisor,
                password_hash: "never used to log in".into(),
            })
            .await
            .unwrap();
        let mut enrolled = Vec::new();
        for _ in 0..devices {
            let token = kith_server::secrets::new_device_token();
            let hash = kith_server::secrets::token_hash(&token);
            let device = self
                .storage
                .create_device(user.user_id, "laptop".into(), hash, kith_server::now_ms() as i64)
                .await
                .unwrap();
            enrolled.push((device.device_id, token));
        }
        enrolled
    }
}
