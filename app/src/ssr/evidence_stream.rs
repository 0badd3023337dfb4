//! Parsing while the bytes arrive. An upload's chunks go to disk (hashed) and,
//! at the same time, to a parser on a blocking thread, so a large report is
//! parsed by the time its last byte is stored instead of after.
//!
//! The parser reads exactly the bytes that are stored, in order, through a
//! bounded channel (back-pressure, flat memory); chunk boundaries make no
//! difference to the result (tested against `parse_path` on every fixture).
//! This is upload plumbing (axum's `Bytes`, tokio channels); what the bytes
//! mean is the `evidence` crate's business.

use axum::body::Bytes;
use evidence::metrics::EvidenceKind;
use evidence::{parse_detecting, ParseError, Parsed};
use std::io::{BufRead, Read};
use tokio::sync::mpsc;

/// Chunks in flight between the receiving task and the parser.
const IN_FLIGHT: usize = 32;

/// A parse running alongside an upload.
pub struct StreamParser {
    tx: Option<mpsc::Sender<Bytes>>,
    requested: Option<EvidenceKind>,
    handle: tokio::task::JoinHandle<Result<Parsed, ParseError>>,
}

/// The outcome of a streamed parse: the kind it was asked for (None =
/// detected from the content) and what the parser said.
#[derive(Debug)]
pub struct Streamed {
    pub requested: Option<EvidenceKind>,
    pub result: Result<Parsed, ParseError>,
}

impl StreamParser {
    /// Starts a parser for `requested` (None = detect from the first bytes).
    pub fn start(requested: Option<EvidenceKind>) -> Self {
        let (tx, rx) = mpsc::channel(IN_FLIGHT);
        let handle =
            tokio::task::spawn_blocking(move || parse_detecting(ChannelReader::new(rx), requested));
        Self {
            tx: Some(tx),
            requested,
            handle,
        }
    }

    /// Hands the parser the next chunk of the file. A parser that has already
    /// finished (refused the file, or found it is not a report) takes no more.
    pub async fn feed(&mut self, chunk: Bytes) {
        if let Some(tx) = &self.tx {
            if tx.send(chunk).await.is_err() {
                self.tx = None;
            }
        }
    }

    /// Ends the input and waits for the verdict. None if the parser thread
    /// died (a bug): the caller then parses the stored file instead.
    pub async fn finish(mut self) -> Option<Streamed> {
        self.tx = None;
        match self.handle.await {
            Ok(result) => Some(Streamed {
                requested: self.requested,
                result,
            }),
            Err(e) => {
                tracing::error!(error = %e, "streaming parser failed");
                None
            }
        }
    }
}

/// The receiving end of the channel as a `BufRead`; end of input when the
/// sender is dropped.
struct ChannelReader {
    rx: mpsc::Receiver<Bytes>,
    chunk: Bytes,
    pos: usize,
}

impl ChannelReader {
    fn new(rx: mpsc::Receiver<Bytes>) -> Self {
        Self {
            rx,
            chunk: Bytes::new(),
            pos: 0,
        }
    }
}

impl BufRead for ChannelReader {
    fn fill_buf(&mut self) -> std::io::Result<&[u8]> {
        while self.pos >= self.chunk.len() {
            match self.rx.blocking_recv() {
                Some(next) => {
                    self.chunk = next;
                    self.pos = 0;
                }
                None => return Ok(&[]),
            }
        }
        Ok(&self.chunk[self.pos..])
    }

    fn consume(&mut self, amount: usize) {
        self.pos = (self.pos + amount).min(self.chunk.len());
    }
}

impl Read for ChannelReader {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        let available = self.fill_buf()?;
        let n = available.len().min(out.len());
        out[..n].copy_from_slice(&available[..n]);
        self.consume(n);
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn streamed(bytes: &[u8], chunk: usize, kind: Option<EvidenceKind>) -> Streamed {
        let mut parser = StreamParser::start(kind);
        for piece in bytes.chunks(chunk) {
            parser.feed(Bytes::copy_from_slice(piece)).await;
        }
        parser.finish().await.expect("parser thread")
    }

    const JUNIT: &str = "<testsuite tests=\"3\" failures=\"1\">\n<testcase name=\"a\"/>\n<testcase name=\"b\"><failure/></testcase>\n<testcase name=\"c\"/>\n</testsuite>\n";

    #[tokio::test]
    async fn chunking_makes_no_difference() {
        let whole = parse_detecting(JUNIT.as_bytes(), None).unwrap();
        for size in [1, 2, 3, 7, 64, 4096] {
            let s = streamed(JUNIT.as_bytes(), size, None).await;
            assert_eq!(s.requested, None);
            assert_eq!(s.result.unwrap(), whole, "chunk size {size}");
        }
        assert_eq!(whole.kind, EvidenceKind::Junit);
        assert_eq!(whole.metrics["tests.failed"], 1.0);
    }

    #[tokio::test]
    async fn a_refusal_is_the_same_refusal() {
        let cut = &JUNIT[..JUNIT.len() - 20];
        let whole = parse_detecting(cut.as_bytes(), None).unwrap_err();
        let s = streamed(cut.as_bytes(), 5, None).await;
        assert_eq!(s.result.unwrap_err().to_string(), whole.to_string());
    }

    #[tokio::test]
    async fn a_parser_that_stops_early_does_not_block_the_upload() {
        // not a report: detection gives up after the head and the parser ends
        // while megabytes are still arriving
        let noise = vec![b'z'; 3 * 1024 * 1024];
        let s = streamed(&noise, 8192, None).await;
        let parsed = s.result.unwrap();
        assert_eq!(parsed.kind, EvidenceKind::File);
        assert!(parsed.metrics.is_empty());
    }

    /// The upload path parses while bytes arrive, in whatever chunks the network
    /// delivers: every fixture, fed in awkward chunk sizes, must give exactly what
    /// parsing the whole file gives (metrics, warnings, or the same refusal).
    /// Without the shared fixtures it skips, or fails in CI (`evidence::fixtures`).
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn every_shared_fixture_parses_the_same_when_streamed_in_chunks() {
        let Some((dir, expected)) = evidence::fixtures::answer_key("conformance (streamed)") else {
            return;
        };
        let mut failures = Vec::new();
        for (i, file) in expected.keys().enumerate() {
            let path = dir.join(file);
            let bytes = std::fs::read(&path).expect("fixture readable");
            let whole = evidence::parse_path(&path, None).map_err(|e| e.to_string());
            // odd sizes so that boundaries fall inside tags, numbers and UTF-8 sequences
            let chunk = [1usize, 3, 17, 1000, 8191][i % 5].max(bytes.len() / 4000);
            let mut parser = StreamParser::start(None);
            for piece in bytes.chunks(chunk) {
                parser.feed(Bytes::copy_from_slice(piece)).await;
            }
            let streamed = parser
                .finish()
                .await
                .expect("parser thread")
                .result
                .map_err(|e| e.to_string());
            if streamed != whole {
                failures.push(format!(
                    "{file} (chunks of {chunk}): streamed {streamed:?}, whole {whole:?}"
                ));
            }
        }
        println!(
            "conformance (streamed): {}/{} files identical",
            expected.len() - failures.len(),
            expected.len()
        );
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    }
}
