//! Live notices between connections: what a session's other connections (tabs) and the agent
//! consoles must hear about now. A notice says *that* something was stored (and up to which
//! seq); the store stays the truth, and a listener reads what it has not sent yet from it — so a
//! lagging or reconnecting listener loses nothing. Frames that are never stored (typing, a
//! shopper message echoed to other tabs) travel in the notice itself, best effort.
//!
//! Shopper connections listen per session (a turn wakes only that session's connections);
//! agent consoles listen to every session.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use tokio::sync::broadcast;

use crate::protocol::ServerFrame;

/// Notices a slow listener may fall behind by before it skips to the newest (it then reads
/// what it missed from the store).
const CAPACITY: usize = 64;

/// A notice to a session's shopper connections.
#[derive(Debug, Clone)]
pub enum Notice {
    /// Frames up to `last_seq` are stored.
    Stored { last_seq: u64 },
    /// A frame sent live only, to every connection but `except`.
    Frame { frame: Arc<ServerFrame>, except: Option<u64> },
}

/// A notice to the agent consoles: a session changed (its transcript, state or summary), or
/// someone in it is typing (`typing`: "shopper" or the agent's name).
#[derive(Debug, Clone)]
pub struct AgentNotice {
    pub session_id: Arc<str>,
    pub typing: Option<Arc<str>>,
}

pub struct Live {
    sessions: Mutex<HashMap<String, broadcast::Sender<Notice>>>,
    agents: broadcast::Sender<AgentNotice>,
    /// Agent consoles connected (signed in).
    agents_online: AtomicUsize,
}

impl Default for Live {
    fn default() -> Self {
        Live { sessions: Mutex::new(HashMap::new()), agents: broadcast::channel(CAPACITY * 4).0, agents_online: AtomicUsize::new(0) }
    }
}

impl Live {
    /// Listens to a session's notices until the listener is dropped.
    pub fn listen(self: &Arc<Self>, session_id: &str) -> Listener {
        let mut sessions = self.sessions.lock().unwrap_or_else(|e| e.into_inner());
        let receiver = sessions.entry(session_id.to_string()).or_insert_with(|| broadcast::channel(CAPACITY).0).subscribe();
        Listener { live: Arc::clone(self), session_id: session_id.to_string(), receiver }
    }

    /// Tells the session's connections and the consoles that frames up to `last_seq` (or only
    /// the state) were stored.
    pub fn stored(&self, session_id: &str, last_seq: u64) {
        self.to_session(session_id, Notice::Stored { last_seq });
        self.changed(session_id);
    }

    /// Sends a frame that is not stored to the session's connections, but `except`.
    pub fn frame(&self, session_id: &str, frame: ServerFrame, except: Option<u64>) {
        self.to_session(session_id, Notice::Frame { frame: Arc::new(frame), except });
    }

    /// Tells the consoles that the session changed.
    pub fn changed(&self, session_id: &str) {
        let _ = self.agents.send(AgentNotice { session_id: Arc::from(session_id), typing: None });
    }

    /// Tells the consoles that `who` is typing in the session.
    pub fn typing(&self, session_id: &str, who: &str) {
        let _ = self.agents.send(AgentNotice { session_id: Arc::from(session_id), typing: Some(Arc::from(who)) });
    }

    fn to_session(&self, session_id: &str, notice: Notice) {
        let sessions = self.sessions.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(sender) = sessions.get(session_id) {
            let _ = sender.send(notice);
        }
    }

    /// Listens to every session's changes, as a console; counts the console as online until
    /// the returned guard is dropped.
    pub fn agent(self: &Arc<Self>) -> (broadcast::Receiver<AgentNotice>, Online) {
        self.agents_online.fetch_add(1, Ordering::SeqCst);
        (self.agents.subscribe(), Online(Arc::clone(self)))
    }

    /// Whether a console is connected.
    pub fn agents_online(&self) -> bool {
        self.agents_online.load(Ordering::SeqCst) > 0
    }
}

/// A console counted as online.
pub struct Online(Arc<Live>);

impl Drop for Online {
    fn drop(&mut self) {
        self.0.agents_online.fetch_sub(1, Ordering::SeqCst);
    }
}

/// One connection's notices of one session; dropping the last one of a session forgets it.
pub struct Listener {
    live: Arc<Live>,
    session_id: String,
    receiver: broadcast::Receiver<Notice>,
}

impl Listener {
    /// The next notice; after falling behind, a `Stored` one (read the store) in place of those
    /// skipped. `None` never comes while the hub lives.
    pub async fn next(&mut self) -> Notice {
        loop {
            match self.receiver.recv().await {
                Ok(notice) => return notice,
                Err(broadcast::error::RecvError::Lagged(_)) => return Notice::Stored { last_seq: u64::MAX },
                // The sender lives in the hub's map while any listener does.
                Err(broadcast::error::RecvError::Closed) => std::future::pending::<()>().await,
            }
        }
    }
}

impl Drop for Listener {
    fn drop(&mut self) {
        let mut sessions = self.live.sessions.lock().unwrap_or_else(|e| e.into_inner());
        // This listener's receiver is still counted until it is dropped, after this.
        if sessions.get(&self.session_id).is_some_and(|s| s.receiver_count() <= 1) {
            sessions.remove(&self.session_id);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_sessions_notices_reach_its_listeners_only_and_the_last_one_out_forgets_it() {
        let live = Arc::new(Live::default());
        let mut a = live.listen("s1");
        let mut b = live.listen("s1");
        let other = live.listen("s2");
        live.stored("s1", 3);
        assert!(matches!(a.next().await, Notice::Stored { last_seq: 3 }));
        assert!(matches!(b.next().await, Notice::Stored { last_seq: 3 }));
        assert!(other.receiver.is_empty());
        drop(a);
        assert!(live.sessions.lock().unwrap().contains_key("s1"));
        drop(b);
        assert!(!live.sessions.lock().unwrap().contains_key("s1"));
        assert!(live.sessions.lock().unwrap().contains_key("s2"));
    }

    #[tokio::test]
    async fn a_listener_that_falls_behind_is_told_to_read_the_store() {
        let live = Arc::new(Live::default());
        let mut slow = live.listen("s1");
        for seq in 1..=(CAPACITY as u64 + 5) {
            live.stored("s1", seq);
        }
        assert!(matches!(slow.next().await, Notice::Stored { last_seq: u64::MAX }));
    }

    #[test]
    fn consoles_count_as_online_while_connected() {
        let live = Arc::new(Live::default());
        assert!(!live.agents_online());
        let (_notices, online) = live.agent();
        assert!(live.agents_online());
        drop(online);
        assert!(!live.agents_online());
    }
}
