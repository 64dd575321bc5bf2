//! A fault-injecting TCP proxy on 127.0.0.1:0 in front of the real server: per connection it
//! may drop the request, delay it, cut the answer short, reset after the server has acted, or
//! send the request to the server twice. Clients must use one request per connection.
#![allow(clippy::unwrap_used, clippy::expect_used, dead_code)]

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use rand::{Rng, SeedableRng};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

#[derive(Default)]
pub struct FaultCounts {
    pub connections: AtomicU64,
    pub dropped: AtomicU64,
    pub delayed: AtomicU64,
    pub truncated: AtomicU64,
    pub reset: AtomicU64,
    pub duplicated: AtomicU64,
}

pub struct FaultProxy {
    pub address: SocketAddr,
    pub faults_on: Arc<AtomicBool>,
    pub counts: Arc<FaultCounts>,
}

/// Reads one HTTP request (headers and a Content-Length body).
async fn read_request(client: &mut TcpStream) -> Option<Vec<u8>> {
    let mut buffer = Vec::new();
    let mut chunk = [0u8; 8192];
    loop {
        if let Some(end) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&buffer[..end]).to_ascii_lowercase();
            let length = head
                .lines()
                .find_map(|line| line.strip_prefix("content-length:"))
                .and_then(|v| v.trim().parse::<usize>().ok())
                .unwrap_or(0);
            if buffer.len() >= end + 4 + length {
                buffer.truncate(end + 4 + length);
                // Ask the server to close after answering, so the answer ends at EOF.
                let line_end = buffer.windows(2).position(|w| w == b"\r\n")?;
                buffer.splice(line_end + 2..line_end + 2, b"connection: close\r\n".iter().copied());
                return Some(buffer);
            }
        }
        let read = client.read(&mut chunk).await.ok()?;
        if read == 0 {
            return None;
        }
        buffer.extend_from_slice(&chunk[..read]);
    }
}

async fn exchange(upstream: SocketAddr, request: &[u8]) -> Option<Vec<u8>> {
    let mut server = TcpStream::connect(upstream).await.ok()?;
    server.write_all(request).await.ok()?;
    let mut response = Vec::new();
    server.read_to_end(&mut response).await.ok()?;
    Some(response)
}

async fn handle(
    mut client: TcpStream,
    upstream: SocketAddr,
    fault: u32,
    cut: f64,
    counts: Arc<FaultCounts>,
) {
    let Some(request) = read_request(&mut client).await else { return };
    let count = |c: &AtomicU64| c.fetch_add(1, Ordering::Relaxed);
    match fault {
        0 => {
            count(&counts.dropped);
        }
        1 => {
            count(&counts.reset);
            // The server has acted; the client's connection closes with no answer.
            let _ = exchange(upstream, &request).await;
            drop(client);
            return;
        }
        2 => {
            count(&counts.truncated);
            if let Some(response) = exchange(upstream, &request).await {
                let keep = ((response.len() as f64) * cut) as usize;
                let _ =
                    client.write_all(&response[..keep.min(response.len().saturating_sub(1))]).await;
            }
        }
        3 => {
            count(&counts.duplicated);
            let first = exchange(upstream, &request).await;
            let _ = exchange(upstream, &request).await;
            if let Some(response) = first {
                let _ = client.write_all(&response).await;
            }
        }
        4 => {
            count(&counts.delayed);
            tokio::time::sleep(Duration::from_millis((cut * 40.0) as u64)).await;
            if let Some(response) = exchange(upstream, &request).await {
                let _ = client.write_all(&response).await;
            }
        }
        _ => {
            if let Some(response) = exchange(upstream, &request).await {
                let _ = client.write_all(&response).await;
            }
        }
    }
    let _ = client.shutdown().await;
}

impl FaultProxy {
    /// Starts the proxy; `fault_rate` of connections get one of the five faults.
    pub async fn start(upstream: SocketAddr, fault_rate: f64, seed: u64) -> FaultProxy {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        let faults_on = Arc::new(AtomicBool::new(true));
        let counts = Arc::new(FaultCounts::default());
        let (on, tally) = (faults_on.clone(), counts.clone());
        tokio::spawn(async move {
            let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
            while let Ok((client, _)) = listener.accept().await {
                tally.connections.fetch_add(1, Ordering::Relaxed);
                let faulty = on.load(Ordering::Relaxed) && rng.gen_bool(fault_rate);
                let fault = if faulty { rng.gen_range(0..5) } else { 99 };
                let cut = rng.gen::<f64>();
                tokio::spawn(handle(client, upstream, fault, cut, tally.clone()));
            }
        });
        FaultProxy { address, faults_on, counts }
    }
}
