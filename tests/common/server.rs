//! A tiny HTTP/1.1 server on 127.0.0.1 for the web tests (no traffic
//! leaves the machine): each path answers by a function of how many times it
//! was asked before; request heads are kept for inspection.

use std::collections::HashMap;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

/// One canned answer.
#[derive(Clone)]
pub struct Answer {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    pub delay: Duration,
}

pub fn ok(content_type: &str, body: impl Into<Vec<u8>>) -> Answer {
    Answer {
        status: 200,
        headers: vec![("Content-Type".into(), content_type.into())],
        body: body.into(),
        delay: Duration::ZERO,
    }
}

pub fn redirect(status: u16, to: &str) -> Answer {
    Answer {
        status,
        headers: vec![("Location".into(), to.into())],
        body: Vec::new(),
        delay: Duration::ZERO,
    }
}

pub type Route = Box<dyn Fn(usize) -> Answer + Send + Sync>;

/// A tiny HTTP/1.1 server: each path answers by a function of how many times
/// it was asked before. Request heads are kept for inspection.
pub struct Server {
    pub base: String,
    pub requests: Arc<Mutex<Vec<String>>>,
}

impl Server {
    pub fn start(routes: Vec<(&'static str, Route)>) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let routes: Arc<HashMap<&'static str, Route>> = Arc::new(routes.into_iter().collect());
        let counts: Arc<Mutex<HashMap<String, usize>>> = Arc::default();
        let requests: Arc<Mutex<Vec<String>>> = Arc::default();
        let reqs = requests.clone();
        thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { continue };
                let (routes, counts, reqs) = (routes.clone(), counts.clone(), reqs.clone());
                thread::spawn(move || {
                    let _ = serve(stream, &routes, &counts, &reqs);
                });
            }
        });
        Server { base, requests }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }
}

fn serve(
    mut stream: TcpStream,
    routes: &HashMap<&'static str, Route>,
    counts: &Mutex<HashMap<String, usize>>,
    reqs: &Mutex<Vec<String>>,
) -> std::io::Result<()> {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") && head.len() < 16 << 10 {
        if stream.read(&mut byte)? == 0 {
            return Ok(());
        }
        head.push(byte[0]);
    }
    let head = String::from_utf8_lossy(&head).into_owned();
    let target = head.split(' ').nth(1).unwrap_or("/").to_owned();
    let path = target.split('?').next().unwrap_or("/").to_owned();
    reqs.lock().unwrap().push(head);
    let n = {
        let mut c = counts.lock().unwrap();
        let e = c.entry(path.clone()).or_insert(0);
        *e += 1;
        *e - 1
    };
    let a = match routes.get(path.as_str()) {
        Some(f) => f(n),
        None => Answer {
            status: 404,
            headers: vec![("Content-Type".into(), "text/html".into())],
            body: b"<html><head><title>404 Not Found</title></head><body><h1>Not Found</h1></body></html>"
                .to_vec(),
            delay: Duration::ZERO,
        },
    };
    thread::sleep(a.delay);
    let mut out = format!(
        "HTTP/1.1 {} X\r\nContent-Length: {}\r\nConnection: close\r\n",
        a.status,
        a.body.len()
    );
    for (k, v) in &a.headers {
        out.push_str(&format!("{k}: {v}\r\n"));
    }
    out.push_str("\r\n");
    stream.write_all(out.as_bytes())?;
    stream.write_all(&a.body)?;
    stream.flush()
}
