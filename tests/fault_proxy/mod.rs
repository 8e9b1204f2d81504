//! A loopback HTTP proxy that breaks answers on purpose, in front of moto:
//! what `pull` must survive (tests/pull_faults.rs, issue 16).
//!
//! Each request is forwarded to the upstream server on a fresh connection,
//! its whole answer read, then changed by the first [`Rule`] whose action
//! (the Query API's `Action=` parameter) matches and whose count is not
//! used up, and sent back with `Connection: close`. A body cut short keeps
//! a Content-Length that matches what is sent, so the client sees a
//! complete short answer, as a faulty middlebox would give it.
//!
//! std threads only: one per connection.

#![allow(dead_code)]

use std::io::{BufRead, BufReader, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// What to do to an answer.
#[derive(Clone, Debug)]
pub enum Fault {
    /// Cut the body just after the `</item>` (EC2; `</member>` in ELB)
    /// nearest its middle.
    TruncateAtItem,
    /// Cut the body a few bytes into the `<item>` (`<member>`) nearest its
    /// middle.
    TruncateMidItem,
    /// A close tag renamed: the page is not well-formed.
    MismatchedTag,
    /// `<nextToken>` (EC2) or `<NextMarker>` (ELB) with this token added to
    /// every answer: the client asks again with it and gets it again.
    RepeatToken { element: &'static str },
    /// HTTP 500 with EC2's `InternalError`.
    Status500,
    /// HTTP 400 `Throttling` in EC2's error shape.
    Throttling,
    /// This HTTP status and error code, in the JSON protocol's error shape
    /// for a JSON request (Organizations), STS's for an STS request
    /// (`Version=2011-06-15`), else EC2's: `503`, `RequestLimitExceeded`
    /// is EC2's throttling, `400`, `TooManyRequestsException`
    /// Organizations'; `403`, `UnauthorizedOperation` a denied call.
    Error {
        status: &'static str,
        code: &'static str,
    },
    /// The answer, late by this much.
    Delay(Duration),
    /// The connection closed once the request is read, no answer.
    Drop,
    /// The status line, headers and half the body (with the whole body's
    /// Content-Length), then the connection closed.
    DropMidBody,
    /// HTTP 403 `AccessDenied` in STS's error shape when the request's body
    /// holds this text (an account id in `AssumeRole`'s `RoleArn`), else
    /// the answer unchanged: a role whose trust policy refuses the caller,
    /// which moto does not check.
    DenyWhenBodyHas(String),
}

/// Apply `fault` to the first `times` requests of `action` (`None`: every
/// action; `times` `None`: every request).
#[derive(Clone, Debug)]
pub struct Rule {
    pub action: Option<&'static str>,
    pub times: Option<usize>,
    pub fault: Fault,
}

impl Fault {
    /// [`Fault::Error`].
    pub fn error(status: &'static str, code: &'static str) -> Fault {
        Fault::Error { status, code }
    }
}

impl Rule {
    pub fn always(action: &'static str, fault: Fault) -> Rule {
        Rule {
            action: Some(action),
            times: None,
            fault,
        }
    }
    pub fn first(times: usize, action: &'static str, fault: Fault) -> Rule {
        Rule {
            action: Some(action),
            times: Some(times),
            fault,
        }
    }
}

#[derive(Default)]
struct State {
    /// Faults applied, per rule.
    applied: Vec<usize>,
    /// Actions seen, in order.
    actions: Vec<String>,
    /// Requests being served now, and the most there ever were at once.
    in_flight: usize,
    peak: usize,
}

/// A running proxy; stopped on drop.
pub struct FaultProxy {
    pub endpoint: String,
    port: u16,
    state: Arc<Mutex<State>>,
    stop: Arc<AtomicBool>,
}

impl FaultProxy {
    /// A proxy on a free loopback port in front of `upstream`
    /// (`http://127.0.0.1:PORT`).
    pub fn start(upstream: &str, rules: Vec<Rule>) -> FaultProxy {
        let upstream = upstream
            .strip_prefix("http://")
            .expect("an http:// upstream")
            .to_string();
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let state = Arc::new(Mutex::new(State {
            applied: vec![0; rules.len()],
            ..State::default()
        }));
        let stop = Arc::new(AtomicBool::new(false));
        let rules = Arc::new(rules);
        {
            let (state, stop) = (state.clone(), stop.clone());
            std::thread::spawn(move || {
                for conn in listener.incoming() {
                    if stop.load(Ordering::SeqCst) {
                        break;
                    }
                    let Ok(conn) = conn else { continue };
                    let (state, rules, upstream) = (state.clone(), rules.clone(), upstream.clone());
                    std::thread::spawn(move || {
                        let _ = serve(conn, &upstream, &rules, &state);
                    });
                }
            });
        }
        FaultProxy {
            endpoint: format!("http://127.0.0.1:{port}"),
            port,
            state,
            stop,
        }
    }

    /// How many times each rule's fault was applied, in rule order.
    pub fn applied(&self) -> Vec<usize> {
        self.state.lock().unwrap().applied.clone()
    }

    /// The most requests the proxy was serving at once: what the client
    /// had in flight.
    pub fn peak(&self) -> usize {
        self.state.lock().unwrap().peak
    }

    /// The actions of every request so far, in order.
    pub fn actions(&self) -> Vec<String> {
        self.state.lock().unwrap().actions.clone()
    }
}

impl Drop for FaultProxy {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wake the accept loop so it sees `stop`.
        let _ = TcpStream::connect(("127.0.0.1", self.port));
    }
}

/// An HTTP/1.1 message: the start line and headers as read, and the body.
struct Message {
    head: Vec<String>,
    body: Vec<u8>,
}

impl Message {
    fn header(&self, name: &str) -> Option<&str> {
        self.head.iter().skip(1).find_map(|h| {
            let (k, v) = h.split_once(':')?;
            k.trim().eq_ignore_ascii_case(name).then(|| v.trim())
        })
    }

    /// The bytes to send, with a Content-Length for `body` and the
    /// connection closed after it.
    fn bytes(&self, body: &[u8], content_length: usize) -> Vec<u8> {
        let mut out = String::new();
        out.push_str(&self.head[0]);
        out.push_str("\r\n");
        for h in &self.head[1..] {
            let name = h
                .split(':')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase();
            if !matches!(
                name.as_str(),
                "content-length" | "transfer-encoding" | "connection" | "keep-alive"
            ) {
                out.push_str(h);
                out.push_str("\r\n");
            }
        }
        out.push_str(&format!(
            "Content-Length: {content_length}\r\nConnection: close\r\n\r\n"
        ));
        let mut bytes = out.into_bytes();
        bytes.extend_from_slice(body);
        bytes
    }
}

/// Read one message: headers, then a Content-Length or chunked body, or
/// (an answer without either) everything until the connection closes.
fn read_message(reader: &mut impl BufRead, is_request: bool) -> std::io::Result<Message> {
    let mut head = Vec::new();
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        let line = line.trim_end_matches(['\r', '\n']).to_string();
        if line.is_empty() {
            break;
        }
        head.push(line);
    }
    let mut message = Message {
        head,
        body: Vec::new(),
    };
    if let Some(n) = message.header("content-length") {
        let n: usize = n.parse().map_err(|_| std::io::ErrorKind::InvalidData)?;
        message.body.resize(n, 0);
        reader.read_exact(&mut message.body)?;
    } else if message
        .header("transfer-encoding")
        .is_some_and(|t| t.eq_ignore_ascii_case("chunked"))
    {
        loop {
            let mut size = String::new();
            reader.read_line(&mut size)?;
            let size = usize::from_str_radix(size.trim().split(';').next().unwrap_or(""), 16)
                .map_err(|_| std::io::ErrorKind::InvalidData)?;
            let mut chunk = vec![0; size + 2];
            reader.read_exact(&mut chunk)?;
            if size == 0 {
                break;
            }
            message.body.extend_from_slice(&chunk[..size]);
        }
    } else if !is_request {
        reader.read_to_end(&mut message.body)?;
    }
    Ok(message)
}

/// The action of a request: the Query API's (`Action=DescribeVpcs&...`)
/// or the JSON protocol's (`X-Amz-Target: AWSOrganizationsV20161128.ListAccounts`).
fn action(request: &Message) -> String {
    String::from_utf8_lossy(&request.body)
        .split('&')
        .find_map(|p| p.strip_prefix("Action="))
        .or_else(|| {
            request
                .header("x-amz-target")
                .and_then(|t| t.rsplit('.').next())
        })
        .unwrap_or("")
        .to_string()
}

fn serve(
    client: TcpStream,
    upstream: &str,
    rules: &[Rule],
    state: &Mutex<State>,
) -> std::io::Result<()> {
    client.set_read_timeout(Some(Duration::from_secs(30)))?;
    let mut reader = BufReader::new(client.try_clone()?);
    let mut client = Served::new(client, state);
    let request = read_message(&mut reader, true)?;
    let action = action(&request);
    let fault = {
        let mut state = state.lock().unwrap();
        state.actions.push(action.clone());
        let found = rules.iter().enumerate().find(|(i, r)| {
            r.action.is_none_or(|a| a == action) && r.times.is_none_or(|t| state.applied[*i] < t)
        });
        found.map(|(i, r)| {
            state.applied[i] += 1;
            r.fault.clone()
        })
    };
    match &fault {
        Some(Fault::Drop) => {
            let _ = client.shutdown(Shutdown::Both);
            return Ok(());
        }
        Some(Fault::Status500) => {
            return client.write_all(&error_answer(
                "500 Internal Server Error",
                "InternalError",
                "An internal error has occurred (fault proxy).",
            ));
        }
        Some(Fault::DenyWhenBodyHas(needle))
            if String::from_utf8_lossy(&request.body).contains(needle.as_str()) =>
        {
            return client.write_all(&sts_error_answer(
                "403 Forbidden",
                "AccessDenied",
                "User is not authorized to perform: sts:AssumeRole (fault proxy)",
            ));
        }
        Some(Fault::Throttling) => {
            return client.write_all(&error_answer(
                "400 Bad Request",
                "Throttling",
                "Rate exceeded (fault proxy).",
            ));
        }
        Some(Fault::Error { status, code }) => {
            let message = format!("{code} (fault proxy).");
            return client.write_all(&if request.header("x-amz-target").is_some() {
                json_error_answer(status, code, &message)
            } else if is_sts(&request) {
                sts_error_answer(status, code, &message)
            } else {
                error_answer(status, code, &message)
            });
        }
        _ => {}
    }
    let mut answer = forward(upstream, &request)?;
    let mut content_length = None;
    match fault {
        Some(Fault::TruncateAtItem) => {
            let (at, tag) = item(&answer.body, "</");
            answer.body.truncate(at + tag.len());
        }
        Some(Fault::TruncateMidItem) => {
            let (at, tag) = item(&answer.body, "<");
            answer.body.truncate(at + tag.len() + 8);
        }
        Some(Fault::MismatchedTag) => {
            let (at, _) = item(&answer.body, "</");
            answer.body[at + 2] = b'X';
        }
        Some(Fault::RepeatToken { element }) => {
            // Just inside the result element (ELB) or the root (EC2).
            let text = String::from_utf8_lossy(&answer.body).into_owned();
            let open = text
                .find("Result>")
                .map(|i| i + "Result>".len())
                .or_else(|| {
                    text.find("Response")
                        .and_then(|i| text[i..].find('>').map(|j| i + j + 1))
                })
                .expect("an answer with a root element");
            let token = format!("<{element}>{TOKEN}</{element}>");
            answer.body.splice(open..open, token.bytes());
        }
        Some(Fault::Delay(d)) => std::thread::sleep(d),
        Some(Fault::DropMidBody) => {
            content_length = Some(answer.body.len());
            answer.body.truncate(answer.body.len() / 2);
        }
        _ => {}
    }
    let bytes = answer.bytes(&answer.body, content_length.unwrap_or(answer.body.len()));
    client.write_all(&bytes)?;
    client.flush()?;
    let _ = client.shutdown(Shutdown::Both);
    Ok(())
}

/// The client's connection, counted in flight from the moment it is
/// accepted until the first byte of the answer (or no answer) leaves: a
/// client that reads an answer and sends its next request at once is never
/// counted twice.
struct Served<'a> {
    stream: TcpStream,
    state: &'a Mutex<State>,
    counted: bool,
}

impl<'a> Served<'a> {
    fn new(stream: TcpStream, state: &'a Mutex<State>) -> Self {
        let mut s = state.lock().unwrap();
        s.in_flight += 1;
        s.peak = s.peak.max(s.in_flight);
        Served {
            stream,
            state,
            counted: true,
        }
    }

    fn done(&mut self) {
        if std::mem::take(&mut self.counted) {
            self.state.lock().unwrap().in_flight -= 1;
        }
    }

    fn shutdown(&mut self, how: Shutdown) -> std::io::Result<()> {
        self.done();
        self.stream.shutdown(how)
    }
}

impl Write for Served<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.done();
        self.stream.write(buf)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.stream.flush()
    }
}

impl Drop for Served<'_> {
    fn drop(&mut self) {
        self.done();
    }
}

/// The token [`Fault::RepeatToken`] adds.
const TOKEN: &str = "fault-proxy-token";

/// The request to upstream on a fresh connection, its whole answer back.
/// The token the proxy made up is taken out: upstream never gave it.
fn forward(upstream: &str, request: &Message) -> std::io::Result<Message> {
    let mut conn = TcpStream::connect(upstream)?;
    let body = String::from_utf8_lossy(&request.body)
        .split('&')
        .filter(|p| !p.ends_with(&format!("={TOKEN}")))
        .collect::<Vec<_>>()
        .join("&");
    conn.write_all(&request.bytes(body.as_bytes(), body.len()))?;
    let mut reader = BufReader::new(conn);
    read_message(&mut reader, false)
}

/// An EC2 Query API error answer.
fn error_answer(status: &str, code: &str, message: &str) -> Vec<u8> {
    answer(status, "text/xml;charset=UTF-8", &format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Response><Errors><Error><Code>{code}</Code><Message>{message}</Message></Error></Errors><RequestID>fault-proxy</RequestID></Response>"
    ))
}

/// An STS (Query API, `ErrorResponse`) error answer.
fn sts_error_answer(status: &str, code: &str, message: &str) -> Vec<u8> {
    answer(status, "text/xml", &format!(
        "<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><Error><Type>Sender</Type><Code>{code}</Code><Message>{message}</Message></Error><RequestId>fault-proxy</RequestId></ErrorResponse>"
    ))
}

/// A JSON protocol (awsJson1_1) error answer.
fn json_error_answer(status: &str, code: &str, message: &str) -> Vec<u8> {
    answer(
        status,
        "application/x-amz-json-1.1",
        &format!("{{\"__type\":\"{code}\",\"Message\":\"{message}\"}}"),
    )
}

/// A whole answer, the connection closed after it.
fn answer(status: &str, content_type: &str, body: &str) -> Vec<u8> {
    format!(
        "HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

/// A request to STS: its Query API version.
fn is_sts(request: &Message) -> bool {
    String::from_utf8_lossy(&request.body)
        .split('&')
        .any(|p| p == "Version=2011-06-15")
}

/// Where the `{opening}item>` (or `{opening}member>`) tag nearest the
/// middle of `body` starts, and the tag.
fn item(body: &[u8], opening: &str) -> (usize, String) {
    ["item>", "member>"]
        .iter()
        .find_map(|name| {
            let tag = format!("{opening}{name}");
            nearest_middle(body, tag.as_bytes()).map(|at| (at, tag))
        })
        .unwrap_or_else(|| {
            panic!(
                "fault proxy: no item in this answer:\n{}",
                String::from_utf8_lossy(body)
            )
        })
}

/// The occurrence of `needle` nearest the middle of `body`.
fn nearest_middle(body: &[u8], needle: &[u8]) -> Option<usize> {
    let middle = body.len() / 2;
    body.windows(needle.len())
        .enumerate()
        .filter(|(_, w)| *w == needle)
        .map(|(i, _)| i)
        .min_by_key(|i| i.abs_diff(middle))
}
