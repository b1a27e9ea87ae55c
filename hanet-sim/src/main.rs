//! `hanet-sim`: run the Hanet simulator from the command line.

use std::net::SocketAddr;
use std::time::Duration;

use clap::Parser;
use hanet_sim::{CheckinSeed, SimConfig, Simulator};
use rand::Rng;
use rand::seq::IndexedRandom;

const AFTER_HELP: &str = "\
WHAT IT SERVES (all on one port)
  GET  /oauth2/authorize   auto-approves as owner@hanet.sim (or ?login_hint=EMAIL) and redirects
                           to redirect_uri?code=…&state=…
  POST /token              grant_type=authorization_code | refresh_token (form body)
  POST /profile/…, /place/…, /device/…, /person/…, /partner/…   the partner API
Seeded account: owner@hanet.sim with places 1001 \"Head office\" (devices C20371B106, C20371B107)
and 1002 \"Warehouse\" (device C21283M316), all online.

Point the service at it with HANET_API_URL=http://127.0.0.1:PORT and
HANET_OAUTH_URL=http://127.0.0.1:PORT, and the same client id and secret.

CONTROL ENDPOINTS (JSON in and out; change faults while it runs)
  GET  /_sim/state                       persons per place, devices, call counters, faults
  GET  /_sim/faults                      current faults
  POST /_sim/faults                      {\"latency_ms\":500, \"http_5xx_rate\":0.1,
                                          \"lost_response_rate\":0.05, \"rate_limit_per_second\":5,
                                          \"token_expired_as_http_401\":true}  (only given keys change;
                                          rate_limit_per_second null = off)
  POST /_sim/faults/reset                clear every fault
  POST /_sim/fail-next                   {\"path\":\"/person/register\",\"return_code\":-9006,\"times\":1}
  POST /_sim/expire-tokens               every access token now answers -103
  POST /_sim/devices/C20371B106/online   {\"online\":false}  (register then answers -101)
  POST /_sim/persons                     {\"place_id\":1001,\"name\":\"Created in app\",\"alias_id\":null}
  POST /_sim/checkins                    {\"place_id\":1001,\"device_id\":\"C20371B106\",\"alias_id\":\"E001\",
                                          \"person_type\":0}  (stores it and posts the webhook;
                                          \"emit\":false only stores it)
  POST /_sim/webhook-url                 {\"url\":\"http://127.0.0.1:8080/hanet/webhook\",\"probe\":true}
  POST /_sim/webhook-probe               empty-body POST to the webhook URL

EXAMPLES
  hanet-sim --port 9100
  hanet-sim --port 9100 --webhook-url http://127.0.0.1:8080/hanet/webhook --checkin-rate 0.5
  hanet-sim --latency-ms 800 --http-5xx-rate 0.1 --lost-response-rate 0.05 --rate-limit 30
  curl -X POST localhost:9100/_sim/faults -H 'content-type: application/json' -d '{\"http_5xx_rate\":0.5}'";

/// A faithful in-memory simulator of Hanet's OAuth server and partner API, with fault injection.
#[derive(Debug, Parser)]
#[command(name = "hanet-sim", version, after_help = AFTER_HELP)]
struct Args {
    /// TCP port to listen on (0 picks a free one).
    #[arg(long, env = "HANET_SIM_PORT", default_value_t = 9100)]
    port: u16,

    /// Address to listen on.
    #[arg(long, env = "HANET_SIM_HOST", default_value = "127.0.0.1")]
    host: std::net::IpAddr,

    /// OAuth client id of the simulated Hanet app.
    #[arg(long, env = "HANET_SIM_CLIENT_ID", default_value = "sim-client-id")]
    client_id: String,

    /// OAuth client secret; also the key of the webhook hash (md5(secret + id)).
    #[arg(
        long,
        env = "HANET_SIM_CLIENT_SECRET",
        default_value = "sim-client-secret"
    )]
    client_secret: String,

    /// Where check-in webhooks are posted.
    #[arg(long, env = "HANET_SIM_WEBHOOK_URL")]
    webhook_url: Option<String>,

    /// Delay added to every partner API response, in milliseconds.
    #[arg(long, env = "HANET_SIM_LATENCY_MS", default_value_t = 0)]
    latency_ms: u64,

    /// Fraction (0..1) of partner API calls answered HTTP 503 with an HTML page, not applied.
    #[arg(long, env = "HANET_SIM_HTTP_5XX_RATE", default_value_t = 0.0)]
    http_5xx_rate: f64,

    /// Fraction (0..1) of partner API calls that are applied but answered HTTP 504 (lost response).
    #[arg(long, env = "HANET_SIM_LOST_RESPONSE_RATE", default_value_t = 0.0)]
    lost_response_rate: f64,

    /// Requests per second allowed per access token; beyond it HTTP 429 (returnCode -429).
    #[arg(long, env = "HANET_SIM_RATE_LIMIT")]
    rate_limit: Option<u32>,

    /// Answer unknown/expired tokens with HTTP 401 {returnCode:401} instead of HTTP 200 -103.
    #[arg(long, env = "HANET_SIM_TOKEN_EXPIRED_AS_HTTP_401")]
    token_expired_as_http_401: bool,

    /// Random check-ins per second posted to the webhook URL, for the employees registered in
    /// the default account's places (nothing is sent until an employee exists).
    #[arg(long, env = "HANET_SIM_CHECKIN_RATE", default_value_t = 0.0)]
    checkin_rate: f64,

    /// Lifetime of issued tokens, in seconds (Hanet: about a year).
    #[arg(long, env = "HANET_SIM_TOKEN_LIFETIME_SECS", default_value_t = 365 * 24 * 3600)]
    token_lifetime_secs: i64,

    /// Keep old refresh tokens valid after use (by default one refresh invalidates the old one).
    #[arg(long, env = "HANET_SIM_REUSABLE_REFRESH_TOKENS")]
    reusable_refresh_tokens: bool,

    /// Persons allowed per place before /person/register answers -9008.
    #[arg(long, env = "HANET_SIM_FACE_QUOTA", default_value_t = 10_000)]
    face_quota: usize,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .init();
    let args = Args::parse();
    for (name, rate) in [
        ("--http-5xx-rate", args.http_5xx_rate),
        ("--lost-response-rate", args.lost_response_rate),
    ] {
        anyhow::ensure!(
            (0.0..=1.0).contains(&rate),
            "{name} must be between 0 and 1"
        );
    }
    let config = SimConfig {
        client_id: args.client_id.clone(),
        client_secret: args.client_secret.clone(),
        token_lifetime_secs: args.token_lifetime_secs,
        one_shot_refresh_tokens: !args.reusable_refresh_tokens,
        face_quota_per_place: args.face_quota,
        webhook_url: args.webhook_url.clone(),
        bind: SocketAddr::new(args.host, args.port),
        ..SimConfig::default()
    };
    let sim = Simulator::start(config).await?;
    let faults = sim.faults();
    faults.set_latency(Duration::from_millis(args.latency_ms));
    faults.set_http_5xx_rate(args.http_5xx_rate);
    faults.set_lost_response_rate(args.lost_response_rate);
    faults.set_rate_limit(args.rate_limit);
    faults.set_token_expired_as_http_401(args.token_expired_as_http_401);

    println!("hanet-sim listening on {}", sim.base_url());
    println!(
        "  client_id={} client_secret={}",
        sim.client_id(),
        sim.client_secret()
    );
    println!(
        "  state: {}/_sim/state   (see --help for the control endpoints)",
        sim.base_url()
    );

    if args.checkin_rate > 0.0 {
        tokio::spawn(checkin_loop(sim.clone(), args.checkin_rate));
    }
    tokio::signal::ctrl_c().await?;
    sim.shutdown().await;
    Ok(())
}

/// Posts random check-ins of registered employees, `rate` per second on average.
async fn checkin_loop(sim: Simulator, rate: f64) {
    let period = Duration::from_secs_f64(1.0 / rate);
    let mut ticker = tokio::time::interval(period);
    loop {
        ticker.tick().await;
        let seed = {
            let employees = sim.default_account_employees();
            let mut rng = rand::rng();
            let Some((place_id, devices, person)) = employees.choose(&mut rng) else {
                tracing::debug!("no employees registered yet; no check-in sent");
                continue;
            };
            let Some(device) = devices.choose(&mut rng) else {
                continue;
            };
            CheckinSeed {
                place_id: *place_id,
                device_id: device.clone(),
                alias_id: Some(person.alias_id.clone()).filter(|a| !a.is_empty()),
                person_id: Some(person.person_id.clone()),
                person_name: person.name.clone(),
                person_type: 0,
                time_ms: chrono::Utc::now().timestamp_millis() - rng.random_range(0..2000),
                event_id: None,
            }
        };
        match sim.emit_checkin(seed).await {
            Ok(status) => tracing::info!(webhook.status = status, "check-in posted"),
            Err(e) => tracing::warn!(error = %format!("{e:#}"), "check-in not delivered"),
        }
    }
}
