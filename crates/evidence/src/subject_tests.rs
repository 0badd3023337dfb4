//! What the real reports in ../shared/fixtures say they are about: the
//! subject read from each, with the values as written in the files. Without
//! the fixtures it skips with a notice, or fails in CI (see
//! [`crate::fixtures`]), as the conformance test does.

use crate::fixtures;
use crate::metrics::EvidenceKind;
use crate::{parse_path, parse_path_detailed, ReportSubject};

/// The subject of a fixture read as `kind`; None when the fixtures are absent.
fn subject(file: &str, kind: EvidenceKind) -> Option<Option<ReportSubject>> {
    let (dir, _) = fixtures::answer_key("subject")?;
    let parsed = parse_path(&dir.join(file), Some(kind)).unwrap_or_else(|e| panic!("{file}: {e}"));
    Some(parsed.subject)
}

fn named(name: &str, digests: &[&str], commit: Option<&str>) -> Option<ReportSubject> {
    Some(ReportSubject {
        name: name.to_string(),
        digests: digests.iter().map(|d| d.to_string()).collect(),
        commit: commit.map(str::to_string),
    })
}

#[test]
fn trivy_fixtures_name_the_artifact_and_the_image_id_but_not_its_layers() {
    let Some(alpine) = subject(
        "trivy-json/trivy__alpine-310.json.golden",
        EvidenceKind::Trivy,
    ) else {
        return;
    };
    // DiffIDs (sha256:03901b4a…) are the image's layers, not the image
    assert_eq!(
        alpine,
        named(
            "testdata/fixtures/images/alpine-310.tar.gz",
            &["sha256:961769676411f082461f9ef46626dd7a2d1e2b2a38e6a44364bcbecf51e66dd4"],
            None
        )
    );
    assert_eq!(
        subject(
            "trivy-json/trivy__centos-7.json.golden",
            EvidenceKind::Trivy
        )
        .flatten(),
        named(
            "testdata/fixtures/images/centos-7.tar.gz",
            &["sha256:f1cb7c7d58b73eac859c395882eec49d50651244e342cd6c68a5c7809785f427"],
            None
        )
    );
    assert_eq!(
        subject("trivy-json/trivy__npm.json.golden", EvidenceKind::Trivy).flatten(),
        named("testdata/fixtures/repo/npm", &[], None)
    );
    assert_eq!(
        subject("trivy-json/trivy__secrets.json.golden", EvidenceKind::Trivy).flatten(),
        named("testdata/fixtures/repo/secrets", &[], None)
    );
}

#[test]
fn grype_fixtures_name_the_image_input_with_its_digests_or_the_scanned_path() {
    let Some(image) = subject(
        "grype-json/grype__TestJsonImgsPresenter.golden",
        EvidenceKind::Grype,
    ) else {
        return;
    };
    // imageID and manifestDigest; repoDigests is empty, layer digests are not read
    assert_eq!(
        image,
        named(
            "user-input",
            &[
                "sha256:ab5608d634db2716a297adbfa6a5dd5d8f8f5a7d0cab73649ea7fbb8c8da544f",
                "sha256:ca738abb87a8d58f112d3400ebb079b61ceae7dc290beb34bda735be4b1941d5",
            ],
            None
        )
    );
    assert_eq!(
        subject(
            "grype-json/grype__TestJsonDirsPresenter.golden",
            EvidenceKind::Grype
        )
        .flatten(),
        named("/some/path", &[], None)
    );
}

#[test]
fn cyclonedx_fixtures_name_the_metadata_component_as_name_at_version() {
    let Some(composer) = subject(
        "cyclonedx/bom-examples__bom.1.4.json",
        EvidenceKind::Cyclonedx,
    ) else {
        return;
    };
    assert_eq!(
        composer,
        named("cyclonedx-php-composer-demo@dev-master", &[], None)
    );
    assert_eq!(
        subject("cyclonedx/bom-examples__bom.json", EvidenceKind::Cyclonedx).flatten(),
        named("lhc-vdm-editor@0.0.1", &[], None)
    );
    // Trivy's component has no version
    assert_eq!(
        subject(
            "cyclonedx/trivy__npm-cyclonedx.json.golden",
            EvidenceKind::Cyclonedx
        )
        .flatten(),
        named("testdata/fixtures/repo/npm", &[], None)
    );
}

#[test]
fn spdx_fixtures_name_the_package_the_document_describes() {
    // documentDescribes; its only checksum is SHA1, so no digest
    let Some(maven) = subject(
        "spdx/spdx-examples__examplemaven-0.0.1.spdx.json",
        EvidenceKind::Spdx,
    ) else {
        return;
    };
    assert_eq!(maven, named("examplemaven@0.0.1", &[], None));
    // documentDescribes names the package first, then a file
    assert_eq!(
        subject("spdx/spdx-examples__sbom.spdx.json", EvidenceKind::Spdx).flatten(),
        named("hello-server-src@0.1.0", &[], None)
    );
    // no documentDescribes: a DESCRIBES relationship from SPDXRef-DOCUMENT
    assert_eq!(
        subject("spdx/trivy__conda-spdx.json.golden", EvidenceKind::Spdx).flatten(),
        named("testdata/fixtures/repo/conda", &[], None)
    );
}

#[test]
fn no_other_fixture_names_a_subject_and_the_drill_down_reads_the_same_one() {
    let Some((dir, key)) = fixtures::answer_key("subject") else {
        return;
    };
    let mut wrong = Vec::new();
    for (file, want) in &key {
        let kind = want["kind"]
            .as_str()
            .and_then(EvidenceKind::parse)
            .expect("kind in answer key");
        let path = dir.join(file);
        let plain = parse_path(&path, Some(kind)).unwrap_or_else(|e| panic!("{file}: {e}"));
        let (detailed, _) =
            parse_path_detailed(&path, kind).unwrap_or_else(|e| panic!("{file}: {e}"));
        if detailed.subject != plain.subject {
            wrong.push(format!("{file}: the drill-down read another subject"));
        }
        let names_one = matches!(
            kind,
            EvidenceKind::Trivy
                | EvidenceKind::Grype
                | EvidenceKind::Cyclonedx
                | EvidenceKind::Spdx
        );
        // no JUnit fixture has a commit property (their properties are JVM, Go and tool settings)
        if plain.subject.is_some() != names_one {
            wrong.push(format!("{file}: subject {:?}", plain.subject));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}
