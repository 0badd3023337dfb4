//! Generates the `i18n` module (src/i18n.rs includes it) from the translation
//! files under `locales/<language>/<namespace>.json`, and stops the build when
//! a key is missing in a language, or a file has a key the default language
//! lacks: a page never falls back to English unnoticed.

use leptos_i18n_parser::parse_locales::options::{Config, ParseOptions};
use std::path::PathBuf;

/// The languages, the default first; `locales/<name>/` holds each one's files.
const LOCALES: &[&str] = &["en", "zh-Hans"];

/// One file per area of the app, so a translator (or two people at once) can
/// work on one area's file.
const NAMESPACES: &[&str] = &[
    "common",
    "projects",
    "milestone",
    "evidence",
    "certificate",
    "account",
    "documents",
    "audit",
];

fn main() {
    let mut cfg = Config::new(LOCALES[0]).expect("default locale");
    for locale in &LOCALES[1..] {
        cfg = cfg.add_locale(locale).expect("locale");
    }
    for ns in NAMESPACES {
        cfg = cfg.add_namespace(ns).expect("namespace");
    }
    let cfg = cfg.parse_options(ParseOptions::default().interpolate_display(true));
    let manifest_dir = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("cargo"));
    let parsed = leptos_i18n_parser::parse_locales::parse_locales(Some(manifest_dir), cfg)
        .unwrap_or_else(|e| panic!("translations: {e}"));
    for file in parsed.tracked_files.iter().flatten() {
        println!("cargo::rerun-if-changed={file}");
    }
    println!("cargo::rerun-if-changed=locales");
    let problems: Vec<String> = parsed
        .diag
        .errors()
        .iter()
        .map(ToString::to_string)
        .chain(parsed.diag.warnings().iter().map(ToString::to_string))
        .collect();
    if !problems.is_empty() {
        panic!(
            "the translations are incomplete or inconsistent (every key in every language):\n{}",
            problems.join("\n")
        );
    }
    let code = leptos_i18n_codegen::gen_code(&parsed, None, false, None, false)
        .unwrap_or_else(|e| panic!("translations: {e}"));
    let out = PathBuf::from(std::env::var("OUT_DIR").expect("cargo")).join("i18n.rs");
    std::fs::write(&out, code.to_string()).expect("write the i18n module");
}
