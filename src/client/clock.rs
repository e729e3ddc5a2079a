//! Time as the clients see it: tokio's clock, or a manual one that a test moves by hand.
//!
//! Think pauses, turn timeouts and reconnect backoff all go through a [`Clock`], so a test can
//! decide when a timeout fires or a pause ends (after the server said it ignored a message,
//! after every session is pausing) instead of depending on how fast the machine is.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::watch;
use tokio::time::Instant;

/// tokio's clock by default; [`Clock::manual`] for a clock that only moves by [`Clock::advance`].
#[derive(Clone, Default)]
pub struct Clock {
    manual: Option<Arc<Manual>>,
}

struct Manual {
    start: Instant,
    /// How far the clock has been moved.
    elapsed: watch::Sender<Duration>,
    /// The deadlines of the [`Clock::sleep_until`] calls waiting now (timeouts are not counted).
    sleeping: watch::Sender<Vec<Instant>>,
}

/// A [`Clock::timeout_at`] deadline passed first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("timed out")]
pub struct TimedOut;

impl std::fmt::Debug for Clock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.manual.is_some() { "Clock::manual" } else { "Clock::tokio" })
    }
}

impl Clock {
    /// A clock that stands still until [`advance`](Self::advance)d.
    pub fn manual() -> Clock {
        let manual = Manual { start: Instant::now(), elapsed: watch::Sender::new(Duration::ZERO), sleeping: watch::Sender::new(Vec::new()) };
        Clock { manual: Some(Arc::new(manual)) }
    }

    pub fn now(&self) -> Instant {
        match &self.manual {
            Some(m) => m.start + *m.elapsed.borrow(),
            None => Instant::now(),
        }
    }

    /// Waits until `deadline`. On a manual clock the wait is counted by [`sleeping`](Self::sleeping).
    pub async fn sleep_until(&self, deadline: Instant) {
        let Some(m) = &self.manual else { return tokio::time::sleep_until(deadline).await };
        m.sleeping.send_modify(|s| s.push(deadline));
        let _registered = Unregister { manual: m, deadline };
        m.reached(deadline).await;
    }

    pub async fn sleep(&self, duration: Duration) {
        self.sleep_until(self.now() + duration).await;
    }

    /// `future`'s output, or [`TimedOut`] when `deadline` comes first (the future is polled
    /// first, so an answer that is ready wins over a deadline that has passed).
    pub async fn timeout_at<F: Future>(&self, deadline: Instant, future: F) -> Result<F::Output, TimedOut> {
        let Some(m) = &self.manual else { return tokio::time::timeout_at(deadline, future).await.map_err(|_| TimedOut) };
        tokio::select! {
            biased;
            out = future => Ok(out),
            () = m.reached(deadline) => Err(TimedOut),
        }
    }

    /// Moves a manual clock forward, ending the sleeps and timeouts it passes.
    ///
    /// # Panics
    /// On tokio's clock, which only real time moves.
    pub fn advance(&self, by: Duration) {
        let m = self.manual.as_ref().expect("only a manual clock can be advanced");
        m.elapsed.send_modify(|elapsed| *elapsed += by);
    }

    /// Waits until at least `n` sleeps wait for a deadline still ahead of a manual clock: the
    /// moment every one of `n` tasks is pausing. Returns at once on tokio's clock.
    pub async fn sleeping(&self, n: usize) {
        let Some(m) = &self.manual else { return };
        let mut sleeping = m.sleeping.subscribe();
        let mut elapsed = m.elapsed.subscribe();
        loop {
            let now = m.start + *elapsed.borrow_and_update();
            if sleeping.borrow_and_update().iter().filter(|&&d| d > now).count() >= n {
                return;
            }
            tokio::select! {
                changed = sleeping.changed() => changed.expect("the clock holds the sender"),
                changed = elapsed.changed() => changed.expect("the clock holds the sender"),
            }
        }
    }
}

impl Manual {
    async fn reached(&self, deadline: Instant) {
        let start = self.start;
        let mut elapsed = self.elapsed.subscribe();
        elapsed.wait_for(|e| start + *e >= deadline).await.expect("the clock holds the sender");
    }
}

/// Takes a finished (or cancelled) sleep off the manual clock's list.
struct Unregister<'a> {
    manual: &'a Manual,
    deadline: Instant,
}

impl Drop for Unregister<'_> {
    fn drop(&mut self) {
        self.manual.sleeping.send_modify(|s| {
            if let Some(i) = s.iter().position(|&d| d == self.deadline) {
                s.swap_remove(i);
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_manual_clock_moves_only_when_advanced() {
        let clock = Clock::manual();
        let start = clock.now();
        let pause = tokio::spawn({
            let clock = clock.clone();
            async move { clock.sleep(Duration::from_secs(3600)).await }
        });
        clock.sleeping(1).await;
        assert_eq!(clock.now(), start, "time passed by itself");
        let never = std::future::pending::<()>();
        let deadline = start + Duration::from_secs(10);
        let timed = tokio::spawn({
            let clock = clock.clone();
            async move { clock.timeout_at(deadline, never).await }
        });
        clock.advance(Duration::from_secs(10));
        assert_eq!(timed.await.unwrap(), Err(TimedOut));
        assert!(!pause.is_finished());
        clock.advance(Duration::from_secs(3590));
        pause.await.unwrap();
        assert_eq!(clock.now(), start + Duration::from_secs(3600));
        assert_eq!(clock.timeout_at(deadline, async { 7 }).await, Ok(7), "a ready answer wins over a passed deadline");
    }

    #[tokio::test]
    async fn sleeping_counts_only_deadlines_still_ahead() {
        use futures_util::FutureExt;
        let clock = Clock::manual();
        let short = tokio::spawn({
            let clock = clock.clone();
            async move { clock.sleep(Duration::from_secs(1)).await }
        });
        clock.sleeping(1).await;
        clock.advance(Duration::from_secs(1));
        // Its deadline has passed, whether or not its task has run since.
        assert!(clock.sleeping(1).now_or_never().is_none());
        let long = tokio::spawn({
            let clock = clock.clone();
            async move { clock.sleep(Duration::from_secs(5)).await }
        });
        clock.sleeping(1).await;
        assert!(clock.sleeping(2).now_or_never().is_none());
        short.await.unwrap();
        clock.advance(Duration::from_secs(5));
        long.await.unwrap();
    }
}
