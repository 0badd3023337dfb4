//! The auditor bundle as a file: one ZIP a reader can check and read without
//! the server. `GET /api/v1/certificates/{number}/bundle` and `attest bundle
//! NUMBER` write it ([`write`]); `attest verify FILE.zip` checks it
//! ([`verify`]). What it holds:
//!
//! | path | what |
//! |---|---|
//! | `certificate.json` | the signed certificate (as `attest verify CERT.json` reads it) |
//! | `keys/ed25519-{kid}.pub` | the public key it was signed with |
//! | `evidence/{id}-{name}` | every evidence file it cites, up to [`Limits`] |
//! | `signoffs.json` | every sign-off row of the milestone |
//! | `audit-events.json` | the milestone's audit events with their chain hashes |
//! | `index.html` | all of it for a reader, self-contained (no scripts, no server) |
//! | `bundle.json` | the manifest, written last: format, SHA-256 and size of every file, each cited evidence file's path or why it was left out |
//!
//! The manifest is not signed: it only finds damage in transit. What makes a
//! bundle trustworthy is the signed certificate, which cites every evidence
//! file's SHA-256, every sign-off and the audit chain's head (see
//! `app::ssr::bundle`).

use app::error::AppError;
use app::i18n::Locale;
use app::ssr::bundle::{self as rules, BundleSource, EventRow, EvidenceFound, Finding, SignoffRow};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::io::{Read, Seek, Write};
use zip::write::SimpleFileOptions;

mod cli;
mod page;
pub use cli::{is_zip, verify_file, write_file};

/// How much evidence goes into a bundle: files larger than `max_file`, and
/// files that would take the bundle's evidence past `max_total`, are named by
/// their SHA-256 only.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    pub max_file: u64,
    pub max_total: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_file: 32 * 1024 * 1024,
            max_total: 128 * 1024 * 1024,
        }
    }
}

/// The manifest (`bundle.json`).
#[derive(Debug, Serialize, Deserialize)]
pub struct Manifest {
    pub format: String,
    pub certificate: String,
    pub created_at: String,
    pub files: Vec<FileEntry>,
    pub evidence: Vec<EvidenceEntry>,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct FileEntry {
    pub path: String,
    pub sha256: String,
    pub size: u64,
}

/// A cited evidence file: where it is in the bundle, or why it is not.
#[derive(Debug, Serialize, Deserialize)]
pub struct EvidenceEntry {
    pub id: i64,
    pub sha256: String,
    pub size: u64,
    pub path: Option<String>,
    pub left_out: Option<String>,
}

/// The language certificate `number` was issued in: its bundle's page reads
/// in it unless asked otherwise.
pub async fn language_of(state: &app::ssr::AppState, number: &str) -> Result<Locale, AppError> {
    let tag: String = sqlx::query_scalar("select language from certificates where number = $1")
        .bind(number)
        .fetch_one(&state.pool)
        .await?;
    Ok(app::i18n::from_tag(&tag).unwrap_or_default())
}

/// Writes `source` as a bundle, its page (`index.html`) in `locale`.
/// Evidence files are read from the blob store and hashed as they are
/// copied: a stored file that no longer matches its SHA-256 stops the bundle
/// (503 naming it; `attest fsck` finds the rest).
pub fn write<W: Write + Seek>(
    source: &BundleSource,
    out: W,
    limits: Limits,
    locale: Locale,
) -> Result<Manifest, AppError> {
    let mut zip = zip::ZipWriter::new(out);
    let mut files = Vec::new();
    let io = |e: std::io::Error| {
        tracing::error!(error = %e, "writing a bundle");
        AppError::Internal
    };
    let mut put = |zip: &mut zip::ZipWriter<W>, path: &str, bytes: &mut dyn Read| {
        zip.start_file(path, options()).map_err(zip_error)?;
        let mut hashing = Hashing::new(&mut *zip);
        std::io::copy(bytes, &mut hashing).map_err(io)?;
        let (sha256, size) = hashing.done();
        files.push(FileEntry {
            path: path.to_string(),
            sha256: sha256.clone(),
            size,
        });
        Ok::<_, AppError>((sha256, size))
    };

    put(
        &mut zip,
        "certificate.json",
        &mut pretty(&source.document)?.as_slice(),
    )?;
    let kid = source.document["key_id"].as_str().unwrap_or_default();
    if let Some(key) = source.document["public_key"].as_str() {
        put(
            &mut zip,
            &format!("keys/ed25519-{kid}.pub"),
            &mut format!("{key}\n").as_bytes(),
        )?;
    }
    let mut evidence = Vec::new();
    let mut total = 0u64;
    for e in &source.evidence {
        let size = e.fact.size_bytes.max(0) as u64;
        let left_out = if size > limits.max_file {
            Some(format!(
                "larger than {} (the bundle's limit per file)",
                app::ssr::blobs::human_size(limits.max_file)
            ))
        } else if total + size > limits.max_total {
            Some(format!(
                "the bundle already holds {} of evidence (its limit is {})",
                app::ssr::blobs::human_size(total),
                app::ssr::blobs::human_size(limits.max_total)
            ))
        } else {
            None
        };
        let path = match left_out {
            Some(_) => None,
            None => {
                let path = format!("evidence/{}-{}", e.fact.id, safe_name(&e.fact.name));
                let mut file =
                    std::fs::File::open(&**e.path).map_err(|err| damaged(e, &err.to_string()))?;
                let (sha256, written) = put(&mut zip, &path, &mut file)?;
                if sha256 != e.fact.sha256 || written != size {
                    return Err(damaged(
                        e,
                        &app::t!(certificate.errors.bundle_rehashed, sha256, bytes = written),
                    ));
                }
                total += size;
                Some(path)
            }
        };
        evidence.push(EvidenceEntry {
            id: e.fact.id,
            sha256: e.fact.sha256.clone(),
            size,
            path,
            left_out,
        });
    }
    put(
        &mut zip,
        "signoffs.json",
        &mut pretty(&source.signoffs)?.as_slice(),
    )?;
    put(
        &mut zip,
        "audit-events.json",
        &mut pretty(&source.events)?.as_slice(),
    )?;
    let page = page::html(source, &evidence, locale);
    put(&mut zip, "index.html", &mut page.as_bytes())?;

    let manifest = Manifest {
        format: rules::FORMAT.to_string(),
        certificate: source.number.clone(),
        created_at: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        files,
        evidence,
    };
    zip.start_file("bundle.json", options())
        .map_err(zip_error)?;
    zip.write_all(&pretty(&manifest)?).map_err(io)?;
    zip.finish().map_err(zip_error)?;
    Ok(manifest)
}

fn options() -> SimpleFileOptions {
    SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .unix_permissions(0o644)
}

fn zip_error(e: zip::result::ZipError) -> AppError {
    tracing::error!(error = %e, "writing a bundle");
    AppError::Internal
}

fn pretty<T: Serialize>(value: &T) -> Result<Vec<u8>, AppError> {
    serde_json::to_vec_pretty(value).map_err(|e| {
        tracing::error!(error = %e, "bundle JSON");
        AppError::Internal
    })
}

fn damaged(e: &rules::EvidenceSource, why: &str) -> AppError {
    tracing::error!(evidence = e.fact.id, path = %e.path.display(), why, "evidence file damaged");
    AppError::Unavailable(app::t!(
        certificate.errors.bundle_damaged,
        id = e.fact.id,
        name = &e.fact.name,
        path = e.path.display(),
        why
    ))
}

/// A file name that is one plain path segment on every system.
fn safe_name(name: &str) -> String {
    let cleaned: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') {
                c
            } else {
                '_'
            }
        })
        .take(100)
        .collect();
    match cleaned.trim_start_matches('.') {
        "" => "file".to_string(),
        rest => rest.to_string(),
    }
}

/// A writer that hashes and counts what passes through it.
struct Hashing<W> {
    inner: W,
    hasher: Sha256,
    size: u64,
}

impl<W: Write> Hashing<W> {
    fn new(inner: W) -> Self {
        Hashing {
            inner,
            hasher: Sha256::new(),
            size: 0,
        }
    }
    fn done(self) -> (String, u64) {
        (hex::encode(self.hasher.finalize()), self.size)
    }
}

impl<W: Write> Write for Hashing<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hasher.update(&buf[..n]);
        self.size += n as u64;
        Ok(n)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

/// The largest JSON part a bundle may have (certificate, rows, manifest).
const MAX_JSON: u64 = 256 * 1024 * 1024;

/// Checks a bundle offline: every file against the manifest, then the
/// contents against the signed certificate ([`rules::check`]). `key`: a
/// public key the reader trusts (hex). `Err` when the file is not a bundle
/// at all; otherwise every finding, good and bad.
pub fn verify<R: Read + Seek>(reader: R, key: Option<&str>) -> Result<Vec<Finding>, String> {
    let mut zip = zip::ZipArchive::new(reader).map_err(|e| format!("not a ZIP file: {e}"))?;
    let manifest: Manifest = serde_json::from_slice(&read_part(&mut zip, "bundle.json")?)
        .map_err(|e| format!("bundle.json is not a bundle manifest: {e}"))?;
    if manifest.format != rules::FORMAT {
        return Err(format!(
            "bundle.json has format {:?}, not {}",
            manifest.format,
            rules::FORMAT
        ));
    }
    let mut out = Vec::new();
    let mut actual = std::collections::HashMap::new();
    let mut damaged = Vec::new();
    for f in &manifest.files {
        match hash_part(&mut zip, &f.path) {
            Ok((sha256, size)) => {
                if sha256 != f.sha256 || size != f.size {
                    damaged.push(format!(
                        "{} hashes to {sha256} ({size} bytes), the manifest says {} ({} bytes)",
                        f.path, f.sha256, f.size
                    ));
                }
                actual.insert(f.path.clone(), (sha256, size));
            }
            Err(e) => damaged.push(e),
        }
    }
    let listed: std::collections::HashSet<&str> =
        manifest.files.iter().map(|f| f.path.as_str()).collect();
    for name in zip.file_names() {
        let name = name.map_err(|e| format!("a file name in the ZIP cannot be read: {e}"))?;
        if name != "bundle.json" && !listed.contains(name.as_ref()) {
            damaged.push(format!("{name} is in the bundle but not in its manifest"));
        }
    }
    out.push(if damaged.is_empty() {
        Finding {
            ok: true,
            text: format!(
                "manifest: {} files, each with the SHA-256 and size it lists",
                manifest.files.len()
            ),
        }
    } else {
        Finding {
            ok: false,
            text: format!("manifest: {}", damaged.join("; ")),
        }
    });

    let document: serde_json::Value =
        serde_json::from_slice(&read_part(&mut zip, "certificate.json")?)
            .map_err(|e| format!("certificate.json is not JSON: {e}"))?;
    if let Some(embedded) = document["public_key"].as_str() {
        let kid = document["key_id"].as_str().unwrap_or_default();
        let path = format!("keys/ed25519-{kid}.pub");
        match read_part(&mut zip, &path) {
            Ok(bytes) if String::from_utf8_lossy(&bytes).trim() == embedded.trim() => {}
            Ok(_) => out.push(Finding {
                ok: false,
                text: format!("{path} is not the key the certificate carries"),
            }),
            Err(e) => out.push(Finding { ok: false, text: e }),
        }
    }
    let signoffs: Vec<SignoffRow> = serde_json::from_slice(&read_part(&mut zip, "signoffs.json")?)
        .map_err(|e| format!("signoffs.json: {e}"))?;
    let events: Vec<EventRow> = serde_json::from_slice(&read_part(&mut zip, "audit-events.json")?)
        .map_err(|e| format!("audit-events.json: {e}"))?;
    let found = |id: i64| match manifest.evidence.iter().find(|e| e.id == id) {
        None => EvidenceFound::Missing,
        Some(e) => match &e.path {
            Some(path) => match actual.get(path) {
                Some((sha256, size)) => EvidenceFound::File {
                    sha256: sha256.clone(),
                    size: *size,
                },
                None => EvidenceFound::Missing,
            },
            None => EvidenceFound::DigestOnly {
                sha256: e.sha256.clone(),
                size: e.size,
            },
        },
    };
    out.extend(rules::check(&document, key, &found, &signoffs, &events));
    Ok(out)
}

fn read_part<R: Read + Seek>(zip: &mut zip::ZipArchive<R>, name: &str) -> Result<Vec<u8>, String> {
    let part = zip
        .by_name(name)
        .map_err(|_| format!("{name} is not in the bundle"))?;
    let mut bytes = Vec::new();
    part.take(MAX_JSON + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("{name} cannot be read: {e}"))?;
    if bytes.len() as u64 > MAX_JSON {
        return Err(format!("{name} is larger than {MAX_JSON} bytes"));
    }
    Ok(bytes)
}

fn hash_part<R: Read + Seek>(
    zip: &mut zip::ZipArchive<R>,
    name: &str,
) -> Result<(String, u64), String> {
    let mut part = zip
        .by_name(name)
        .map_err(|_| format!("{name} is listed in the manifest but not in the bundle"))?;
    let mut hashing = Hashing::new(std::io::sink());
    std::io::copy(&mut part, &mut hashing).map_err(|e| format!("{name} cannot be read: {e}"))?;
    Ok(hashing.done())
}

#[cfg(test)]
mod tests {
    use super::safe_name;

    #[test]
    fn evidence_names_become_one_plain_path_segment() {
        assert_eq!(safe_name("junit.xml"), "junit.xml");
        assert_eq!(safe_name("../../etc/passwd"), "_.._etc_passwd");
        assert_eq!(safe_name(".."), "file");
        assert_eq!(safe_name("报告 1.xml"), "___1.xml");
        assert_eq!(safe_name(&"a".repeat(300)).len(), 100);
    }
}
