//! `attest bundle NUMBER` and `attest verify FILE.attest.zip`: the bundle
//! written to a file (never half of one), and checked with every finding
//! printed.

use super::Limits;
use app::ssr::AppState;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// A file that starts like a ZIP archive (an auditor bundle).
pub fn is_zip(path: &Path) -> std::io::Result<bool> {
    use std::io::Read;
    let mut magic = [0u8; 4];
    let n = std::fs::File::open(path)?.read(&mut magic)?;
    Ok(n == 4 && magic == *b"PK\x03\x04")
}

/// Writes certificate `number`'s bundle to `out` (default
/// `NUMBER.attest.zip` here): beside its destination first, then renamed.
pub async fn write_file(
    state: &AppState,
    number: &str,
    out: Option<PathBuf>,
    limits: Limits,
) -> Result<ExitCode, BoxError> {
    let source = app::ssr::bundle::gather(state, None, number).await?;
    let locale = super::language_of(state, &source.number).await?;
    let out = out.unwrap_or_else(|| format!("{}.attest.zip", source.number).into());
    let dir = match out.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let mut tmp = tempfile::NamedTempFile::new_in(&dir)?;
    let manifest = super::write(&source, tmp.as_file_mut(), limits, locale)?;
    tmp.as_file().sync_all()?;
    tmp.persist(&out)?;
    let left_out = manifest
        .evidence
        .iter()
        .filter(|e| e.path.is_none())
        .count();
    println!(
        "wrote {}: {} files, {} evidence file(s) included, {left_out} named by digest only",
        out.display(),
        manifest.files.len() + 1,
        manifest.evidence.len() - left_out
    );
    Ok(ExitCode::SUCCESS)
}

/// `attest verify BUNDLE.zip [--key KEY]`: every check, then VALID or
/// INVALID (exit 1). `key`: hex, or a file holding it.
pub fn verify_file(path: &Path, key: Option<String>) -> Result<ExitCode, BoxError> {
    let key = match key {
        Some(k) if Path::new(&k).is_file() => Some(std::fs::read_to_string(k)?),
        other => other,
    };
    let findings = match super::verify(std::fs::File::open(path)?, key.as_deref()) {
        Ok(f) => f,
        Err(e) => {
            println!("INVALID: {e}");
            return Ok(ExitCode::from(1));
        }
    };
    for f in &findings {
        println!("{} {}", if f.ok { "ok  " } else { "FAIL" }, f.text);
    }
    let failed = findings.iter().filter(|f| !f.ok).count();
    if failed == 0 {
        println!("VALID bundle: {} checks hold", findings.len());
        Ok(ExitCode::SUCCESS)
    } else {
        println!(
            "INVALID bundle: {failed} of {} checks failed",
            findings.len()
        );
        Ok(ExitCode::from(1))
    }
}
