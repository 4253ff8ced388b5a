//! Two sources that want one address: an error naming both, in check and
//! build alike, never a silent replacement in the output.

use crate::support::{ARTICLE, Site};

/// `(code, file, line, column, message)` of each diagnostic, with check and
/// build agreeing on the text a person reads.
fn collisions(site: &Site) -> Vec<(String, String, u64, u64, String)> {
    site.fail_alike(&[]);
    assert!(!site.path().join("public").exists(), "a failed build wrote");
    site.check_json_messages()
}

#[test]
fn a_page_at_the_address_of_a_page_osteon_makes_is_an_error() {
    let site = Site::new(&format!(
        "//- articles/a.md\n{ARTICLE}\nText.\n\
         //- pages/glossary.md\n+++\ntitle = \"Words\"\ndescription = \"D.\"\n+++\n\nText.\n\
         //- pages/topics.md\n+++\ntitle = \"Topics\"\ndescription = \"D.\"\n+++\n\nText.\n"
    ));
    assert_eq!(
        collisions(&site),
        [
            (
                "duplicate-url".into(),
                "pages/glossary.md".into(),
                1,
                1,
                "`pages/glossary.md` would be published at `/glossary/`, where the glossary A to Z is published".into()
            ),
            (
                "duplicate-url".into(),
                "pages/topics.md".into(),
                1,
                1,
                "`pages/topics.md` would be published at `/topics/`, where the list of topics is published".into()
            ),
        ]
    );
}

#[test]
fn a_static_file_at_the_address_of_a_generated_file_or_a_page_is_an_error() {
    let site = Site::new(&format!(
        "//- articles/a.md\n{ARTICLE}\nText.\n\
         //- static/sitemap.xml\n<urlset/>\n\
         //- static/about/index.html\n<p>Old about page</p>\n\
         //- static/topics/bones/index.html\n<p>Old topic page</p>\n"
    ));
    let found: Vec<(String, String)> = collisions(&site)
        .into_iter()
        .map(|(code, file, _, _, message)| {
            assert_eq!(code, "duplicate-url");
            (file, message)
        })
        .collect();
    assert_eq!(
        found,
        [
            (
                "static/about/index.html".to_string(),
                "`static/about/index.html` would be published at `/about/`, where `pages/about.md` is published".to_string()
            ),
            (
                "static/sitemap.xml".to_string(),
                "`static/sitemap.xml` would be published at `/sitemap.xml`, where the sitemap is published".to_string()
            ),
            (
                "static/topics/bones/index.html".to_string(),
                "`static/topics/bones/index.html` would be published at `/topics/bones/`, where the page of the topic `bones` is published".to_string()
            ),
        ]
    );
}

#[test]
fn static_files_elsewhere_are_published_beside_the_pages() {
    let site = Site::new(&format!(
        "//- articles/a.md\n{ARTICLE}\nText.\n//- static/files/sitemap.xml\n<urlset/>\n"
    ));
    site.build().success();
    assert_eq!(site.read("public/files/sitemap.xml"), "<urlset/>\n");
}
