//! Politeness: one request at a time per host, a delay (plus jitter)
//! apart, and `robots.txt` (its `Disallow`/`Allow` rules and
//! `Crawl-delay` for vellum or `*`) unless the user says otherwise.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use crate::capture::Fetcher;
use crate::fetch::FetchConfig;

/// How politely hosts are asked.
#[derive(Debug, Clone)]
pub struct Politeness {
    /// The pause between two requests to one host.
    pub delay: Duration,
    /// Up to this much more, chosen per request (so many monitors do not
    /// fall into step).
    pub jitter: Duration,
    /// Read and obey each host's `robots.txt`.
    pub robots: bool,
}

impl Default for Politeness {
    fn default() -> Self {
        Politeness {
            delay: Duration::from_secs(1),
            jitter: Duration::from_millis(500),
            robots: true,
        }
    }
}

/// What a host's `robots.txt` says to vellum.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Robots {
    /// (allow, path prefix), most specific first.
    rules: Vec<(bool, String)>,
    pub crawl_delay: Option<Duration>,
}

impl Robots {
    /// Parses `robots.txt`: the group naming `vellum` if any, else `*`.
    pub fn parse(text: &str) -> Robots {
        let mut groups: Vec<(Vec<String>, Robots)> = Vec::new();
        let mut in_agents = false;
        for line in text.lines() {
            let line = line.split('#').next().unwrap_or("").trim();
            let Some((key, value)) = line.split_once(':') else {
                continue;
            };
            let (key, value) = (key.trim().to_ascii_lowercase(), value.trim());
            if key == "user-agent" {
                if !in_agents || groups.is_empty() {
                    groups.push((Vec::new(), Robots::default()));
                }
                groups
                    .last_mut()
                    .expect("pushed")
                    .0
                    .push(value.to_ascii_lowercase());
                in_agents = true;
                continue;
            }
            in_agents = false;
            let Some((_, r)) = groups.last_mut() else {
                continue;
            };
            match key.as_str() {
                "disallow" if !value.is_empty() => r.rules.push((false, value.to_owned())),
                "allow" if !value.is_empty() => r.rules.push((true, value.to_owned())),
                "crawl-delay" => {
                    r.crawl_delay = value
                        .parse::<f64>()
                        .ok()
                        .filter(|d| d.is_finite() && *d >= 0.0)
                        .map(|d| Duration::from_secs_f64(d.min(3600.0)));
                }
                _ => {}
            }
        }
        let pick = |name: &str| groups.iter().find(|(a, _)| a.iter().any(|x| x == name));
        let mut robots = pick("vellum")
            .or_else(|| pick("*"))
            .map(|(_, r)| r.clone())
            .unwrap_or_default();
        robots
            .rules
            .sort_by_key(|(allow, p)| (std::cmp::Reverse(p.len()), !*allow));
        robots
    }

    /// Whether `path` (with its query) may be fetched: the longest matching
    /// rule wins, `Allow` on a tie.
    pub fn allows(&self, path: &str) -> bool {
        self.rules
            .iter()
            .find(|(_, p)| path.starts_with(p.trim_end_matches('*').trim_end_matches('$')))
            .is_none_or(|(allow, _)| *allow)
    }
}

/// The hosts asked so far: when, and their robots.txt.
#[derive(Default)]
pub struct Hosts {
    last: HashMap<String, Instant>,
    robots: HashMap<String, Robots>,
    counter: u64,
}

fn host_key(url: &url::Url) -> String {
    format!("{}://{}", url.scheme(), url.host_str().unwrap_or(""))
        + &url.port().map(|p| format!(":{p}")).unwrap_or_default()
}

impl Hosts {
    /// Waits until `url`'s host may be asked again (the delay, the host's
    /// crawl delay if longer, and jitter), then notes the request.
    pub fn wait(&mut self, url: &url::Url, p: &Politeness, stop: &dyn Fn() -> bool) {
        let key = host_key(url);
        let crawl = self
            .robots
            .get(&key)
            .and_then(|r| r.crawl_delay)
            .unwrap_or_default();
        let mut pause = p.delay.max(crawl);
        if !p.jitter.is_zero() && !pause.is_zero() {
            self.counter += 1;
            let h = blake3::hash(format!("{key} {}", self.counter).as_bytes());
            let f = u16::from_le_bytes([h.as_bytes()[0], h.as_bytes()[1]]) as u32;
            pause += p.jitter * f / u16::MAX as u32;
        }
        if let Some(last) = self.last.get(&key) {
            let until = *last + pause;
            while Instant::now() < until && !stop() {
                std::thread::sleep((until - Instant::now()).min(Duration::from_millis(100)));
            }
        }
        self.last.insert(key, Instant::now());
    }

    /// Whether robots.txt lets vellum fetch `url` (fetched once per host;
    /// a robots.txt that cannot be read allows everything).
    pub fn allowed(
        &mut self,
        url: &url::Url,
        p: &Politeness,
        fetcher: &mut dyn Fetcher,
        cfg: &FetchConfig,
        stop: &dyn Fn() -> bool,
    ) -> bool {
        if !p.robots {
            return true;
        }
        let key = host_key(url);
        if !self.robots.contains_key(&key) {
            let robots = match url.join("/robots.txt") {
                Ok(r) => {
                    self.wait(url, p, stop);
                    match fetcher.fetch(&r, cfg) {
                        Ok(f) if f.is_success() => Robots::parse(&String::from_utf8_lossy(&f.body)),
                        _ => Robots::default(),
                    }
                }
                Err(_) => Robots::default(),
            };
            self.robots.insert(key.clone(), robots);
        }
        let path = match url.query() {
            Some(q) => format!("{}?{q}", url.path()),
            None => url.path().to_owned(),
        };
        self.robots[&key].allows(&path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn robots_groups_rules_and_crawl_delay() {
        let r = Robots::parse(
            "User-agent: *\nDisallow: /\n\nUser-agent: Vellum\nUser-agent: other\n\
             Disallow: /private\nAllow: /private/ok\nCrawl-delay: 2.5\n",
        );
        assert!(r.allows("/news/a") && r.allows("/private/ok/x"));
        assert!(!r.allows("/private/x"));
        assert_eq!(r.crawl_delay, Some(Duration::from_millis(2500)));
        let star = Robots::parse("User-agent: *\nDisallow: /a\n");
        assert!(!star.allows("/a/b") && star.allows("/b"));
        assert!(Robots::parse("").allows("/x"));
    }
}
