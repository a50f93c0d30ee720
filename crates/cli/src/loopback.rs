//! The real HTTP server in this process, on its own thread: for benchmarks and the
//! simulator, which drive it over loopback.

use anyhow::Result;
use langso_store::Store;

/// A server started by [`spawn`].
pub struct Spawned {
    pub addr: std::net::SocketAddr,
    pub handle: actix_web::dev::ServerHandle,
    /// Ends once the server has stopped and dropped its store handle.
    pub thread: std::thread::JoinHandle<()>,
}

/// Builds and runs the server on `config.listen` in a thread of its own; stop it with
/// `actix_web::rt::System::new().block_on(spawned.handle.stop(true))`.
pub fn spawn(store: &Store, config: langso_server::Config) -> Result<Spawned> {
    let store = store.clone();
    let (tx, rx) = std::sync::mpsc::channel();
    let thread = std::thread::spawn(move || {
        actix_web::rt::System::new().block_on(async move {
            match langso_server::build(&config, store) {
                Ok((server, addr)) => {
                    let _ = tx.send(Ok((addr, server.handle())));
                    let _ = server.await;
                }
                Err(e) => {
                    let _ = tx.send(Err(e));
                }
            }
        })
    });
    let (addr, handle) = rx.recv()??;
    Ok(Spawned {
        addr,
        handle,
        thread,
    })
}
