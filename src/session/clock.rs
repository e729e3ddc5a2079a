//! Time, injectable: the system clock in a server, a manual one in tests of what time does
//! (rate-limit refill, verification lockouts), which then need no waiting.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::orders::{self, Seconds};

/// A clock handle; clones share it. The default is the system clock.
#[derive(Clone, Default)]
pub struct Clock {
    manual: Option<Arc<Manual>>,
}

/// A clock that stands still until advanced.
struct Manual {
    instant: Instant,
    unix: Seconds,
    advanced: Mutex<Duration>,
}

impl Clock {
    pub fn system() -> Clock {
        Clock::default()
    }

    /// A clock that starts at the present and moves only when [advanced](Self::advance).
    pub fn manual() -> Clock {
        let manual = Manual { instant: Instant::now(), unix: orders::now(), advanced: Mutex::new(Duration::ZERO) };
        Clock { manual: Some(Arc::new(manual)) }
    }

    /// Moves a manual clock forward.
    ///
    /// # Panics
    /// On the system clock, which only time moves.
    pub fn advance(&self, by: Duration) {
        let manual = self.manual.as_ref().expect("only a manual clock can be advanced");
        *manual.advanced.lock().unwrap_or_else(|e| e.into_inner()) += by;
    }

    /// The monotonic now, for intervals.
    pub fn instant(&self) -> Instant {
        match &self.manual {
            None => Instant::now(),
            Some(manual) => manual.instant + manual.advanced(),
        }
    }

    /// The wall-clock now, in unix seconds.
    pub fn now(&self) -> Seconds {
        match &self.manual {
            None => orders::now(),
            Some(manual) => manual.unix + manual.advanced().as_secs() as Seconds,
        }
    }
}

impl Clock {
    /// The wall-clock now, in unix milliseconds.
    pub fn now_ms(&self) -> i64 {
        match &self.manual {
            None => jiff::Timestamp::now().as_millisecond(),
            Some(manual) => manual.unix * 1000 + manual.advanced().as_millis() as i64,
        }
    }
}

impl Manual {
    fn advanced(&self) -> Duration {
        *self.advanced.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_manual_clock_moves_only_when_advanced() {
        let clock = Clock::manual();
        let (instant, now) = (clock.instant(), clock.now());
        assert_eq!((clock.instant(), clock.now()), (instant, now));
        clock.clone().advance(Duration::from_millis(1500));
        assert_eq!(clock.instant() - instant, Duration::from_millis(1500));
        assert_eq!(clock.now() - now, 1);
    }
}
