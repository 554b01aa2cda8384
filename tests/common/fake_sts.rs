//! A fake HTTP/1.1 server on 127.0.0.1:0 for STS tests: it serves queued answers in order
//! (a response, a hang, a cut-off body) and records each request.

use std::collections::{HashMap, VecDeque};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// What the fake does with the next request.
pub enum Answer {
    Respond {
        status: u16,
        headers: Vec<(&'static str, String)>,
        body: String,
    },
    Hang,
    CutOff {
        declared: usize,
        sent: &'static str,
    },
}

pub fn ok(body: &str) -> Answer {
    Answer::Respond {
        status: 200,
        headers: vec![],
        body: body.to_owned(),
    }
}

pub fn error(status: u16, code: &str) -> Answer {
    Answer::Respond {
        status,
        headers: vec![],
        body: format!(
            "<ErrorResponse><Error><Type>Sender</Type><Code>{code}</Code><Message>m</Message></Error><RequestId>rid-{status}</RequestId></ErrorResponse>"
        ),
    }
}

#[derive(Debug, Clone)]
pub struct Seen {
    pub head: String,
    pub headers: HashMap<String, String>,
    pub body: String,
}

impl Seen {
    pub fn form(&self) -> HashMap<String, String> {
        self.body
            .split('&')
            .filter_map(|p| p.split_once('='))
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect()
    }
}

#[derive(Default)]
pub struct Fake {
    pub answers: Mutex<VecDeque<Answer>>,
    pub seen: Mutex<Vec<Seen>>,
}

async fn serve(fake: Arc<Fake>, mut stream: tokio::net::TcpStream) {
    loop {
        let mut head = Vec::new();
        let mut byte = [0u8; 1];
        while !head.ends_with(b"\r\n\r\n") {
            if stream.read(&mut byte).await.unwrap_or(0) == 0 {
                return;
            }
            head.push(byte[0]);
        }
        let head = String::from_utf8_lossy(&head).into_owned();
        let headers: HashMap<String, String> = head
            .lines()
            .skip(1)
            .filter_map(|l| l.split_once(':'))
            .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
            .collect();
        let len: usize = headers
            .get("content-length")
            .and_then(|v| v.parse().ok())
            .unwrap_or(0);
        let mut body = vec![0u8; len];
        stream.read_exact(&mut body).await.unwrap();
        let body = String::from_utf8(body).unwrap();
        fake.seen.lock().unwrap().push(Seen {
            head: head.lines().next().unwrap_or("").to_owned(),
            headers,
            body,
        });
        let answer = fake
            .answers
            .lock()
            .unwrap()
            .pop_front()
            .unwrap_or_else(|| error(500, "NoAnswerQueued"));
        match answer {
            Answer::Respond {
                status,
                headers,
                body,
            } => {
                let mut out = format!(
                    "HTTP/1.1 {status} X\r\nContent-Length: {}\r\nContent-Type: text/xml\r\n",
                    body.len()
                );
                for (k, v) in headers {
                    out.push_str(&format!("{k}: {v}\r\n"));
                }
                out.push_str("\r\n");
                out.push_str(&body);
                stream.write_all(out.as_bytes()).await.unwrap();
            }
            Answer::Hang => std::future::pending::<()>().await,
            Answer::CutOff { declared, sent } => {
                let out = format!("HTTP/1.1 200 OK\r\nContent-Length: {declared}\r\n\r\n{sent}");
                let _ = stream.write_all(out.as_bytes()).await;
                return;
            }
        }
    }
}

pub async fn start(answers: Vec<Answer>) -> (Arc<Fake>, SocketAddr) {
    let fake = Arc::new(Fake {
        answers: Mutex::new(answers.into()),
        ..Fake::default()
    });
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let server = fake.clone();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            tokio::spawn(serve(server.clone(), stream));
        }
    });
    (fake, addr)
}
