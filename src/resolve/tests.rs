//! Tests of the resolver: updating in place gives what resolving afresh gives.

use super::*;
use crate::load::SourceFile;
use crate::parse::meta::SiteConfig;
use crate::parse::{self, Overrides};

const FRONT: &str = "+++\ntitle = \"TITLE\"\ndescription = \"D.\"\nreviewed = 2026-01-01\nreview_due = 2027-01-01\ntopics = [\"bones\"]\n+++\n";

fn article(title: &str, body: &str) -> String {
    format!("{}\n{body}\n", FRONT.replace("TITLE", title))
}

/// The site's Markdown files, by path.
type Tree = BTreeMap<&'static str, String>;

fn config() -> SiteConfig {
    let sources = Sources {
        config: Some(SourceFile {
            path: "site.toml".into(),
            // A menu entry and a topic name that edits below remove and restore.
            text: "title = \"T\"\nbase_url = \"https://example.org/\"\nlanguage = \"en\"\n\
                   [[menu.footer]]\nname = \"C\"\npage = \"articles/c.md\"\n\
                   [topics]\nhealth = \"Health\"\n"
                .into(),
        }),
        ..Sources::default()
    };
    parse::parse_config(&sources, &Overrides { base_url: None })
        .0
        .unwrap()
}

fn page(path: &str, text: &str) -> Option<Arc<Page>> {
    let file = SourceFile {
        path: path.into(),
        text: text.into(),
    };
    parse::parse_page(&file, "/", crate::parse::markdown::Output::ALL)
        .0
        .map(Arc::new)
}

fn fresh(files: &Tree) -> Resolver {
    let pages = files.iter().filter_map(|(p, t)| page(p, t)).collect();
    let parsed = Parsed {
        config: config(),
        pages,
        data: Default::default(),
    };
    let sources = files.keys().map(|p| p.to_string()).collect();
    Resolver::new(parsed, Files::new(sources, BTreeMap::new(), false))
}

/// Pages, outlinks and backlinks by path, and problems: what two
/// resolvers must agree on.
type Summary = (
    Vec<String>,
    Vec<Vec<String>>,
    Vec<Vec<String>>,
    Vec<Diagnostic>,
    (Menus, Vec<(String, String)>),
);

fn summary(r: &Resolver) -> Summary {
    let site = &r.site;
    let paths = |list: &[usize]| list.iter().map(|&j| site.pages()[j].path.clone()).collect();
    (
        site.pages().iter().map(|p| p.path.clone()).collect(),
        site.outlinks.iter().map(|l| paths(l)).collect(),
        site.backlinks.iter().map(|l| paths(l)).collect(),
        r.problems().cloned().collect(),
        (
            site.menus.clone(),
            site.topics
                .iter()
                .map(|(slug, name)| (slug.to_string(), name.to_string()))
                .collect(),
        ),
    )
}

#[test]
fn updating_in_place_gives_what_resolving_afresh_gives() {
    let mut files: Tree = BTreeMap::from([
        (
            "articles/a.md",
            article("Ay", "## Start\n\n[b](b.md#risks), [c](c.md), [x](x.md)"),
        ),
        (
            "articles/b.md",
            article("Bee", "## Risks\n\n[a](a.md#start), [self](#risks)"),
        ),
        (
            "articles/c.md",
            article("Cee", "[b](b.md), [t](../glossary/t.md)"),
        ),
        (
            "glossary/t.md",
            "+++\nterm = \"T\"\nsummary = \"S.\"\n+++\n[a](../articles/a.md)\n".into(),
        ),
    ]);
    let mut resolver = fresh(&files);
    let steps: Vec<(&'static str, Option<String>)> = vec![
        // A heading others link to goes, then comes back.
        (
            "articles/b.md",
            Some(article("Bee", "## Dangers\n\n[a](a.md#start)")),
        ),
        (
            "articles/b.md",
            Some(article("Bee", "## Risks\n\n[a](a.md#start)")),
        ),
        // A title change reorders backlinks.
        (
            "articles/a.md",
            Some(article(
                "Zed",
                "## Start\n\n[b](b.md#risks), [c](c.md), [x](x.md)",
            )),
        ),
        // A missing target appears, a look-alike elsewhere changes hints.
        (
            "glossary/x.md",
            Some("+++\nterm = \"X\"\nsummary = \"S.\"\n+++\nx\n".into()),
        ),
        ("articles/x.md", Some(article("Ex", "[c](c.md)"))),
        // Topics: a new one, another spelling of it first in path order,
        // then one named by `[topics]`.
        (
            "articles/x.md",
            Some(article("Ex", "[c](c.md)").replace("[\"bones\"]", "[\"Bone health\", \"bones\"]")),
        ),
        (
            "articles/a.md",
            Some(
                article("Zed", "## Start\n\n[b](b.md#risks), [c](c.md), [x](x.md)")
                    .replace("[\"bones\"]", "[\"bone-health\", \"health\"]"),
            ),
        ),
        // Deleted, drafted, unparsable, restored.
        ("articles/c.md", None),
        (
            "articles/b.md",
            Some(
                FRONT
                    .replace("TITLE", "Bee")
                    .replace("topics", "draft = true\ntopics"),
            ),
        ),
        ("articles/x.md", Some("+++\ntitle = \n+++\n".into())),
        (
            "articles/c.md",
            Some(article("Cee", "[b](b.md), [x](x.md#nowhere)")),
        ),
        (
            "articles/b.md",
            Some(article("Bee", "## Risks\n\n[c](c.md)")),
        ),
        (
            "articles/x.md",
            Some(article("Ex", "## Nowhere\n\n[a](a.md)")),
        ),
        // A glossary entry claims another's term, then gives it up.
        (
            "glossary/y.md",
            Some("+++\nterm = \"Y\"\naliases = [\"t\"]\nsummary = \"S.\"\n+++\n".into()),
        ),
        (
            "glossary/y.md",
            Some("+++\nterm = \"Y\"\nsummary = \"S.\"\n+++\n".into()),
        ),
    ];
    for (path, text) in steps {
        match &text {
            Some(text) => files.insert(path, text.clone()),
            None => files.remove(path),
        };
        resolver.update(vec![Changed {
            path: path.to_string(),
            exists: text.is_some(),
            page: text.as_deref().and_then(|t| page(path, t)),
        }]);
        assert_eq!(summary(&resolver), summary(&fresh(&files)), "after {path}");
    }
}
