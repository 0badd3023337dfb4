//! Shared readers the formats are built on: a line-counting buffered reader,
//! streaming XML, checked JSON, the JSON detail fields a drill-down keeps,
//! and lenient JSON for the fields a report's subject is read from.

pub mod json;

pub mod kept;

pub mod loose;

pub mod lines;

pub mod xml;
