//! The recommendation snapshot of a running server: trained from the stored events (on a
//! blocking thread), swapped in whole, refreshed every [`REFRESH`]; turns and
//! `/v1/recommendations` read whichever is current and never wait for training.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::Duration;

use crate::events::Kind;
use crate::events::store::{EventStore, EventStoreError};
use crate::recommend::engine::{Interaction, Signal, Snapshot};

/// How often the snapshot is retrained from the events.
pub const REFRESH: Duration = Duration::from_secs(60);
/// How far back events are read for training.
const HISTORY_DAYS: i64 = 365;

/// The current snapshot and how to make the next.
pub struct Recommender {
    events: EventStore,
    /// The snapshot, and the number of the refresh that made it.
    snapshot: RwLock<(u64, Arc<Snapshot>)>,
    refreshes: AtomicU64,
}

impl Recommender {
    pub fn new(events: EventStore) -> Recommender {
        Recommender { events, snapshot: RwLock::new((0, Arc::new(Snapshot::empty()))), refreshes: AtomicU64::new(0) }
    }

    pub fn snapshot(&self) -> Arc<Snapshot> {
        Arc::clone(&self.snapshot.read().unwrap_or_else(|e| e.into_inner()).1)
    }

    /// Trains a new snapshot from the stored events (on a blocking thread) and swaps it in,
    /// unless a refresh that started later has already swapped in its own.
    pub async fn refresh(&self) -> Result<(), EventStoreError> {
        let number = self.refreshes.fetch_add(1, Ordering::SeqCst) + 1;
        let now = jiff::Timestamp::now().as_second();
        let rows = self.events.interactions((now - HISTORY_DAYS * 86_400) * 1000).await?;
        let interactions: Vec<Interaction> = rows
            .into_iter()
            .map(|(shopper, item, kind, at)| {
                let signal = match kind {
                    Kind::Purchase => Signal::Purchase,
                    Kind::AddToCart => Signal::Cart,
                    _ => Signal::View,
                };
                Interaction { shopper, item, signal, at: at / 1000 }
            })
            .collect();
        let started = std::time::Instant::now();
        let snapshot = tokio::task::spawn_blocking(move || Snapshot::train(&interactions, now)).await.map_err(|e| EventStoreError::Database(sqlx::Error::Protocol(format!("training stopped: {e}"))))?;
        tracing::info!(interactions = snapshot.interactions, ms = started.elapsed().as_millis() as u64, "recommendations trained");
        let mut current = self.snapshot.write().unwrap_or_else(|e| e.into_inner());
        if current.0 < number {
            *current = (number, Arc::new(snapshot));
        }
        Ok(())
    }

    /// Refreshes every [`REFRESH`] until `stop` is cancelled.
    pub async fn keep_fresh(self: Arc<Self>, stop: tokio_util::sync::CancellationToken) {
        loop {
            tokio::select! {
                () = stop.cancelled() => return,
                () = tokio::time::sleep(REFRESH) => {}
            }
            if let Err(error) = self.refresh().await {
                tracing::warn!(%error, "recommendations not refreshed");
            }
        }
    }
}

