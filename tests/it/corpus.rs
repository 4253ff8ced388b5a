//! The shipped site: every required page exists, builds with no diagnostic,
//! and every article carries its review dates and the educational notice.

use std::process::Command;

use crate::support::repo;

const ARTICLES: [&str; 7] = [
    "osteoporosis-treatment",
    "calcium-and-vitamin-d",
    "exercises-for-bone-density",
    "menopause-and-bone-loss",
    "menopause-treatment-options",
    "menopause-age",
    "perimenopause-symptoms",
];

const TERMS: [&str; 19] = [
    "vitamin-d",
    "calcium",
    "t-score",
    "dexa-scan",
    "frax",
    "osteopenia",
    "osteoporosis",
    "fragility-fracture",
    "bisphosphonate",
    "denosumab",
    "anabolic-agent",
    "raloxifene",
    "menopausal-hormone-therapy",
    "estrogen",
    "osteonecrosis-of-the-jaw",
    "atypical-femur-fracture",
    "drug-holiday",
    "menopause",
    "perimenopause",
];

#[test]
fn the_shipped_site_builds_cleanly_with_every_required_page() {
    let out = tempfile::tempdir().unwrap();
    let run = Command::new(env!("CARGO_BIN_EXE_osteon"))
        .args(["build", "--root"])
        .arg(repo())
        .arg("--output")
        .arg(out.path().join("site"))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(run.status.success(), "{stderr}");
    assert!(
        !stderr.contains("warning"),
        "the shipped site must build with no warnings:\n{stderr}"
    );
    let read = |path: &str| {
        std::fs::read_to_string(out.path().join("site").join(path))
            .unwrap_or_else(|e| panic!("{path}: {e}"))
    };
    let notice = "This page is for general education only.";
    for slug in ARTICLES {
        let html = read(&format!("articles/{slug}/index.html"));
        assert!(
            html.contains("Page last reviewed: <time datetime="),
            "{slug}: no review date"
        );
        assert!(
            html.contains("Next review due: <time datetime="),
            "{slug}: no review due date"
        );
        assert!(html.contains(notice), "{slug}: no educational notice");
        assert!(
            html.contains("clinician"),
            "{slug}: no advice to talk to a clinician"
        );
    }
    for slug in TERMS {
        read(&format!("glossary/{slug}/index.html"));
    }
    for page in [
        "about/index.html",
        "accessibility/index.html",
        "glossary/index.html",
        "404.html",
    ] {
        assert!(
            read(page).contains(notice),
            "{page}: no notice in the footer"
        );
    }
}

#[test]
fn no_data_number_is_typed_into_the_prose() {
    // These figures live in data/; an article that types them could disagree.
    for dir in ["articles", "glossary", "pages"] {
        for entry in std::fs::read_dir(repo().join(dir)).unwrap() {
            let path = entry.unwrap().path();
            let text = std::fs::read_to_string(&path).unwrap();
            for number in [
                "-2.5",
                "\u{2212}2.5",
                "-1.0",
                "\u{2212}1.0",
                "1,000 mg",
                "1,200 mg",
                "600 IU",
                "800 IU",
            ] {
                assert!(
                    !text.contains(number),
                    "{} types `{number}`; use a data shortcode",
                    path.display()
                );
            }
        }
    }
}
