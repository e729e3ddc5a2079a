//! `aisle loadtest`: many scripted conversations at once against a server on this machine.
//!
//! Each session is a tokio task with its own [`Connection`]: `hello`, then `--turns` messages
//! from one of several conversation scripts (rotating per session; a script shorter than
//! `--turns` starts over), each timed from send to reply. `--idle` more connections only say
//! hello and stay open until the end, then must answer a ping. Connections are opened at most
//! `--connect-concurrency` at a time so that the server's listen backlog does not overflow.
//!
//! Bounds: `--sessions` ≤ 20000, `--idle` ≤ 20000, `--turns` ≤ 1000, and `--duration-limit`
//! over the whole run: when it passes, the run stops and reports what it did. Only loopback
//! hosts are accepted (127.0.0.1, localhost, ::1): this is a tool for one's own server.
//!
//! Every connection is a file descriptor: above about 1000 connections raise the open-file
//! limit first (`ulimit -n 65536`, up to the hard limit `ulimit -Hn`); the run warns when the
//! soft limit is too low and names "too many open files" when connecting fails for it.
//! One local address also has only ~28000 ephemeral ports (`net.ipv4.ip_local_port_range`).

use std::collections::BTreeMap;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use clap::Args;
use serde::Serialize;
use tokio::sync::{Semaphore, mpsc, watch};
use tokio::task::JoinSet;
use tokio::time::Instant;

use super::chat::parse_channel;
use super::clock::Clock;
use super::{ClientError, Connection, connect_failure, error_code_name, url_host};
use crate::bench::Latency;
use crate::protocol::{Channel, ClientFrame, ServerFrame};

pub const MAX_SESSIONS: usize = 20_000;
pub const MAX_IDLE: usize = 20_000;
pub const MAX_TURNS: usize = 1_000;

/// The built-in conversations, in words a general catalog has products for.
pub const SCRIPTS: &[&[&str]] = &[
    &[
        "show me running shoes under 3000",
        "in blue",
        "which one is cheaper?",
        "add the second one to my cart",
        "what's in my cart",
        "what is your return policy",
        "thanks",
    ],
    &[
        "hi",
        "i need wireless headphones",
        "compare the first two",
        "which one is lighter?",
        "show me something similar",
        "add the cheaper one to my cart",
        "bye",
    ],
    &[
        "do you have a leather watch",
        "is the first one waterproof?",
        "what is it made of",
        "is it in stock",
        "show me cheaper ones",
        "how long does shipping take",
        "thanks",
    ],
    &[
        "gift for my mom who likes tea",
        "a ceramic mug under 20",
        "add two of those",
        "what's in my cart",
        "do you price match",
        "what payment methods do you take",
        "goodbye",
    ],
    &[
        "cotton t-shirt for men",
        "only size M",
        "show me jeans too",
        "the cheapest one",
        "what is the return policy for clothes",
        "thank you",
    ],
    &[
        "hello",
        "silk saree in red",
        "tell me more about the first one",
        "i'm looking for a laptop bag",
        "which one has the best rating",
        "add it to my cart",
        "remove the bag",
        "bye",
    ],
];

#[derive(Debug, Args)]
pub struct LoadtestArgs {
    /// ws:// URL of the chat endpoint of a server on this machine (127.0.0.1, localhost or ::1)
    #[arg(long, default_value = "ws://127.0.0.1:8080/ws/chat")]
    pub url: String,
    /// Conversations run at once, one connection each (at most 20000)
    #[arg(long, default_value_t = 50)]
    pub sessions: usize,
    /// Messages each conversation sends (at most 1000); a shorter script starts over
    #[arg(long, default_value_t = 7)]
    pub turns: usize,
    /// Stop after this long and report what was done: 120s, 2m, 500ms
    #[arg(long, default_value = "120s", value_parser = parse_duration)]
    pub duration_limit: Duration,
    /// A reply that takes longer counts as a timeout error
    #[arg(long, default_value = "10s", value_parser = parse_duration)]
    pub turn_timeout: Duration,
    /// The shopper's pause between a reply and the next message, on average (each pause is
    /// between half and one and a half times it); 0s sends at once
    #[arg(long, default_value = "300ms", value_parser = parse_duration)]
    pub think: Duration,
    /// Conversations to run instead of the built-in ones: one message a line, a blank line
    /// between conversations, `#` comments
    #[arg(long)]
    pub script: Option<PathBuf>,
    /// More connections that only say hello and are held open until the end (at most 20000)
    #[arg(long, default_value_t = 0)]
    pub idle: usize,
    /// Connections being opened at any moment
    #[arg(long, default_value_t = 64)]
    pub connect_concurrency: usize,
    /// Channel the sessions say hello on: web, voice or api
    #[arg(long, default_value = "web", value_parser = parse_channel)]
    pub channel: Channel,
    /// Print one JSON object instead of a summary
    #[arg(long)]
    pub json: bool,
}

/// A checked load test.
#[derive(Debug, Clone)]
pub struct Plan {
    pub url: String,
    pub channel: Channel,
    pub sessions: usize,
    pub turns: usize,
    pub idle: usize,
    pub scripts: Vec<Vec<String>>,
    pub turn_timeout: Duration,
    pub think: Duration,
    pub duration_limit: Duration,
    pub connect_concurrency: usize,
}

#[derive(Debug, thiserror::Error)]
pub enum PlanError {
    #[error(transparent)]
    Url(#[from] ClientError),
    #[error("--{name} {value} is over the limit of {max}")]
    OverLimit { name: &'static str, value: usize, max: usize },
    #[error("--{name} must be at least 1")]
    Zero { name: &'static str },
    #[error("the script holds no messages")]
    EmptyScript,
}

impl Plan {
    /// Checks the bounds and the host; `scripts` replace the built-in conversations.
    pub fn new(args: &LoadtestArgs, scripts: Option<Vec<Vec<String>>>) -> Result<Plan, PlanError> {
        check_loopback(&args.url)?;
        for (name, value, max) in [("sessions", args.sessions, MAX_SESSIONS), ("turns", args.turns, MAX_TURNS), ("idle", args.idle, MAX_IDLE)] {
            if value > max {
                return Err(PlanError::OverLimit { name, value, max });
            }
        }
        for (name, value) in [("sessions", args.sessions), ("turns", args.turns), ("connect-concurrency", args.connect_concurrency)] {
            if value == 0 {
                return Err(PlanError::Zero { name });
            }
        }
        let scripts = match scripts {
            Some(scripts) if scripts.is_empty() => return Err(PlanError::EmptyScript),
            Some(scripts) => scripts,
            None => builtin_scripts(),
        };
        Ok(Plan {
            url: args.url.clone(),
            channel: args.channel,
            sessions: args.sessions,
            turns: args.turns,
            idle: args.idle,
            scripts,
            turn_timeout: args.turn_timeout,
            think: args.think,
            duration_limit: args.duration_limit,
            connect_concurrency: args.connect_concurrency,
        })
    }

    /// The pause before the `turn`th message of session `session`: `think` scaled by a factor
    /// that depends only on (session, turn), in [0.5, 1.5) — and in [0, 1) before the first
    /// message, so that sessions start spread out as shoppers do, not all at one instant.
    pub fn pause(&self, session: usize, turn: usize) -> Duration {
        if self.think.is_zero() {
            return Duration::ZERO;
        }
        let mut x = (session as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ (turn as u64).wrapping_mul(0xC2B2_AE3D_27D4_EB4F);
        x ^= x >> 31;
        x = x.wrapping_mul(0xBF58_476D_1CE4_E5B9);
        x ^= x >> 29;
        let base = if turn == 0 { 0.0 } else { 0.5 };
        self.think.mul_f64(base + (x % 1000) as f64 / 1000.0)
    }

    /// The `turn`th message (from 0) of session `session`.
    pub fn message(&self, session: usize, turn: usize) -> &str {
        let script = &self.scripts[session % self.scripts.len()];
        &script[turn % script.len()]
    }
}

pub fn builtin_scripts() -> Vec<Vec<String>> {
    SCRIPTS.iter().map(|s| s.iter().map(|m| m.to_string()).collect()).collect()
}

/// Refuses every host but 127.0.0.1, localhost and ::1.
pub fn check_loopback(url: &str) -> Result<(), ClientError> {
    let host = url_host(url)?;
    if host == "127.0.0.1" || host == "::1" || host.eq_ignore_ascii_case("localhost") {
        Ok(())
    } else {
        Err(ClientError::NotLoopback { host })
    }
}

/// Conversations from a script file: one message a line, blank lines between conversations,
/// lines starting with `#` ignored.
pub fn parse_scripts(text: &str) -> Vec<Vec<String>> {
    let mut scripts = vec![Vec::new()];
    for line in text.lines().map(str::trim) {
        if line.starts_with('#') {
            continue;
        }
        if line.is_empty() {
            if scripts.last().is_some_and(|s| !s.is_empty()) {
                scripts.push(Vec::new());
            }
        } else {
            scripts.last_mut().expect("never empty").push(line.to_string());
        }
    }
    scripts.retain(|s| !s.is_empty());
    scripts
}

/// `120s`, `2m`, `500ms`, `1h`, or a bare number of seconds.
pub fn parse_duration(s: &str) -> Result<Duration, String> {
    let s = s.trim();
    let split = s.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(s.len());
    let (number, unit) = s.split_at(split);
    let number: f64 = number.parse().map_err(|_| format!("'{s}' is not a duration like 120s, 2m or 500ms"))?;
    let seconds = match unit.trim() {
        "" | "s" => number,
        "ms" => number / 1e3,
        "m" | "min" => number * 60.0,
        "h" => number * 3600.0,
        other => return Err(format!("unknown unit '{other}' in '{s}' (use ms, s, m or h)")),
    };
    Duration::try_from_secs_f64(seconds).map_err(|_| format!("'{s}' is out of range"))
}

/// What a load test did.
#[derive(Debug, Serialize)]
pub struct LoadReport {
    pub url: String,
    pub sessions: SessionCounts,
    pub turns: TurnCounts,
    pub errors: ErrorCounts,
    /// Send-to-reply time of the turns that got a reply.
    pub turn_ms: Latency,
    /// From the first session's connect to the last session's end (idle connections are
    /// opened before).
    pub wall_s: f64,
    /// Replies a second over `wall_s`.
    pub turns_per_s: f64,
    /// The duration limit passed before every turn was run.
    pub stopped_by_time_limit: bool,
    pub idle: IdleCounts,
}

#[derive(Debug, Default, Serialize)]
pub struct SessionCounts {
    pub planned: usize,
    /// Connected and welcomed.
    pub connected: usize,
    /// Ran every turn (whatever the answers) without losing the connection.
    pub completed: usize,
}

#[derive(Debug, Default, Serialize)]
pub struct TurnCounts {
    pub planned: usize,
    pub sent: u64,
    pub replied: u64,
}

/// Errors by kind.
#[derive(Debug, Default, Serialize)]
pub struct ErrorCounts {
    pub total: u64,
    /// Error frames answering a turn, by code.
    pub frames: BTreeMap<String, u64>,
    /// Turns with no answer within the turn timeout.
    pub timeouts: u64,
    /// Connections lost during a session (the session stops there).
    pub disconnects: u64,
    /// Frames that are not protocol v1.
    pub malformed: u64,
    /// Sessions that never got their `welcome`, by reason.
    pub connect_failures: BTreeMap<String, u64>,
}

impl ErrorCounts {
    fn merge(&mut self, other: ErrorCounts) {
        self.total += other.total;
        self.timeouts += other.timeouts;
        self.disconnects += other.disconnects;
        self.malformed += other.malformed;
        for (code, n) in other.frames {
            *self.frames.entry(code).or_default() += n;
        }
        for (reason, n) in other.connect_failures {
            *self.connect_failures.entry(reason).or_default() += n;
        }
    }

    /// Counts a failed turn; returns whether the session can go on.
    fn count(&mut self, e: &ClientError) -> bool {
        self.total += 1;
        match e {
            ClientError::Server(frame) => *self.frames.entry(error_code_name(frame)).or_default() += 1,
            ClientError::Malformed { .. } => self.malformed += 1,
            e if e.is_disconnect() => {
                self.disconnects += 1;
                return false;
            }
            e => *self.connect_failures.entry(connect_failure(e)).or_default() += 1,
        }
        true
    }
}

#[derive(Debug, Default, Serialize)]
pub struct IdleCounts {
    pub requested: usize,
    pub established: usize,
    /// Still open at the end and answered a ping.
    pub alive_at_end: usize,
    /// Why the others could not connect, by reason.
    pub failures: BTreeMap<String, u64>,
    /// Time to open them all.
    pub open_s: f64,
}

#[derive(Default)]
struct SessionOutcome {
    connected: bool,
    completed: bool,
    sent: u64,
    replied: u64,
    latencies: Vec<Duration>,
    errors: ErrorCounts,
    cut_short: bool,
}

struct Shared {
    plan: Plan,
    clock: Clock,
    /// Connections being opened at once.
    opening: Semaphore,
    deadline: Instant,
    progress: Option<indicatif::ProgressBar>,
}

/// Runs a load test; the report says what was done even when it was cut short. `clock` times
/// the pauses, the timeouts, the duration limit and the latencies.
pub async fn run_plan(plan: Plan, clock: Clock, progress: Option<indicatif::ProgressBar>) -> LoadReport {
    let started = clock.now();
    let shared = Arc::new(Shared {
        opening: Semaphore::new(plan.connect_concurrency),
        deadline: started + plan.duration_limit,
        progress,
        plan,
        clock,
    });
    let clock = &shared.clock;
    let plan = &shared.plan;

    // Idle connections first, so that the sessions run while they are held.
    let (stop, stopped) = watch::channel(false);
    let (ready_tx, mut ready) = mpsc::channel(plan.idle.max(1));
    let mut idle_tasks = JoinSet::new();
    for _ in 0..plan.idle {
        idle_tasks.spawn(hold_idle(shared.clone(), ready_tx.clone(), stopped.clone()));
    }
    drop(ready_tx);
    let mut idle = IdleCounts { requested: plan.idle, ..IdleCounts::default() };
    let mut idle_cut_short = false;
    while let Some(result) = ready.recv().await {
        match result {
            Ok(()) => idle.established += 1,
            Err(Some(reason)) => *idle.failures.entry(reason).or_default() += 1,
            Err(None) => idle_cut_short = true,
        }
    }
    idle.open_s = (clock.now() - started).as_secs_f64();

    let sessions_started = clock.now();
    let mut tasks = JoinSet::new();
    for i in 0..plan.sessions {
        tasks.spawn(session(i, shared.clone()));
    }
    let mut counts = SessionCounts { planned: plan.sessions, ..SessionCounts::default() };
    let mut turns = TurnCounts { planned: plan.sessions * plan.turns, ..TurnCounts::default() };
    let mut errors = ErrorCounts::default();
    let mut latencies = Vec::new();
    let mut cut_short = idle_cut_short;
    while let Some(outcome) = tasks.join_next().await {
        let outcome = outcome.expect("a session task panicked");
        counts.connected += usize::from(outcome.connected);
        counts.completed += usize::from(outcome.completed);
        turns.sent += outcome.sent;
        turns.replied += outcome.replied;
        errors.merge(outcome.errors);
        latencies.extend(outcome.latencies);
        cut_short |= outcome.cut_short;
    }
    let wall_s = (clock.now() - sessions_started).as_secs_f64();

    let _ = stop.send(true);
    while let Some(alive) = idle_tasks.join_next().await {
        idle.alive_at_end += usize::from(alive.expect("an idle task panicked"));
    }
    if let Some(bar) = &shared.progress {
        bar.finish_and_clear();
    }
    LoadReport {
        url: plan.url.clone(),
        sessions: counts,
        turns_per_s: if wall_s > 0.0 { (turns.replied as f64 / wall_s * 10.0).round() / 10.0 } else { 0.0 },
        turns,
        errors,
        turn_ms: Latency::from_durations(latencies),
        wall_s: (wall_s * 1000.0).round() / 1000.0,
        stopped_by_time_limit: cut_short,
        idle,
    }
}

/// Connects and says hello, holding a place in the opening queue meanwhile. `Err(None)`: the
/// duration limit passed first.
async fn open(shared: &Shared) -> Result<Connection, Option<String>> {
    let _permit = shared.opening.acquire().await.expect("the semaphore is never closed");
    let now = shared.clock.now();
    if now >= shared.deadline {
        return Err(None);
    }
    let limit = shared.deadline.min(now + shared.plan.turn_timeout);
    let hello = async {
        let mut conn = Connection::connect(&shared.plan.url).await?;
        conn.hello(shared.plan.channel, None, 0).await?;
        Ok::<_, ClientError>(conn)
    };
    match shared.clock.timeout_at(limit, hello).await {
        Ok(Ok(conn)) => Ok(conn),
        Ok(Err(e)) => Err(Some(connect_failure(&e))),
        Err(_) if shared.clock.now() >= shared.deadline => Err(None),
        Err(_) => Err(Some("timeout".into())),
    }
}

async fn session(index: usize, shared: Arc<Shared>) -> SessionOutcome {
    let plan = &shared.plan;
    let clock = &shared.clock;
    let mut out = SessionOutcome::default();
    if clock.now() >= shared.deadline {
        out.cut_short = true;
        return out;
    }
    let mut conn = match open(&shared).await {
        Ok(conn) => conn,
        Err(None) => {
            out.cut_short = true;
            return out;
        }
        Err(Some(reason)) => {
            out.errors.total += 1;
            out.errors.connect_failures.insert(reason, 1);
            return out;
        }
    };
    out.connected = true;
    let mut alive = true;
    for turn in 0..plan.turns {
        let pause = plan.pause(index, turn);
        if !pause.is_zero() {
            clock.sleep_until((clock.now() + pause).min(shared.deadline)).await;
        }
        let sent = clock.now();
        if sent >= shared.deadline {
            out.cut_short = true;
            break;
        }
        let result = clock.timeout_at(shared.deadline.min(sent + plan.turn_timeout), conn.turn(plan.message(index, turn))).await;
        let elapsed = clock.now() - sent;
        if let Some(bar) = &shared.progress {
            bar.inc(1);
        }
        match result {
            Err(_) if clock.now() >= shared.deadline => {
                // Abandoned by the duration limit: neither an answer nor an error.
                out.cut_short = true;
                break;
            }
            Err(_) => {
                out.sent += 1;
                out.errors.total += 1;
                out.errors.timeouts += 1;
            }
            Ok(Ok(_)) => {
                out.sent += 1;
                out.replied += 1;
                out.latencies.push(elapsed);
            }
            Ok(Err(e)) => {
                out.sent += 1;
                if !out.errors.count(&e) {
                    alive = false;
                    break;
                }
            }
        }
        // Frames for nobody in particular (late replies after a timeout) are not looked at.
        conn.take_stashed();
    }
    out.completed = alive && !out.cut_short;
    if alive {
        conn.close().await;
    }
    out
}

/// An idle connection: hello, then held (answering the transport's pings) until `stop`;
/// returns whether it is still open and answers a ping then.
async fn hold_idle(shared: Arc<Shared>, ready: mpsc::Sender<Result<(), Option<String>>>, mut stop: watch::Receiver<bool>) -> bool {
    let opened = open(&shared).await;
    let _ = ready.send(opened.as_ref().map(|_| ()).map_err(Clone::clone)).await;
    drop(ready);
    let Ok(mut conn) = opened else { return false };
    loop {
        tokio::select! {
            frame = conn.recv() => if frame.is_err() { return false },
            _ = stop.wait_for(|stop| *stop) => break,
        }
    }
    let pong = async {
        conn.send(&ClientFrame::Ping).await?;
        loop {
            if conn.recv().await? == ServerFrame::Pong {
                return Ok::<_, ClientError>(());
            }
        }
    };
    let clock = &shared.clock;
    let alive = matches!(clock.timeout_at(clock.now() + shared.plan.turn_timeout, pong).await, Ok(Ok(())));
    conn.close().await;
    alive
}

/// The open-file limits of this process (soft, hard), from /proc on Linux.
fn open_file_limits() -> Option<(u64, u64)> {
    let limits = std::fs::read_to_string("/proc/self/limits").ok()?;
    let line = limits.lines().find(|l| l.starts_with("Max open files"))?;
    let mut numbers = line["Max open files".len()..].split_whitespace();
    let parse = |s: Option<&str>| s.map(|s| if s == "unlimited" { u64::MAX } else { s.parse().unwrap_or(0) });
    Some((parse(numbers.next())?, parse(numbers.next())?))
}

/// Runs `aisle loadtest` and prints the report.
pub fn run(args: LoadtestArgs) -> anyhow::Result<()> {
    let scripts = match &args.script {
        Some(path) => Some(read_scripts(path)?),
        None => None,
    };
    let plan = Plan::new(&args, scripts)?;
    let needed = (plan.sessions + plan.idle + 64) as u64;
    if let Some((soft, hard)) = open_file_limits().filter(|(soft, _)| *soft < needed) {
        eprintln!(
            "warning: this run needs about {needed} open files but the soft limit is {soft}; raise it first with `ulimit -n {}`",
            hard.min(needed.max(65_536))
        );
    }
    let progress = std::io::stderr().is_terminal().then(|| {
        let bar = indicatif::ProgressBar::new((plan.sessions * plan.turns) as u64);
        bar.set_style(indicatif::ProgressStyle::with_template("turns {bar:40} {pos}/{len} ({per_sec})").expect("static template"));
        bar
    });
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().context("cannot start the async runtime")?;
    let report = runtime.block_on(run_plan(plan.clone(), Clock::default(), progress));
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        print!("{}", summary(&plan, &report));
    }
    Ok(())
}

fn read_scripts(path: &Path) -> anyhow::Result<Vec<Vec<String>>> {
    let text = std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    Ok(parse_scripts(&text))
}

/// The report as a few lines of text.
pub fn summary(plan: &Plan, r: &LoadReport) -> String {
    let mut lines = vec![
        format!("loadtest {}: {} sessions × {} turns, {} scripts", r.url, plan.sessions, plan.turns, plan.scripts.len()),
        format!("sessions   {} connected, {} ran every turn", r.sessions.connected, r.sessions.completed),
        format!("turns      {} of {} sent, {} replied", r.turns.sent, r.turns.planned, r.turns.replied),
    ];
    let e = &r.errors;
    if e.total == 0 {
        lines.push("errors     none".into());
    } else {
        let mut kinds: Vec<String> = e.frames.iter().map(|(code, n)| format!("{code} {n}")).collect();
        for (name, n) in [("timeouts", e.timeouts), ("disconnects", e.disconnects), ("malformed", e.malformed)] {
            if n > 0 {
                kinds.push(format!("{name} {n}"));
            }
        }
        kinds.extend(e.connect_failures.iter().map(|(reason, n)| format!("connect: {reason} {n}")));
        lines.push(format!("errors     {} ({})", e.total, kinds.join(", ")));
    }
    let l = &r.turn_ms;
    lines.push(format!("latency    p50 {:.1} ms  p95 {:.1} ms  p99 {:.1} ms  max {:.1} ms", l.p50, l.p95, l.p99, l.max));
    lines.push(format!("throughput {:.1} turns/s over {:.2} s", r.turns_per_s, r.wall_s));
    if r.idle.requested > 0 {
        let mut line = format!(
            "idle       {} of {} established in {:.2} s, {} answered a ping at the end",
            r.idle.established, r.idle.requested, r.idle.open_s, r.idle.alive_at_end
        );
        if !r.idle.failures.is_empty() {
            let failures: Vec<String> = r.idle.failures.iter().map(|(reason, n)| format!("{reason} {n}")).collect();
            line.push_str(&format!(" (failed: {})", failures.join(", ")));
        }
        lines.push(line);
    }
    if r.stopped_by_time_limit {
        lines.push(format!("stopped by the duration limit ({:.0} s) before every turn was run", plan.duration_limit.as_secs_f64()));
    }
    let mut out = lines.join("\n");
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::client::fake;

    fn args(url: &str) -> LoadtestArgs {
        LoadtestArgs {
            url: url.into(),
            sessions: 4,
            turns: 6,
            duration_limit: Duration::from_secs(60),
            turn_timeout: Duration::from_secs(10),
            think: Duration::ZERO,
            script: None,
            idle: 0,
            connect_concurrency: 2,
            channel: Channel::Web,
            json: false,
        }
    }

    fn scripts(s: &[&[&str]]) -> Option<Vec<Vec<String>>> {
        Some(s.iter().map(|s| s.iter().map(|m| m.to_string()).collect()).collect())
    }

    #[test]
    fn pauses_vary_within_half_to_one_and_a_half_of_think_time() {
        let mut a = args("ws://127.0.0.1:1/ws/chat");
        a.think = Duration::from_millis(300);
        let plan = Plan::new(&a, None).unwrap();
        assert!((0..50).all(|s| plan.pause(s, 0) < Duration::from_millis(300)), "starts are spread over one think time");
        let pauses: Vec<Duration> = (0..50).flat_map(|s| (1..5).map(move |t| (s, t))).map(|(s, t)| plan.pause(s, t)).collect();
        assert!(pauses.iter().all(|p| (Duration::from_millis(150)..Duration::from_millis(450)).contains(p)));
        assert!(pauses.iter().collect::<std::collections::HashSet<_>>().len() > 20, "pauses do not vary");
        // A run is reproducible: the pause is a fixed function of (session, turn). The figure was
        // worked out apart from this code, from the mix in `pause`: 300 ms × (0.5 + 703/1000).
        assert!((plan.pause(7, 2).as_secs_f64() - 0.3609).abs() < 1e-6, "{:?}", plan.pause(7, 2));
        let again = Plan::new(&a, None).unwrap();
        assert!((0..50).all(|s| (0..5).all(|t| again.pause(s, t) == plan.pause(s, t))), "a new plan pauses alike");
    }

    #[test]
    fn only_loopback_hosts_are_accepted() {
        for url in ["ws://127.0.0.1:8080/ws/chat", "ws://localhost:1/ws/chat", "ws://LOCALHOST/ws/chat", "ws://[::1]:9000/ws/chat"] {
            assert!(check_loopback(url).is_ok(), "{url}");
        }
        for url in ["ws://10.0.0.5:8080/ws/chat", "ws://example.com/ws/chat", "ws://127.0.0.2/ws/chat", "ws://localhost.example.com/"] {
            let err = check_loopback(url).unwrap_err();
            assert!(matches!(err, ClientError::NotLoopback { .. }), "{url}: {err:?}");
            assert!(err.to_string().contains("not a loopback host"));
        }
        assert!(matches!(Plan::new(&args("ws://192.168.1.2/ws/chat"), None), Err(PlanError::Url(ClientError::NotLoopback { .. }))));
    }

    #[test]
    fn bounds_are_enforced() {
        let mut a = args("ws://127.0.0.1:1/ws/chat");
        a.sessions = MAX_SESSIONS + 1;
        assert!(matches!(Plan::new(&a, None), Err(PlanError::OverLimit { name: "sessions", .. })));
        a.sessions = MAX_SESSIONS;
        a.turns = MAX_TURNS + 1;
        assert!(matches!(Plan::new(&a, None), Err(PlanError::OverLimit { name: "turns", .. })));
        a.turns = 0;
        assert!(matches!(Plan::new(&a, None), Err(PlanError::Zero { name: "turns" })));
        a.turns = MAX_TURNS;
        a.idle = MAX_IDLE + 1;
        assert!(matches!(Plan::new(&a, None), Err(PlanError::OverLimit { name: "idle", .. })));
        a.idle = 0;
        assert!(Plan::new(&a, None).is_ok());
        assert!(matches!(Plan::new(&a, Some(vec![])), Err(PlanError::EmptyScript)));
    }

    #[test]
    fn scripts_rotate_per_session_and_start_over() {
        let plan = Plan::new(&args("ws://127.0.0.1:1/ws/chat"), scripts(&[&["a1", "a2", "a3"], &["b1", "b2"]])).unwrap();
        let session0: Vec<&str> = (0..5).map(|t| plan.message(0, t)).collect();
        assert_eq!(session0, ["a1", "a2", "a3", "a1", "a2"]);
        let session1: Vec<&str> = (0..3).map(|t| plan.message(1, t)).collect();
        assert_eq!(session1, ["b1", "b2", "b1"]);
        assert_eq!(plan.message(2, 0), "a1");
        assert_eq!(plan.message(3, 1), "b2");

        let builtin = Plan::new(&args("ws://127.0.0.1:1/ws/chat"), None).unwrap();
        assert_eq!(builtin.scripts.len(), SCRIPTS.len());
        assert_eq!(builtin.message(0, 0), "show me running shoes under 3000");
        assert_eq!(builtin.message(SCRIPTS.len() + 1, 0), SCRIPTS[1][0]);
    }

    #[test]
    fn script_files_split_on_blank_lines() {
        let text = "# search\nshoes\n\nin blue\n\n\n# compare\n  watch  \ncompare them\n# trailing comment\n\n";
        assert_eq!(parse_scripts(text), vec![vec!["shoes".to_string()], vec!["in blue".into()], vec!["watch".into(), "compare them".into()]]);
        assert!(parse_scripts("# nothing\n\n").is_empty());
    }

    #[test]
    fn durations_parse() {
        assert_eq!(parse_duration("120s"), Ok(Duration::from_secs(120)));
        assert_eq!(parse_duration("2m"), Ok(Duration::from_secs(120)));
        assert_eq!(parse_duration("500ms"), Ok(Duration::from_millis(500)));
        assert_eq!(parse_duration("30"), Ok(Duration::from_secs(30)));
        assert!(parse_duration("soon").is_err());
        assert!(parse_duration("5 days").is_err());
    }

    #[test]
    fn percentiles_of_turn_latency() {
        let ms: Vec<Duration> = (1..=100).rev().map(Duration::from_millis).collect();
        let l = Latency::from_durations(ms);
        assert_eq!((l.samples, l.p50, l.p95, l.p99, l.max), (100, 50.0, 95.0, 99.0, 100.0));
        let report = LoadReport {
            url: "ws://127.0.0.1:1/ws/chat".into(),
            sessions: SessionCounts { planned: 2, connected: 2, completed: 1 },
            turns: TurnCounts { planned: 4, sent: 4, replied: 2 },
            errors: ErrorCounts {
                total: 2,
                frames: BTreeMap::from([("overloaded".to_string(), 1)]),
                disconnects: 1,
                ..ErrorCounts::default()
            },
            turn_ms: l,
            wall_s: 2.0,
            turns_per_s: 1.0,
            stopped_by_time_limit: false,
            idle: IdleCounts::default(),
        };
        let plan = Plan::new(&args("ws://127.0.0.1:1/ws/chat"), None).unwrap();
        let text = summary(&plan, &report);
        assert!(text.contains("errors     2 (overloaded 1, disconnects 1)"), "{text}");
        assert!(text.contains("latency    p50 50.0 ms  p95 95.0 ms  p99 99.0 ms  max 100.0 ms"), "{text}");
        let json = serde_json::to_value(&report).unwrap();
        assert_eq!(json["turn_ms"]["p95"], 95.0);
        assert_eq!(json["errors"]["frames"]["overloaded"], 1);
    }

    /// Runs `plan` on a manual clock that nothing advances: no turn can time out, however
    /// slow the machine.
    async fn run_without_time(plan: Plan) -> LoadReport {
        run_plan(plan, Clock::manual(), None).await
    }

    #[tokio::test]
    async fn sessions_run_their_scripts_end_to_end() {
        let url = fake::start().await;
        let mut a = args(&url);
        a.idle = 3;
        let plan = Plan::new(&a, scripts(&[&["hi", "show me mugs", "fail"], &["a watch", "in blue"]])).unwrap();
        let report = run_without_time(plan).await;
        assert_eq!((report.sessions.connected, report.sessions.completed), (4, 4));
        assert_eq!((report.turns.planned, report.turns.sent, report.turns.replied), (24, 24, 20));
        // Sessions 0 and 2 say "fail" on turns 3 and 6.
        assert_eq!(report.errors.total, 4);
        assert_eq!(report.errors.frames, BTreeMap::from([("rate_limited".to_string(), 4)]));
        assert_eq!(report.turn_ms.samples, 20);
        assert!(!report.stopped_by_time_limit);
        assert_eq!((report.idle.requested, report.idle.established, report.idle.alive_at_end), (3, 3, 3));
    }

    #[tokio::test]
    async fn turns_without_an_answer_time_out() {
        let (url, mut ignored) = fake::start_signalling().await;
        let mut a = args(&url);
        a.sessions = 1;
        a.turn_timeout = Duration::from_millis(200);
        // "ignore" (turns 2 and 5) gets no answer: each times out when the test moves the
        // clock past its deadline, which it does once the server has read it.
        let plan = Plan::new(&a, scripts(&[&["hi", "ignore", "and again"]])).unwrap();
        let clock = Clock::manual();
        let run = tokio::spawn(run_plan(plan, clock.clone(), None));
        for _ in 0..2 {
            assert!(ignored.recv().await.is_some());
            clock.advance(a.turn_timeout);
        }
        let report = run.await.unwrap();
        let e = &report.errors;
        assert_eq!((e.timeouts, e.total), (2, 2), "{e:?}");
        assert_eq!((report.sessions.connected, report.sessions.completed), (1, 1));
        assert_eq!((report.turns.sent, report.turns.replied), (6, 4));
        assert!(!report.stopped_by_time_limit);
    }

    #[tokio::test]
    async fn disconnects_and_bad_frames_are_errors_by_kind() {
        let url = fake::start().await;
        let mut a = args(&url);
        a.sessions = 2;
        // Session 0 loses its connection on turn 2; session 1 gets a frame that is not v1 on
        // turns 1, 3 and 5.
        let plan = Plan::new(&a, scripts(&[&["hi", "drop", "never sent"], &["garbage", "fine"]])).unwrap();
        let report = run_without_time(plan).await;
        let e = &report.errors;
        assert_eq!((e.disconnects, e.timeouts, e.malformed, e.total), (1, 0, 3, 4), "{e:?}");
        assert_eq!((report.sessions.connected, report.sessions.completed), (2, 1));
        // Session 0: 2 sent, 1 replied; session 1: 6 sent, 3 replied.
        assert_eq!((report.turns.sent, report.turns.replied), (8, 4));
    }

    #[tokio::test]
    async fn a_refused_connection_and_the_duration_limit_are_reported() {
        let (url, _held) = fake::refusing();
        let report = run_without_time(Plan::new(&args(&url), None).unwrap()).await;
        assert_eq!(report.sessions.connected, 0);
        assert_eq!(report.errors.connect_failures, BTreeMap::from([("connection refused".to_string(), 4)]));

        let url = fake::start().await;
        let mut a = args(&url);
        a.duration_limit = Duration::ZERO;
        a.idle = 2;
        let report = run_without_time(Plan::new(&a, None).unwrap()).await;
        assert!(report.stopped_by_time_limit);
        assert_eq!((report.turns.sent, report.errors.total, report.idle.established), (0, 0, 0));
    }
}
