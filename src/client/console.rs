//! `aisle bench console`: how soon the agent console sees a shopper's message. Against a
//! running server on this machine (with an agent key), one console signs in, one shopper asks
//! for a person, the console takes the conversation over (so the assistant stays silent and a
//! message is only stored and announced), then the shopper sends messages one at a time; each
//! is timed from the shopper's send until the console receives it as a transcript entry.

use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use clap::Args;
use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;

use super::loadtest::check_loopback;
use crate::bench::Latency;

#[derive(Debug, Args)]
pub struct ConsoleBench {
    /// Base ws:// URL of a server on this machine (127.0.0.1, localhost or ::1)
    #[arg(long, default_value = "ws://127.0.0.1:8080")]
    pub url: String,
    /// The server's agent key
    #[arg(long, env = "AISLE_AGENT_KEY", hide_env_values = true)]
    pub agent_key: String,
    /// Shopper messages timed (at most 1000), sent at the chat's sustained rate (5 a second)
    #[arg(long, default_value_t = 200)]
    pub messages: usize,
    #[arg(long)]
    pub json: bool,
}

/// Longest wait for any one frame before the run fails.
const PATIENCE: Duration = Duration::from_secs(10);
/// The chat's sustained rate per connection is 5 a second.
const PACE: Duration = Duration::from_millis(201);

type Socket = tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

pub fn run(args: ConsoleBench) -> anyhow::Result<()> {
    check_loopback(&args.url)?;
    if args.messages == 0 || args.messages > 1000 {
        bail!("--messages is 1 to 1000");
    }
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().context("cannot start the async runtime")?;
    let latency = runtime.block_on(measure(&args))?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&latency)?);
    } else {
        println!(
            "console sees a shopper's message: {} messages, p50 {:.2} ms, p95 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
            latency.samples, latency.p50, latency.p95, latency.p99, latency.max
        );
    }
    Ok(())
}

async fn measure(args: &ConsoleBench) -> anyhow::Result<Latency> {
    let base = args.url.trim_end_matches('/');
    let mut console = connect(&format!("{base}/ws/agent")).await?;
    send(&mut console, json!({"type": "hello", "key": args.agent_key, "name": "bench"})).await?;
    until(&mut console, |f| f["type"] == "inbox").await?;
    let mut shopper = connect(&format!("{base}/ws/chat")).await?;
    send(&mut shopper, json!({"type": "hello"})).await?;
    let welcome = until(&mut shopper, |f| f["type"] == "welcome").await?;
    let session = welcome["session_id"].as_str().context("welcome without a session id")?.to_string();
    send(&mut shopper, json!({"type": "action", "action": "handoff", "id": "handoff"})).await?;
    until(&mut shopper, |f| f["type"] == "status").await?;
    send(&mut console, json!({"type": "subscribe", "session_id": session})).await?;
    send(&mut console, json!({"type": "take_over", "session_id": session})).await?;
    until(&mut shopper, |f| f["type"] == "status" && f["status"] == "agent_joined").await?;
    let mut samples = Vec::with_capacity(args.messages);
    for n in 0..args.messages {
        let text = format!("bench message {n}");
        let sent = Instant::now();
        send(&mut shopper, json!({"type": "message", "id": format!("b{n}"), "text": text})).await?;
        until(&mut console, |f| f["type"] == "entry" && f["entry"]["frame"]["text"] == text.as_str()).await?;
        samples.push(sent.elapsed());
        tokio::time::sleep(PACE.saturating_sub(sent.elapsed())).await;
    }
    Ok(Latency::from_durations(samples))
}

async fn connect(url: &str) -> anyhow::Result<Socket> {
    Ok(tokio_tungstenite::connect_async(url).await.with_context(|| format!("cannot connect to {url}"))?.0)
}

async fn send(socket: &mut Socket, frame: Value) -> anyhow::Result<()> {
    socket.send(Message::Text(frame.to_string().into())).await.context("the connection closed")
}

/// Frames until one matches; an error frame or a silence longer than [`PATIENCE`] fails.
async fn until(socket: &mut Socket, wanted: impl Fn(&Value) -> bool) -> anyhow::Result<Value> {
    loop {
        let next = tokio::time::timeout(PATIENCE, socket.next()).await.context("no frame in time")?;
        let Some(Ok(Message::Text(text))) = next else {
            match next {
                Some(Ok(_)) => continue,
                _ => bail!("the connection closed"),
            }
        };
        let frame: Value = serde_json::from_str(text.as_str())?;
        if frame["type"] == "error" {
            bail!("the server refused: {}", frame["message"]);
        }
        if wanted(&frame) {
            return Ok(frame);
        }
    }
}
