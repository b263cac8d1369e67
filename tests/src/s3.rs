//! A real S3-protocol server for the storage tests: `s3s-fs` (the S3 API over a directory) on a
//! loopback port, in its own thread and runtime, with access keys. The stores under test reach
//! it through `object_store`'s S3 client, exactly as they reach AWS S3, MinIO or R2.

use std::net::SocketAddr;
use std::path::PathBuf;

use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto::Builder;
use s3s::auth::SimpleAuth;
use s3s::service::S3ServiceBuilder;

/// Access key of the test server.
pub const ACCESS_KEY: &str = "datapool-test";
/// Secret key of the test server.
pub const SECRET_KEY: &str = "datapool-test-secret";

/// A running server.
pub struct S3Server {
    /// `http://127.0.0.1:PORT`.
    pub endpoint: String,
    /// The bucket made for the test.
    pub bucket: String,
    /// The directory behind it.
    pub root: PathBuf,
}

impl S3Server {
    /// The environment `object_store` reads (`AWS_*`) to reach this server.
    pub fn env(&self) -> Vec<(&'static str, String)> {
        vec![
            ("AWS_ENDPOINT", self.endpoint.clone()),
            ("AWS_ACCESS_KEY_ID", ACCESS_KEY.into()),
            ("AWS_SECRET_ACCESS_KEY", SECRET_KEY.into()),
            ("AWS_REGION", "us-east-1".into()),
            ("AWS_ALLOW_HTTP", "true".into()),
        ]
    }

    /// Sets [`S3Server::env`] in this process (for stores opened here and child processes).
    pub fn export_env(&self) {
        for (k, v) in self.env() {
            std::env::set_var(k, v);
        }
    }

    /// A store URL under the bucket.
    pub fn url(&self, prefix: &str) -> String {
        format!("s3://{}/{prefix}", self.bucket)
    }
}

/// Starts a server over a fresh directory with bucket `bucket`; it serves until the process
/// ends.
pub fn start(bucket: &str) -> S3Server {
    let root = std::env::temp_dir().join(format!("datapool-s3-{}-{}", std::process::id(), bucket));
    std::fs::create_dir_all(root.join(bucket)).expect("bucket dir");
    let (tx, rx) = std::sync::mpsc::channel::<SocketAddr>();
    let dir = root.clone();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("rt");
        rt.block_on(async move {
            let fs = s3s_fs::FileSystem::new(&dir).expect("s3s-fs");
            let mut b = S3ServiceBuilder::new(fs);
            b.set_auth(SimpleAuth::from_single(ACCESS_KEY, SECRET_KEY));
            let service = b.build();
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
                .await
                .expect("bind");
            tx.send(listener.local_addr().expect("addr"))
                .expect("ready");
            let http = Builder::new(TokioExecutor::new());
            loop {
                let Ok((socket, _)) = listener.accept().await else {
                    continue;
                };
                let conn = http
                    .serve_connection(TokioIo::new(socket), service.clone())
                    .into_owned();
                tokio::spawn(async move {
                    let _ = conn.await;
                });
            }
        });
    });
    let addr = rx.recv().expect("s3 server up");
    S3Server {
        endpoint: format!("http://{addr}"),
        bucket: bucket.into(),
        root,
    }
}
