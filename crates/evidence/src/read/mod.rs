//! Shared readers the formats are built on: a line-counting buffered reader,
//! streaming XML, checked JSON, and the JSON detail fields a drill-down keeps.

pub mod json;

pub mod kept;

pub mod lines;

pub mod xml;
