//! Secrets generated on first start and kept in the data directory (owner-only files).

use anyhow::Context;

use super::Settings;

/// Reads the secret kept in `<data dir>/<name>`, generating it on first use (owner-only file).
pub fn persistent_secret(settings: &Settings, name: &str) -> anyhow::Result<String> {
    use rand::RngCore;
    settings.ensure_data_dir()?;
    let path = settings.data_dir.join(name);
    match std::fs::read_to_string(&path) {
        Ok(s) if !s.trim().is_empty() => return Ok(s.trim().to_owned()),
        Ok(_) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(e).with_context(|| format!("reading {}", path.display())),
    }
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    let secret = hex::encode(bytes);
    write_private(&path, &secret).with_context(|| format!("writing {}", path.display()))?;
    // Re-read: if another process won the race to create it, its secret is the one kept.
    let kept =
        std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
    Ok(kept.trim().to_owned())
}

fn write_private(path: &std::path::Path, contents: &str) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    match options.open(path) {
        Ok(mut file) => file.write_all(contents.as_bytes()),
        // Another process created it first: theirs wins.
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(e),
    }
}
