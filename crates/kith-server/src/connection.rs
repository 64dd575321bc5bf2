//! Serving connections with limits, the same for plain HTTP and HTTPS: a cap on open
//! connections, a deadline for a request's headers and one for its body, and an idle timeout.
//!
//! - **Connection cap**: a slot is taken before `accept`, so over the cap new connections wait
//!   in the kernel's listen queue (costing the server nothing) until one closes.
//! - **Headers**: hyper closes an HTTP/1 connection whose request head is not complete within
//!   `header_read_timeout` (also while waiting for the next request on a kept-alive
//!   connection). Hyper sends nothing then; a 408 cannot be written from outside it. The TLS
//!   handshake, and the first request's head on HTTP/2, get the same deadline here.
//! - **Body**: a body not fully received within `body_read_timeout` of its head ends the
//!   request with 408 `{code, message}` and `Connection: close`.
//! - **Idle**: once a request has come, a connection on which no bytes move either way and no
//!   handler runs for `idle_timeout` is closed (before the first request, the header timeout
//!   applies).

use std::future::Future as _;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::response::IntoResponse as _;
use axum::Router;
use hyper::body::{Body as HttpBody, Frame, SizeHint};
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Notify, Semaphore};
use tokio::time::{Instant, Sleep};
use tokio_rustls::TlsAcceptor;
use tower::Service as _;

use crate::api::AppError;
use crate::{router, AppState, ServerConfig};

/// The connection limits of a [`ServerConfig`].
#[derive(Clone, Copy, Debug)]
struct ConnectionLimits {
    max_connections: usize,
    header_read_timeout: Duration,
    body_read_timeout: Duration,
    idle_timeout: Duration,
}

impl From<&ServerConfig> for ConnectionLimits {
    fn from(config: &ServerConfig) -> Self {
        Self {
            max_connections: config.max_connections.max(1),
            header_read_timeout: config.header_read_timeout,
            body_read_timeout: config.body_read_timeout,
            idle_timeout: config.idle_timeout,
        }
    }
}

/// Accepts connections on `listener` until the process ends, serving each on its own task
/// (over TLS when `tls` is given). Handlers see the client address as
/// `ConnectInfo<SocketAddr>`.
pub(crate) async fn serve_connections(
    listener: TcpListener,
    state: AppState,
    tls: Option<TlsAcceptor>,
) -> std::io::Result<()> {
    let limits = ConnectionLimits::from(state.config());
    let slots = Arc::new(Semaphore::new(limits.max_connections));
    let app = router(state);
    loop {
        let Ok(slot) = Arc::clone(&slots).acquire_owned().await else {
            // The semaphore is never closed; should it be, stop serving rather than spin.
            return Ok(());
        };
        let (stream, address) = match listener.accept().await {
            Ok(accepted) => accepted,
            Err(error) => {
                // Out of file descriptors and the like: back off rather than spin.
                tracing::warn!(%error, "accepting a connection failed");
                tokio::time::sleep(Duration::from_millis(200)).await;
                continue;
            }
        };
        let _ = stream.set_nodelay(true);
        let app = app.clone();
        let tls = tls.clone();
        tokio::spawn(async move {
            serve_connection(stream, address, app, tls, limits).await;
            drop(slot);
        });
    }
}

async fn serve_connection(
    stream: TcpStream,
    address: SocketAddr,
    app: Router,
    tls: Option<TlsAcceptor>,
    limits: ConnectionLimits,
) {
    match tls {
        None => {
            let activity = Arc::new(Activity::new());
            serve_http(TrackedIo::new(stream, &activity), address, app, limits, activity).await
        }
        Some(acceptor) => {
            let handshake =
                tokio::time::timeout(limits.header_read_timeout, acceptor.accept(stream)).await;
            let stream = match handshake {
                Ok(Ok(stream)) => stream,
                Ok(Err(error)) => {
                    tracing::debug!(%error, "TLS handshake failed");
                    return;
                }
                Err(_) => {
                    tracing::debug!("TLS handshake timed out");
                    return;
                }
            };
            // The first request's head gets its own header timeout after the handshake.
            let activity = Arc::new(Activity::new());
            serve_http(TrackedIo::new(stream, &activity), address, app, limits, activity).await
        }
    }
}

async fn serve_http<I>(
    io: TrackedIo<I>,
    address: SocketAddr,
    app: Router,
    limits: ConnectionLimits,
    activity: Arc<Activity>,
) where
    I: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let service_activity = Arc::clone(&activity);
    let service =
        hyper::service::service_fn(move |request: hyper::Request<hyper::body::Incoming>| {
            let in_flight = InFlight::start(&service_activity);
            let timed_out = Arc::new(AtomicBool::new(false));
            let mut request = request.map(|body| {
                Body::new(DeadlineBody::new(body, limits.body_read_timeout, &timed_out))
            });
            request.extensions_mut().insert(ConnectInfo::<SocketAddr>(address));
            let response = app.clone().call(request);
            async move {
                let response = response.await;
                drop(in_flight);
                if timed_out.load(Ordering::SeqCst) {
                    // Whatever the handler made of the cut-off body, the answer is 408.
                    return Ok(AppError::RequestTimeout.into_response());
                }
                response
            }
        });
    let mut builder = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new());
    builder.http1().timer(TokioTimer::new()).header_read_timeout(limits.header_read_timeout);
    builder.http2().timer(TokioTimer::new());
    let connection = builder.serve_connection(TokioIo::new(io), service);
    tokio::pin!(connection);
    tokio::select! {
        outcome = connection.as_mut() => {
            if let Err(error) = outcome {
                tracing::debug!(%error, "connection ended with an error");
            }
        }
        reason = activity.close_when_stalled(limits) => {
            tracing::debug!(reason, "closing a stalled connection");
        }
    }
}

/// What a connection has been doing, shared by its IO, its requests and its watchdog.
struct Activity {
    opened: Instant,
    /// Milliseconds after `opened` of the last byte read or written, or request start or end.
    last_ms: AtomicU64,
    /// Handlers running now.
    in_flight: AtomicUsize,
    /// Requests whose head has arrived, ever.
    requests: AtomicU64,
    /// Signalled when the first request's head arrives.
    first_request: Notify,
}

impl Activity {
    fn new() -> Self {
        Self {
            opened: Instant::now(),
            last_ms: AtomicU64::new(0),
            in_flight: AtomicUsize::new(0),
            requests: AtomicU64::new(0),
            first_request: Notify::new(),
        }
    }

    fn touch(&self) {
        let elapsed = self.opened.elapsed().as_millis().try_into().unwrap_or(u64::MAX);
        self.last_ms.fetch_max(elapsed, Ordering::Relaxed);
    }

    /// Finishes when the connection has stalled: no request head within the header timeout
    /// of opening, or, once a request has come, nothing moving and no handler running for
    /// the idle timeout.
    async fn close_when_stalled(&self, limits: ConnectionLimits) -> &'static str {
        let first_head_deadline = self.opened + limits.header_read_timeout;
        while self.requests.load(Ordering::SeqCst) == 0 {
            if Instant::now() >= first_head_deadline {
                return "no request within the header timeout";
            }
            tokio::select! {
                () = tokio::time::sleep_until(first_head_deadline) => {}
                () = self.first_request.notified() => {}
            }
        }
        loop {
            let now = Instant::now();
            if self.in_flight.load(Ordering::SeqCst) > 0 {
                tokio::time::sleep_until(now + limits.idle_timeout).await;
                continue;
            }
            let last = self.opened + Duration::from_millis(self.last_ms.load(Ordering::Relaxed));
            let idle_deadline = last + limits.idle_timeout;
            if now >= idle_deadline {
                return "idle";
            }
            tokio::time::sleep_until(idle_deadline).await;
        }
    }
}

/// Marks a handler as running until dropped.
struct InFlight(Arc<Activity>);

impl InFlight {
    fn start(activity: &Arc<Activity>) -> Self {
        activity.in_flight.fetch_add(1, Ordering::SeqCst);
        activity.touch();
        if activity.requests.fetch_add(1, Ordering::SeqCst) == 0 {
            activity.first_request.notify_one();
        }
        Self(Arc::clone(activity))
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.touch();
        self.0.in_flight.fetch_sub(1, Ordering::SeqCst);
    }
}

/// A stream that notes in its [`Activity`] every time bytes move.
struct TrackedIo<I> {
    inner: I,
    activity: Arc<Activity>,
}

impl<I> TrackedIo<I> {
    fn new(inner: I, activity: &Arc<Activity>) -> Self {
        Self { inner, activity: Arc::clone(activity) }
    }
}

impl<I: AsyncRead + Unpin> AsyncRead for TrackedIo<I> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        let this = self.get_mut();
        let before = buf.filled().len();
        let outcome = Pin::new(&mut this.inner).poll_read(cx, buf);
        if matches!(outcome, Poll::Ready(Ok(()))) && buf.filled().len() > before {
            this.activity.touch();
        }
        outcome
    }
}

impl<I: AsyncWrite + Unpin> AsyncWrite for TrackedIo<I> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        let this = self.get_mut();
        let outcome = Pin::new(&mut this.inner).poll_write(cx, buf);
        if matches!(outcome, Poll::Ready(Ok(written)) if written > 0) {
            this.activity.touch();
        }
        outcome
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[std::io::IoSlice<'_>],
    ) -> Poll<std::io::Result<usize>> {
        let this = self.get_mut();
        let outcome = Pin::new(&mut this.inner).poll_write_vectored(cx, bufs);
        if matches!(outcome, Poll::Ready(Ok(written)) if written > 0) {
            this.activity.touch();
        }
        outcome
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_shutdown(cx)
    }
}

/// The error a request body gives once its deadline has passed.
#[derive(Debug, thiserror::Error)]
#[error("the request body did not arrive in time")]
pub struct BodyReadTimedOut;

/// A request body that must be fully received by a deadline; past it, reading fails with
/// [`BodyReadTimedOut`] and the flag the request's answer is checked against is set.
struct DeadlineBody {
    inner: hyper::body::Incoming,
    deadline: Pin<Box<Sleep>>,
    timed_out: Arc<AtomicBool>,
}

impl DeadlineBody {
    fn new(inner: hyper::body::Incoming, limit: Duration, timed_out: &Arc<AtomicBool>) -> Self {
        Self {
            inner,
            deadline: Box::pin(tokio::time::sleep(limit)),
            timed_out: Arc::clone(timed_out),
        }
    }
}

impl HttpBody for DeadlineBody {
    type Data = axum::body::Bytes;
    type Error = Box<dyn std::error::Error + Send + Sync>;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Self::Data>, Self::Error>>> {
        let this = self.get_mut();
        // What has arrived is always handed over; the deadline is checked whenever the reader
        // would have to wait, so a client dribbling a byte at a time cannot outlast it.
        if let Poll::Ready(frame) = Pin::new(&mut this.inner).poll_frame(cx) {
            return Poll::Ready(frame.map(|frame| frame.map_err(Into::into)));
        }
        if this.deadline.as_mut().poll(cx).is_ready() {
            this.timed_out.store(true, Ordering::SeqCst);
            return Poll::Ready(Some(Err(Box::new(BodyReadTimedOut))));
        }
        Poll::Pending
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}
