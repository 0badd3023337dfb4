//! What load tests measured: `latency.*` and `http.*` from k6, Gatling and
//! oha summaries (JSON), JMeter `.jtl` and Locust stats (CSV), and wrk's
//! console output.

pub mod summaries;

pub mod text;
