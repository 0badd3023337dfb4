//! What a report says it is about ([`ReportSubject`]): plain data (it builds
//! for wasm32), so the app can show it and cross-check it against the
//! release a milestone certifies. The parsers fill it in from the file's own
//! content only; which fields each format reads is in the crate README,
//! "What a report is about".

/// What a report says it is about, when it names it: the image a scanner
/// scanned, the component an SBOM describes, the commit a test run names.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReportSubject {
    /// What the report calls it, as written: Trivy's `ArtifactName`, Grype's `source.target.userInput`, the SBOM component's `name@version` (or `name` alone).
    pub name: String,
    /// Every SHA-256 digest the report gives for that subject, normalised to `sha256:` + 64 lowercase hex, deduplicated, sorted: image IDs, manifest digests, repo digests (`repo@sha256:…` → the digest part), SBOM component hashes with alg SHA-256 / SPDX checksum algorithm SHA256.
    pub digests: Vec<String>,
    /// A VCS commit the report names for its subject (7–64 hex, lowercased), if any.
    pub commit: Option<String>,
}
