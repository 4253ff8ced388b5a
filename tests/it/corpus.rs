//! The shipped site: every required page exists, builds with no diagnostic,
//! and every article carries its review dates and the educational notice.

use std::path::{Path, PathBuf};
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
    let stderr = &shipped().1;
    assert!(
        !stderr.contains("warning"),
        "the shipped site must build with no warnings:\n{stderr}"
    );
    let read = shipped_page;
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
                "15 mcg",
                "20 mcg",
                "100 mcg",
                "4,000 IU",
                "2,500 mg",
                "2,000 mg",
                "age 51",
                "51 years",
                "45 to 55",
                "45 and 55",
                "45-55",
                "45–55",
                "before 45",
                "before 40",
                "under 40",
                "under 45",
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

/// The shipped site, built once into a temporary folder, and what the build
/// printed.
fn shipped() -> &'static (PathBuf, String) {
    static SITE: std::sync::OnceLock<(PathBuf, String)> = std::sync::OnceLock::new();
    SITE.get_or_init(|| {
        // A static is never dropped: a temporary folder would outlive every
        // run. This one is built over again by each.
        let out = Path::new(env!("CARGO_TARGET_TMPDIR")).join("shipped-site");
        let run = Command::new(env!("CARGO_BIN_EXE_osteon"))
            .args(["build", "--root"])
            .arg(repo())
            .arg("--output")
            .arg(&out)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&run.stderr).into_owned();
        assert!(run.status.success(), "{stderr}");
        (out, stderr)
    })
}

/// A page of the shipped site's build.
fn shipped_page(path: &str) -> String {
    std::fs::read_to_string(shipped().0.join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

#[test]
fn the_safe_upper_limits_and_menopause_ages_come_from_the_data() {
    // NIH Office of Dietary Supplements: upper limits for adults, from food and
    // supplements together; vitamin D in micrograms first, with IU beside it.
    let nutrition = shipped_page("articles/calcium-and-vitamin-d/index.html");
    for shown in [
        "<th scope=row>19 to 50 years</th><td>Adults</td><td>2,500 mg</td>",
        "<th scope=row>older than 50 years</th><td>Older adults</td><td>2,000 mg</td>",
        "<th scope=row>19 years or older</th><td>Adults</td><td>100 mcg (4,000 IU)</td>",
        "<td>15 mcg (600 IU)</td>",
        "<td>20 mcg (800 IU)</td>",
        "<th scope=row>19 to 50 years</th><td>Adult women</td><td>1,000 mg</td>",
    ] {
        assert!(
            nutrition.contains(shown),
            "calcium-and-vitamin-d lacks {shown}"
        );
    }
    // The Menopause Society and the NHS: the average age, the usual range,
    // and the ages that name menopause early or premature.
    let age = shipped_page("articles/menopause-age/index.html");
    for shown in [
        "51 years",
        "<th scope=row>younger than 40 years</th><td>Premature menopause</td>",
        "<th scope=row>40 to just under 45 years</th><td>Early menopause</td>",
        "<th scope=row>45 to 55 years</th><td>The usual age range</td>",
    ] {
        assert!(age.contains(shown), "menopause-age lacks {shown}");
    }
}

#[test]
fn every_article_reads_at_smog_9_and_flesch_kincaid_8_or_lower() {
    let run = Command::new(env!("CARGO_BIN_EXE_osteon"))
        .args(["report", "--format", "json", "--root"])
        .arg(repo())
        .output()
        .unwrap();
    assert!(run.status.success());
    let report: serde_json::Value = serde_json::from_slice(&run.stdout).unwrap();
    let articles = report["articles"].as_array().unwrap();
    assert_eq!(articles.len(), ARTICLES.len());
    for a in articles {
        let (smog, fk) = (
            a["smog"].as_f64().unwrap(),
            a["flesch_kincaid"].as_f64().unwrap(),
        );
        assert!(smog <= 9.0, "{}: SMOG {smog}", a["path"]);
        assert!(fk <= 8.0, "{}: Flesch–Kincaid {fk}", a["path"]);
    }
    // The site holds its own articles to the same limits at every build.
    let config = std::fs::read_to_string(repo().join("site.toml")).unwrap();
    assert!(
        config.contains("max_reading_grade = { flesch_kincaid = 8, smog = 9 }"),
        "{config}"
    );
}

#[test]
fn every_article_cites_its_sources() {
    for slug in ARTICLES {
        let html = shipped_page(&format!("articles/{slug}/index.html"));
        let sources = html
            .split("<h2 id=page-sources>Sources</h2>")
            .nth(1)
            .unwrap_or_else(|| panic!("{slug}: no Sources section"));
        let cited = sources
            .split("</ol>")
            .next()
            .unwrap()
            .matches("<li>")
            .count();
        assert!(cited >= 2, "{slug}: {cited} sources");
        assert!(
            !sources
                .split("</ol>")
                .next()
                .unwrap()
                .contains("href=http:"),
            "{slug}: plain http"
        );
    }
}
