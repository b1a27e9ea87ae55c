//! Helpers: start a simulator, log in through the OAuth flow, call the partner API, make images.

use std::io::Cursor;

use hanet_sim::{SimConfig, Simulator};
use reqwest::multipart;
use serde_json::Value;

pub struct Session {
    pub sim: Simulator,
    pub http: reqwest::Client,
    pub token: String,
    pub refresh_token: String,
}

pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

pub async fn start(config: SimConfig) -> Simulator {
    Simulator::start(config).await.unwrap()
}

pub const REDIRECT: &str = "https://hr.example/hanet/callback";

/// Runs `/oauth2/authorize` and returns the code from the redirect.
pub async fn authorize(sim: &Simulator, http: &reqwest::Client, state: &str) -> String {
    let resp = http
        .get(format!("{}/oauth2/authorize", sim.base_url()))
        .query(&[
            ("response_type", "code"),
            ("client_id", sim.client_id()),
            ("redirect_uri", REDIRECT),
            ("scope", "full"),
            ("state", state),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 302);
    let location = resp.headers()["location"].to_str().unwrap().to_owned();
    let url = reqwest::Url::parse(&location).unwrap();
    assert!(location.starts_with(REDIRECT), "{location}");
    let q: std::collections::HashMap<_, _> = url.query_pairs().into_owned().collect();
    assert_eq!(q.get("state").map(String::as_str), Some(state));
    q["code"].clone()
}

/// POSTs a urlencoded form to `/token`; returns (status, body).
pub async fn token_call(
    sim: &Simulator,
    http: &reqwest::Client,
    form: &[(&str, &str)],
) -> (u16, Value) {
    let resp = http
        .post(format!("{}/token", sim.base_url()))
        .form(form)
        .send()
        .await
        .unwrap();
    let status = resp.status().as_u16();
    (status, resp.json().await.unwrap())
}

pub async fn exchange_code(sim: &Simulator, http: &reqwest::Client, code: &str) -> (u16, Value) {
    let (id, secret) = (sim.client_id().to_owned(), sim.client_secret().to_owned());
    token_call(
        sim,
        http,
        &[
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", REDIRECT),
            ("client_id", &id),
            ("client_secret", &secret),
        ],
    )
    .await
}

pub async fn refresh(sim: &Simulator, http: &reqwest::Client, refresh_token: &str) -> (u16, Value) {
    let (id, secret) = (sim.client_id().to_owned(), sim.client_secret().to_owned());
    token_call(
        sim,
        http,
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh_token),
            ("client_id", &id),
            ("client_secret", &secret),
        ],
    )
    .await
}

/// Starts a simulator and logs in as the default account.
pub async fn session(config: SimConfig) -> Session {
    let sim = start(config).await;
    let http = client();
    let code = authorize(&sim, &http, "st").await;
    let (status, body) = exchange_code(&sim, &http, &code).await;
    assert_eq!(status, 200, "{body}");
    Session {
        token: body["access_token"].as_str().unwrap().to_owned(),
        refresh_token: body["refresh_token"].as_str().unwrap().to_owned(),
        sim,
        http,
    }
}

/// A raw partner call (urlencoded); returns (status, body text).
pub async fn raw(s: &Session, path: &str, form: &[(&str, &str)]) -> (u16, String) {
    let resp = s
        .http
        .post(format!("{}{path}", s.sim.base_url()))
        .form(form)
        .send()
        .await
        .unwrap();
    (resp.status().as_u16(), resp.text().await.unwrap())
}

impl Session {
    /// A partner call with `token` added (`access_token` under /partner/); (status, JSON).
    pub async fn call(&self, path: &str, fields: &[(&str, &str)]) -> (u16, Value) {
        let key = if path.starts_with("/partner/") {
            "access_token"
        } else {
            "token"
        };
        let mut form = vec![(key, self.token.as_str())];
        form.extend_from_slice(fields);
        let (status, text) = raw(self, path, &form).await;
        (
            status,
            serde_json::from_str(&text).unwrap_or(Value::String(text)),
        )
    }

    /// The `data` of a call that must succeed.
    pub async fn ok(&self, path: &str, fields: &[(&str, &str)]) -> Value {
        let (status, body) = self.call(path, fields).await;
        assert_eq!(
            (status, &body["returnCode"]),
            (200, &Value::from(1)),
            "{path}: {body}"
        );
        body["data"].clone()
    }

    /// The returnCode of a call answered HTTP 200.
    pub async fn code(&self, path: &str, fields: &[(&str, &str)]) -> i64 {
        let (status, body) = self.call(path, fields).await;
        assert_eq!(status, 200, "{path}: {body}");
        body["returnCode"].as_i64().unwrap()
    }

    /// A multipart call with an optional file part; (status, JSON or text).
    pub async fn upload(
        &self,
        path: &str,
        fields: &[(&str, &str)],
        file: Option<(&str, Vec<u8>)>,
    ) -> (u16, Value) {
        let mut form = multipart::Form::new().text("token", self.token.clone());
        for (k, v) in fields {
            form = form.text(k.to_string(), v.to_string());
        }
        if let Some((key, bytes)) = file {
            let part = multipart::Part::bytes(bytes).file_name("face.jpg");
            form = form.part(key.to_owned(), part);
        }
        let resp = self
            .http
            .post(format!("{}{path}", self.sim.base_url()))
            .multipart(form)
            .send()
            .await
            .unwrap();
        let status = resp.status().as_u16();
        let text = resp.text().await.unwrap();
        (
            status,
            serde_json::from_str(&text).unwrap_or(Value::String(text)),
        )
    }

    /// Registers in place 1001; returns the whole JSON body.
    pub async fn register(&self, name: &str, alias: &str, face: Vec<u8>) -> Value {
        self.register_in("1001", name, alias, face).await
    }

    pub async fn register_in(&self, place: &str, name: &str, alias: &str, face: Vec<u8>) -> Value {
        let fields = [
            ("name", name),
            ("placeID", place),
            ("aliasID", alias),
            ("title", "Engineer"),
            ("type", "0"),
        ];
        let (status, body) = self
            .upload("/person/register", &fields, Some(("file", face)))
            .await;
        assert_eq!(status, 200, "{body}");
        body
    }
}

/// A PNG of `w`×`h` whose pixels depend on `seed` (different seeds → different bytes).
pub fn png(w: u32, h: u32, seed: u8) -> Vec<u8> {
    let img = image::RgbImage::from_fn(w, h, |x, y| {
        image::Rgb([seed, (x % 256) as u8, (y % 256) as u8])
    });
    let mut out = Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png).unwrap();
    out.into_inner()
}

/// A JPEG of `w`×`h` whose pixels depend on `seed`.
pub fn jpeg(w: u32, h: u32, seed: u8) -> Vec<u8> {
    let img = image::RgbImage::from_fn(w, h, |x, y| {
        image::Rgb([seed, (y % 256) as u8, (x % 256) as u8])
    });
    let mut out = Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Jpeg).unwrap();
    out.into_inner()
}
