//! Reloading the shop's words without a restart: the FAQ, the reply templates and the search
//! synonyms are read again on `POST /v1/admin/reload` (admin key) and on SIGHUP. Every file is
//! checked before anything is replaced: a bad one keeps all the old ones in use and says what
//! was wrong.

use axum::Json;
use axum::extract::State;
use axum::http::HeaderMap;
use serde::Serialize;
use tokio_util::sync::CancellationToken;

use super::orders::admin;
use super::{ApiError, AppState};
use crate::catalog::synonyms::Synonyms;

/// What a reload put in use.
#[derive(Debug, Serialize)]
pub struct Reloaded {
    pub faq_entries: usize,
    pub synonyms: bool,
}

/// Reads the files again and swaps them in, all or nothing.
pub async fn reload(state: &AppState) -> Result<Reloaded, String> {
    let synonyms = match &state.synonyms_path {
        Some(path) if path.exists() => Some(Synonyms::load(path).map_err(|e| e.to_string())?),
        _ => None,
    };
    // The templates and the FAQ are checked whole and swapped by the assistant; the synonyms
    // only once they were.
    let faq_entries = state.sessions.assistant().reload_prompts().await.map_err(|e| e.to_string())?;
    let with_synonyms = synonyms.is_some();
    if let Some(synonyms) = synonyms {
        state.catalog.set_synonyms(synonyms);
    }
    tracing::info!(faq_entries, synonyms = with_synonyms, "reloaded the FAQ, the reply templates and the synonyms");
    Ok(Reloaded { faq_entries, synonyms: with_synonyms })
}

/// `POST /v1/admin/reload`.
pub async fn handler(State(state): State<AppState>, headers: HeaderMap) -> Result<Json<Reloaded>, ApiError> {
    admin(&state, &headers)?;
    reload(&state).await.map(Json).map_err(|why| ApiError::BadRequest(format!("nothing was reloaded: {why}")))
}

/// Reloads on every SIGHUP until `shutdown`.
pub async fn on_hangup(state: AppState, shutdown: CancellationToken) {
    #[cfg(unix)]
    {
        let mut hangups = match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::hangup()) {
            Ok(hangups) => hangups,
            Err(error) => {
                tracing::warn!(%error, "cannot listen for SIGHUP: reload with POST /v1/admin/reload");
                return;
            }
        };
        loop {
            tokio::select! {
                () = shutdown.cancelled() => return,
                Some(()) = hangups.recv() => {
                    if let Err(why) = reload(&state).await {
                        tracing::error!(%why, "SIGHUP: nothing was reloaded; the old files stay in use");
                    }
                }
            }
        }
    }
    #[cfg(not(unix))]
    let _ = (state, shutdown);
}
