//! The one HTTP client `sync` uses: names itself, times out, retries what a
//! server says is temporary (429 and 5xx, honouring `Retry-After`) with
//! backoff, and keeps a minimum interval between requests to one source
//! (arXiv asks for one request every 3 seconds).

use std::time::{Duration, Instant};

/// Why a request failed for good.
#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    #[error("{url}: {message}")]
    Failed { url: String, message: String },
}

pub struct Client {
    agent: ureq::Agent,
    retries: u32,
    /// The first retry's wait when the server gives no `Retry-After`;
    /// doubled each time.
    backoff: Duration,
}

/// Longest `Retry-After` honoured: a server asking for more is treated as
/// down, so a scheduled run fails instead of hanging for hours.
const MAX_RETRY_AFTER: Duration = Duration::from_secs(120);

impl Client {
    pub fn new() -> Client {
        let agent = ureq::Agent::config_builder()
            .timeout_global(Some(Duration::from_secs(60)))
            .timeout_connect(Some(Duration::from_secs(15)))
            .http_status_as_error(false)
            .user_agent(concat!(
                "paperfeed/",
                env!("CARGO_PKG_VERSION"),
                " (+",
                env!("CARGO_PKG_REPOSITORY"),
                ")"
            ))
            .build()
            .into();
        Client {
            agent,
            retries: 4,
            backoff: Duration::from_secs(2),
        }
    }

    /// The body of a 200 answer to GET `url`.
    pub fn get(&self, url: &str) -> Result<String, FetchError> {
        let fail = |message: String| FetchError::Failed {
            url: url.to_string(),
            message,
        };
        let mut wait = self.backoff;
        for attempt in 0..=self.retries {
            let retry_in = match self.agent.get(url).call() {
                Ok(mut response) => {
                    let status = response.status().as_u16();
                    if status == 200 {
                        return response
                            .body_mut()
                            .with_config()
                            .limit(64 * 1024 * 1024)
                            .read_to_string()
                            .map_err(|e| fail(format!("reading the answer: {e}")));
                    }
                    let temporary = status == 429 || status >= 500;
                    if !temporary || attempt == self.retries {
                        return Err(fail(format!("the server answered HTTP {status}")));
                    }
                    let asked = response
                        .headers()
                        .get("retry-after")
                        .and_then(|v| v.to_str().ok())
                        .and_then(|v| v.trim().parse::<u64>().ok())
                        .map(Duration::from_secs);
                    match asked {
                        Some(d) if d > MAX_RETRY_AFTER => {
                            return Err(fail(format!(
                                "the server answered HTTP {status} and asks to wait {} s",
                                d.as_secs()
                            )));
                        }
                        Some(d) => d,
                        None => wait,
                    }
                }
                Err(e) if attempt == self.retries => return Err(fail(e.to_string())),
                Err(_) => wait,
            };
            std::thread::sleep(retry_in);
            wait *= 2;
        }
        unreachable!("the last attempt returns")
    }
}

impl Default for Client {
    fn default() -> Self {
        Client::new()
    }
}

/// Spaces requests to one source at least `interval` apart.
pub struct Pacer {
    interval: Duration,
    last: Option<Instant>,
}

impl Pacer {
    pub fn new(interval: Duration) -> Pacer {
        Pacer {
            interval,
            last: None,
        }
    }

    pub fn wait(&mut self) {
        if let Some(last) = self.last {
            let since = last.elapsed();
            if since < self.interval {
                std::thread::sleep(self.interval - since);
            }
        }
        self.last = Some(Instant::now());
    }
}
