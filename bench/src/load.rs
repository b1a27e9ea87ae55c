//! A closed-loop HTTP load generator for GraphQL: C concurrent tasks, each sending the next
//! request as soon as the previous one answered, for a fixed duration. Requests in flight when
//! the time is up are awaited and counted, so a phase of slow requests runs a little longer.

use std::{
    sync::Arc,
    time::{Duration, Instant},
};

use anyhow::Context;
use serde_json::Value;

/// No single request may take longer than this (counted as an error).
const REQUEST_TIMEOUT: Duration = Duration::from_secs(300);

/// The GraphQL endpoint and the bearer token sent with every request.
#[derive(Clone)]
pub struct Target {
    client: reqwest::Client,
    url: Arc<str>,
    token: Arc<str>,
}

/// What one phase measured.
pub struct Stats {
    pub completed: usize,
    pub per_second: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
    /// Non-200 answers, GraphQL `errors` and transport failures.
    pub errors: usize,
}

impl Target {
    /// One client whose pool keeps up to `max_connections` keep-alive connections open.
    pub fn new(address: &str, token: &str, max_connections: usize) -> anyhow::Result<Self> {
        let client = reqwest::Client::builder()
            .pool_max_idle_per_host(max_connections)
            .timeout(REQUEST_TIMEOUT)
            .build()?;
        Ok(Self {
            client,
            url: format!("{address}/graphql").into(),
            token: token.into(),
        })
    }

    async fn send(&self, body: String) -> anyhow::Result<(u16, Vec<u8>)> {
        let response = self
            .client
            .post(&*self.url)
            .bearer_auth(&*self.token)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(body)
            .send()
            .await?;
        let status = response.status().as_u16();
        Ok((status, response.bytes().await?.to_vec()))
    }

    /// One request, untimed; fails on a non-200 answer or GraphQL `errors`, else the `data`.
    pub async fn query(&self, body: &Value) -> anyhow::Result<Value> {
        let (status, bytes) = self.send(body.to_string()).await?;
        check(status, &bytes)
    }

    /// Like [`Self::query`], with the size of the answer's body in bytes.
    pub async fn query_sized(&self, body: &Value) -> anyhow::Result<(Value, usize)> {
        let (status, bytes) = self.send(body.to_string()).await?;
        Ok((check(status, &bytes)?, bytes.len()))
    }

    /// Sends `body` over `connections` connections for `duration`, closed loop.
    pub async fn run(
        &self,
        body: &Value,
        connections: usize,
        duration: Duration,
    ) -> anyhow::Result<Stats> {
        let body = body.to_string();
        let started = Instant::now();
        let deadline = started + duration;
        let tasks: Vec<_> = (0..connections)
            .map(|_| tokio::spawn(self.clone().connection(body.clone(), deadline)))
            .collect();
        let mut latencies = Vec::new();
        let mut errors = 0;
        for task in tasks {
            let (ms, failed) = task.await??;
            latencies.extend(ms);
            errors += failed;
        }
        let elapsed = started.elapsed().as_secs_f64();
        latencies.sort_by(f64::total_cmp);
        let percentile = |p: f64| {
            let last = latencies.len().saturating_sub(1) as f64;
            latencies
                .get((last * p).round() as usize)
                .copied()
                .unwrap_or(f64::NAN)
        };
        Ok(Stats {
            completed: latencies.len(),
            per_second: latencies.len() as f64 / elapsed,
            p50_ms: percentile(0.5),
            p99_ms: percentile(0.99),
            max_ms: percentile(1.0),
            errors,
        })
    }

    /// One connection's loop: latencies in milliseconds and how many failed. The first answer
    /// is read in full and must be a clean GraphQL result, so a broken query stops the run.
    async fn connection(
        self,
        body: String,
        deadline: Instant,
    ) -> anyhow::Result<(Vec<f64>, usize)> {
        let mut latencies = Vec::new();
        let mut errors = 0;
        while Instant::now() < deadline {
            let sent = Instant::now();
            let answer = self.send(body.clone()).await;
            latencies.push(sent.elapsed().as_secs_f64() * 1000.0);
            match answer {
                Ok((status, bytes)) if latencies.len() == 1 => {
                    check(status, &bytes).context("first answer of the phase")?;
                }
                Ok((200, bytes)) if !contains(&bytes, b"\"errors\":") => {}
                _ => errors += 1,
            }
        }
        Ok((latencies, errors))
    }
}

/// The `data` of a clean answer, else an error with the answer's text.
fn check(status: u16, bytes: &[u8]) -> anyhow::Result<Value> {
    let text = String::from_utf8_lossy(bytes);
    let body: Value = serde_json::from_slice(bytes)
        .with_context(|| format!("HTTP {status}, not JSON: {text:.500}"))?;
    if status != 200 || body.get("errors").is_some() || body["data"].is_null() {
        anyhow::bail!("HTTP {status}: {text:.500}");
    }
    Ok(body["data"].clone())
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}
