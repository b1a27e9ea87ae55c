//! Following an authorization URL the way a browser would, stopping at Hanet's redirect back to
//! us: the code and state it carries. For the demo, the tests and the benchmarks, where the
//! simulator approves at once; an admin's browser does this with a real Hanet.

use anyhow::Context;

/// Opens the authorization URL without following Hanet's redirect; returns the code and state
/// it carries back.
pub async fn approve(authorization_url: &str) -> anyhow::Result<(String, String)> {
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()?;
    let response = client.get(authorization_url).send().await?;
    let location = response
        .headers()
        .get(reqwest::header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .context("Hanet did not redirect back")?;
    let url = reqwest::Url::parse(location)?;
    let param = |name: &str| {
        url.query_pairs()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.into_owned())
            .with_context(|| format!("Hanet's redirect has no {name}"))
    };
    Ok((param("code")?, param("state")?))
}
