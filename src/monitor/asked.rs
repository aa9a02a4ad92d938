//! A round's settings from what a person asked ([`Asked`]: the `recheck`
//! and `watch` flags and the notification environment), checked once for
//! every front end that runs rounds.

use std::time::Duration;

use crate::capture::Options;
use crate::fetch::FetchConfig;

use super::error::MonitorError;
use super::notify::NotifyConfig;
use super::outbox::Destination;
use super::polite::Politeness;
use super::round::RoundSettings;

/// What a person sets about checks and their notifications.
#[derive(Debug, Clone, Default)]
pub struct Asked {
    /// The pause between two requests to one host (plus up to half as much
    /// jitter).
    pub delay: Duration,
    /// Seconds allowed for fetching a page, and for one delivery.
    pub timeout: u64,
    /// Obey robots.txt and its Crawl-delay.
    pub robots: bool,
    /// Webhook URLs, each an http(s) URL.
    pub webhooks: Vec<String>,
    /// Commands run with each message on standard input.
    pub commands: Vec<String>,
    /// Signs webhook bodies.
    pub secret: Option<String>,
    /// Changes scored below this (0 to 1) are not sent.
    pub min_score: Option<f64>,
    /// The web view's address, for a link to each diff.
    pub base_url: Option<String>,
    /// Notify a change back to one of the document's last texts too.
    pub notify_flip_flops: bool,
}

impl Asked {
    /// Adds what the environment asks, as `var` (a variable's value) finds
    /// it: a webhook in `$VELLUM_NOTIFY_URL` after the ones asked, and the
    /// secret in `$VELLUM_NOTIFY_SECRET` unless one was asked. An empty
    /// variable is unset.
    pub fn with_env(mut self, var: impl Fn(&str) -> Option<String>) -> Asked {
        let var = |name| var(name).filter(|s: &String| !s.is_empty());
        self.webhooks.extend(var("VELLUM_NOTIFY_URL"));
        self.secret = self.secret.or_else(|| var("VELLUM_NOTIFY_SECRET"));
        self
    }
}

impl RoundSettings {
    /// The settings `a` asks for; a webhook that is no http(s) URL or a
    /// score out of 0 to 1 is refused, naming the option.
    pub fn asked(a: Asked) -> Result<RoundSettings, MonitorError> {
        let mut destinations = (a.webhooks.into_iter())
            .map(Destination::webhook)
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| MonitorError::Input(format!("--notify {e}")))?;
        destinations.extend(a.commands.into_iter().map(Destination::Command));
        if let Some(m) = a.min_score.filter(|m| !(0.0..=1.0).contains(m)) {
            let e = format!("--min-score {m} is not between 0 and 1");
            return Err(MonitorError::Input(e));
        }
        let notify = NotifyConfig {
            destinations,
            secret: a.secret,
            base_url: a.base_url,
            min_score: a.min_score,
            timeout: a.timeout,
        };
        Ok(RoundSettings {
            options: Options {
                fetch: FetchConfig::with_timeout(a.timeout),
                ..Options::default()
            },
            politeness: Politeness {
                delay: a.delay,
                jitter: a.delay / 2,
                robots: a.robots,
            },
            notify_flip_flops: a.notify_flip_flops,
            notify,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_environment_adds_a_webhook_and_the_secret() {
        let env = |name: &str| match name {
            "VELLUM_NOTIFY_URL" => Some("https://hooks.example/env".to_owned()),
            "VELLUM_NOTIFY_SECRET" => Some("s3cret".to_owned()),
            _ => None,
        };
        let asked = Asked {
            webhooks: vec!["https://hooks.example/flag".into()],
            ..Asked::default()
        };
        let a = asked.clone().with_env(env);
        assert_eq!(
            a.webhooks,
            ["https://hooks.example/flag", "https://hooks.example/env"]
        );
        assert_eq!(a.secret.as_deref(), Some("s3cret"));
        let empty = asked.with_env(|_| Some(String::new()));
        assert_eq!(empty.webhooks, ["https://hooks.example/flag"]);
        assert_eq!(empty.secret, None);
    }

    #[test]
    fn what_was_asked_is_checked_and_kept() {
        let asked = Asked {
            delay: Duration::from_secs(2),
            timeout: 0,
            robots: true,
            webhooks: vec!["https://hooks.example/x".into()],
            commands: vec!["cat".into()],
            min_score: Some(0.5),
            ..Asked::default()
        };
        let s = RoundSettings::asked(asked.clone()).unwrap();
        assert_eq!(s.politeness.jitter, Duration::from_secs(1));
        assert_eq!(s.options.fetch.total_timeout, Duration::from_secs(1));
        assert_eq!(s.notify.destinations.len(), 2);
        let ftp = Asked {
            webhooks: vec!["ftp://x".into()],
            ..asked.clone()
        };
        let e = RoundSettings::asked(ftp).unwrap_err().to_string();
        assert!(
            e.starts_with("--notify \"ftp://x\" is not an http(s) URL"),
            "{e}"
        );
        let score = Asked {
            min_score: Some(1.5),
            ..asked
        };
        let e = RoundSettings::asked(score).unwrap_err().to_string();
        assert_eq!(e, "--min-score 1.5 is not between 0 and 1");
    }
}
