//! Running the web view (`vellum serve`): a pool of open archives, a
//! runtime, the listener, the change kinds warmed before anyone asks, and
//! the router, until Ctrl-C. The front end only prints where it listens.

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;

use crate::store::StoreError;

use super::app::{App, KindMemo, Pool};

/// Archives kept open for requests (each is one SQLite connection plus a
/// cache of decoded objects).
const POOL: usize = 16;

/// Why the web view could not start or stopped.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("starting the server: {0}")]
    Runtime(std::io::Error),
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error("serving: {0}")]
    Serve(std::io::Error),
    /// A non-loopback address without the user's leave.
    #[error("{0} is not a loopback address")]
    NotLoopback(SocketAddr),
}

/// Whether serving on `addr` exposes the archive to other machines: a
/// loopback address does not; any other is refused unless `allow_remote`.
pub fn exposes(addr: SocketAddr, allow_remote: bool) -> Result<bool, ServeError> {
    match (addr.ip().is_loopback(), allow_remote) {
        (true, _) => Ok(false),
        (false, true) => Ok(true),
        (false, false) => Err(ServeError::NotLoopback(addr)),
    }
}

/// Serves the store at `store` read-only on `addr` until Ctrl-C; `cors`
/// lets scripts on any origin read the JSON API. Once the port is bound,
/// `listening` is told where (what the front end prints).
pub fn serve_store<E: From<ServeError>>(
    store: &Path,
    addr: SocketAddr,
    cors: bool,
    listening: impl FnOnce(&Listening) -> Result<(), E>,
) -> Result<(), E> {
    let app = Arc::new(App {
        pool: Pool::new(store, POOL).map_err(ServeError::from)?,
        kinds: KindMemo::default(),
        titles: Default::default(),
        search: true,
    });
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build();
    runtime.map_err(ServeError::Runtime)?.block_on(async {
        let bind = tokio::net::TcpListener::bind(addr).await;
        let listener = bind.map_err(|source| ServeError::Bind { addr, source })?;
        let bound = listener
            .local_addr()
            .map_err(|source| ServeError::Bind { addr, source })?;
        listening(&Listening::new(bound, store))?;
        // The change kinds of every timeline, computed before anyone asks.
        let warm = app.clone();
        tokio::task::spawn_blocking(move || {
            let _ = warm.pool.with(|a| warm.kinds.warm(a));
        });
        let mut router = super::http::router(app);
        if cors {
            router = super::api::cors(router);
        }
        let shutdown = async {
            let _ = tokio::signal::ctrl_c().await;
        };
        let served = axum::serve(listener, router)
            .with_graceful_shutdown(shutdown)
            .await;
        Ok(served.map_err(ServeError::Serve)?)
    })
}

/// Where the web view listens: the first line `serve --json` prints, once
/// the port is bound.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
pub struct Listening {
    /// The address bound (`127.0.0.1:8080`).
    pub addr: String,
    /// The store served (its directory or s3:// address, as given).
    pub store: std::path::PathBuf,
    /// The view's address (`http://127.0.0.1:8080/`).
    pub url: String,
}

impl Listening {
    /// Serving `store` on `addr`.
    pub fn new(addr: std::net::SocketAddr, store: &std::path::Path) -> Self {
        Listening {
            addr: addr.to_string(),
            store: store.to_path_buf(),
            url: format!("http://{addr}/"),
        }
    }
}
