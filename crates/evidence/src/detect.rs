//! Recognising a report from its first bytes — its content, never its file
//! name: XML by its root element, JSON by the keys it names, LCOV, CSV and
//! wrk by their first lines.

use crate::load::text::JtlColumns;
use crate::metrics::EvidenceKind;
use crate::parsed::num;

/// Guesses the kind from the first bytes of a file. None = not a known report.
pub fn detect(head: &[u8]) -> Option<EvidenceKind> {
    let text = String::from_utf8_lossy(head);
    let t = text.trim_start_matches('\u{feff}').trim_start();
    if t.starts_with('<') {
        return xml(t);
    }
    if t.starts_with('{') || t.starts_with('[') {
        return json(t);
    }
    if lcov(t) {
        return Some(EvidenceKind::Lcov);
    }
    csv_or_text(t)
}

/// Guesses an XML report kind from the head of the document.
fn xml(head: &str) -> Option<EvidenceKind> {
    let root = root_name(head)?;
    match root.as_str() {
        "testsuites" | "testsuite" => Some(EvidenceKind::Junit),
        "coverage" if head.contains("line-rate") || head.contains("branch-rate") => {
            Some(EvidenceKind::Cobertura)
        }
        "report"
            if head.contains("<counter")
                || head.contains("<package")
                || head.contains("<sessioninfo")
                || head.contains("JACOCO") =>
        {
            Some(EvidenceKind::Jacoco)
        }
        "OWASPZAPReport" => Some(EvidenceKind::Zap),
        _ => None,
    }
}

/// The local name of the first element, skipping the prolog.
fn root_name(head: &str) -> Option<String> {
    let mut rest = head;
    loop {
        let i = rest.find('<')?;
        rest = rest.get(i..)?;
        let skip = if rest.starts_with("<?") {
            rest.find("?>")? + 2
        } else if rest.starts_with("<!--") {
            rest.find("-->")? + 3
        } else if rest.starts_with("<!DOCTYPE")
            && rest
                .find('[')
                .is_some_and(|b| rest.find('>').is_some_and(|g| b < g))
        {
            // an internal subset: skip to its end
            rest.find("]>")? + 2
        } else if rest.starts_with("<!") {
            rest.find('>')? + 1
        } else {
            let name: String = rest
                .get(1..)?
                .chars()
                .take_while(|c| !c.is_whitespace() && *c != '>' && *c != '/')
                .collect();
            return Some(name.rsplit(':').next().unwrap_or(&name).to_string());
        };
        rest = rest.get(skip..)?;
    }
}

/// Guesses a JSON report kind from the head of the file.
fn json(head: &str) -> Option<EvidenceKind> {
    let has = |s: &str| head.contains(s);
    let compact: String = head
        .chars()
        .filter(|c| !c.is_whitespace())
        .take(8192)
        .collect();
    if has("\"bomFormat\"") && has("CycloneDX") {
        Some(EvidenceKind::Cyclonedx)
    } else if has("\"spdxVersion\"") {
        Some(EvidenceKind::Spdx)
    } else if has("\"runs\"") && (has("\"version\"") || has("sarif")) {
        Some(EvidenceKind::Sarif)
    } else if has("\"SchemaVersion\"") && (has("\"Results\"") || has("\"ArtifactName\""))
        || compact.starts_with("[{\"Target\":")
    {
        Some(EvidenceKind::Trivy)
    } else if has("\"matches\"") && (has("\"descriptor\"") || has("\"vulnerability\"")) {
        Some(EvidenceKind::Grype)
    } else if has("\"auditReportVersion\"") || (has("\"advisories\"") && has("\"metadata\"")) {
        Some(EvidenceKind::NpmAudit)
    } else if has("\"@programName\"")
        || (has("\"site\"") && has("\"alerts\"") && has("\"riskcode\""))
    {
        Some(EvidenceKind::Zap)
    } else if has("\"metrics\"") && (has("\"http_req_duration\"") || has("\"http_reqs\"")) {
        Some(EvidenceKind::K6)
    } else if has("\"numberOfRequests\"") && has("\"percentiles1\"") {
        Some(EvidenceKind::Gatling)
    } else if compact.starts_with("{\"summary\":") && has("\"latencyPercentiles\"")
        || has("\"latencyPercentiles\"") && has("\"successRate\"")
    {
        Some(EvidenceKind::Oha)
    } else {
        None
    }
}

/// True when the text starts like an LCOV tracefile.
fn lcov(head: &str) -> bool {
    head.lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .is_some_and(|l| l.starts_with("TN:") || l.starts_with("SF:"))
}

/// Guesses CSV and text kinds from the first line(s).
fn csv_or_text(head: &str) -> Option<EvidenceKind> {
    let first = head
        .lines()
        .next()
        .unwrap_or("")
        .trim_start_matches('\u{feff}')
        .trim();
    if JtlColumns::from_names(first.split(',')).is_some()
        && (first.contains("timeStamp") || first.contains("label"))
    {
        return Some(EvidenceKind::Jmeter);
    }
    let lower = first.to_ascii_lowercase();
    let unquoted = lower.replace('"', "");
    if (unquoted.starts_with("type,name,") || unquoted.starts_with("method,name,"))
        && (unquoted.contains(",request count,") || unquoted.contains(",# requests,"))
    {
        return Some(EvidenceKind::Locust);
    }
    if head.contains("Thread Stats") && head.contains("requests in")
        || head.starts_with("Running ") && head.contains(" test @ ")
    {
        return Some(EvidenceKind::Wrk);
    }
    let fields: Vec<&str> = first.split(',').collect();
    if fields.len() >= 8 && num(fields[1]).is_some() && matches!(fields[7].trim(), "true" | "false")
    {
        return Some(EvidenceKind::Jmeter);
    }
    None
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A small but real-shaped head of every report kind.
    pub(crate) const HEADS: &[(EvidenceKind, &str)] = &[
        (EvidenceKind::Junit, "<?xml version=\"1.0\"?>\n<testsuites><testsuite name=\"a\"><testcase name=\"t\"/></testsuite></testsuites>"),
        (EvidenceKind::Junit, "<testsuite name=\"a\" tests=\"1\"><testcase name=\"t\"/></testsuite>"),
        (EvidenceKind::Cobertura, "<?xml version=\"1.0\" ?>\n<!DOCTYPE coverage SYSTEM \"http://cobertura.sourceforge.net/xml/coverage-04.dtd\">\n<coverage line-rate=\"0.5\" branch-rate=\"0\" version=\"7\"></coverage>"),
        (EvidenceKind::Jacoco, "<?xml version=\"1.0\"?><!DOCTYPE report PUBLIC \"-//JACOCO//DTD Report 1.1//EN\" \"report.dtd\"><report name=\"x\"><counter type=\"LINE\" missed=\"1\" covered=\"3\"/></report>"),
        (EvidenceKind::Lcov, "TN:\nSF:src/a.rs\nDA:1,1\nend_of_record\n"),
        (EvidenceKind::Sarif, "{\"$schema\":\"https://json.schemastore.org/sarif-2.1.0.json\",\"version\":\"2.1.0\",\"runs\":[]}"),
        (EvidenceKind::Trivy, "{\"SchemaVersion\": 2, \"ArtifactName\": \"x\", \"Results\": []}"),
        (EvidenceKind::Trivy, "[{\"Target\": \"x\", \"Vulnerabilities\": []}]"),
        (EvidenceKind::Grype, "{\"matches\": [], \"descriptor\": {\"name\": \"grype\"}}"),
        (EvidenceKind::NpmAudit, "{\"auditReportVersion\": 2, \"vulnerabilities\": {}, \"metadata\": {\"vulnerabilities\": {\"high\": 1}}}"),
        (EvidenceKind::Zap, "{\"@programName\": \"ZAP\", \"site\": []}"),
        (EvidenceKind::Zap, "<?xml version=\"1.0\"?><OWASPZAPReport version=\"2\"><site/></OWASPZAPReport>"),
        (EvidenceKind::K6, "{\"metrics\": {\"http_req_duration\": {\"values\": {\"med\": 1}}}}"),
        (EvidenceKind::K6, "{\"metrics\": {\"http_reqs\": {\"count\": 1, \"rate\": 2}}}"),
        (EvidenceKind::Jmeter, "timeStamp,elapsed,label,responseCode,responseMessage,threadName,dataType,success\n1,5,a,200,OK,t,text,true\n"),
        (EvidenceKind::Jmeter, "1500000000000,5,a,200,OK,t,text,true,,10,1,1,1,http://x,4,0,1\n"),
        (EvidenceKind::Gatling, "{\"type\": \"GROUP\", \"stats\": {\"numberOfRequests\": {\"total\": 1}, \"percentiles1\": {\"total\": 1}}}"),
        (EvidenceKind::Locust, "Type,Name,Request Count,Failure Count\n,Aggregated,1,0\n"),
        (EvidenceKind::Wrk, "Running 10s test @ http://x\n  2 threads and 10 connections\n  Thread Stats   Avg\n  10 requests in 1.00s, 1KB read\n"),
        (EvidenceKind::Oha, "{\"summary\": {\"successRate\": 1.0}, \"latencyPercentiles\": {\"p50\": 0.1}}"),
        (EvidenceKind::Cyclonedx, "{\"bomFormat\": \"CycloneDX\", \"specVersion\": \"1.5\", \"components\": []}"),
        (EvidenceKind::Spdx, "{\"spdxVersion\": \"SPDX-2.3\", \"packages\": []}"),
    ];

    #[test]
    fn every_report_kind_is_detected_from_its_content() {
        for (kind, head) in HEADS {
            assert_eq!(detect(head.as_bytes()), Some(*kind), "{head}");
            let with_bom = format!("\u{feff}{}", head.replace('\n', "\r\n"));
            assert_eq!(detect(with_bom.as_bytes()), Some(*kind), "BOM+CRLF {head}");
        }
        let covered: std::collections::BTreeSet<_> = HEADS.iter().map(|(k, _)| *k).collect();
        assert_eq!(covered.len(), EvidenceKind::REPORTS.len());
    }

    #[test]
    fn content_that_is_no_known_report_is_not_detected() {
        for head in [
            "",
            "%PDF-1.7\n",
            "hello world\n",
            "{\"name\": \"package\", \"version\": \"1.0.0\"}",
            "<html><body>hi</body></html>",
            "a,b,c\n1,2,3\n",
            "Method,Name,Error,Occurrences\nGET,/,boom,1\n",
            "{\"type\":\"Point\",\"metric\":\"http_req_duration\",\"data\":{\"value\":1}}\n",
        ] {
            assert_eq!(detect(head.as_bytes()), None, "{head}");
        }
        assert_eq!(detect(&[0xff, 0xfe, 0x00, 0x41]), None);
    }

    #[test]
    fn xml_detection_skips_the_prolog_doctype_and_comments() {
        assert_eq!(
            xml("<?xml version=\"1.0\"?>\n<!-- <coverage> -->\n<!DOCTYPE t [<!ELEMENT t ANY>]>\n<ns:testsuites xmlns:ns=\"u\">"),
            Some(EvidenceKind::Junit)
        );
        assert_eq!(xml("<coverage version=\"1\">"), None);
        assert_eq!(
            xml("<report name=\"x\"><sessioninfo/>"),
            Some(EvidenceKind::Jacoco)
        );
        assert_eq!(xml("<"), None);
    }

    #[test]
    fn json_detection_reads_content_not_names() {
        assert_eq!(
            json(r#"{"bomFormat": "CycloneDX", "vulnerabilities": []}"#),
            Some(EvidenceKind::Cyclonedx)
        );
        assert_eq!(
            json(
                r#"{"$schema": "https://json.schemastore.org/sarif-2.1.0.json", "version": "2.1.0", "runs": []}"#
            ),
            Some(EvidenceKind::Sarif)
        );
        assert_eq!(
            json(r#"{"auditReportVersion": 2, "vulnerabilities": {}}"#),
            Some(EvidenceKind::NpmAudit)
        );
        assert_eq!(json(r#"{"hello": "world"}"#), None);
    }
}
