//! Navigation: menus from `site.toml`, checked like links, and themes that
//! link only to pages the site has; topics matched by slug, named by their
//! first spelling or by `[topics]`, and the `/topics/` index.

use crate::support::{ARTICLE, SITE_TOML, Site, d};

/// An article titled `title` whose front matter has `topics` (a TOML line,
/// or nothing for an article without topics).
fn article(title: &str, topics: &str) -> String {
    let front = ARTICLE
        .replace("title = \"A\"", &format!("title = \"{title}\""))
        .replace("topics = [\"bones\"]\n", topics);
    format!("{front}\nText.\n")
}

/// The links of the `<nav>` labelled `label`, each as `text -> href`, with
/// ` (current)` when it carries `aria-current="page"`.
fn menu(html: &str, label: &str) -> Vec<String> {
    // The minifier leaves out the quotes of a value without spaces.
    let quoted = format!("aria-label=\"{label}\"");
    let bare = [' ', '>'].map(|end| format!("aria-label={label}{end}"));
    let found = [quoted.as_str(), &bare[0], &bare[1]]
        .iter()
        .find_map(|attribute| html.find(attribute));
    let Some(start) = found else {
        return Vec::new();
    };
    let nav = &html[start..start + html[start..].find("</nav>").unwrap()];
    nav.split("<a ")
        .skip(1)
        .map(|a| {
            let (tag, rest) = a.split_once('>').unwrap();
            let text = &rest[..rest.find("</a>").unwrap()];
            let href = tag.split_once("href=").unwrap().1;
            let href = match href.strip_prefix('"') {
                Some(quoted) => &quoted[..quoted.find('"').unwrap()],
                None => href.split([' ', '>']).next().unwrap(),
            };
            let current = if tag.contains("aria-current") {
                " (current)"
            } else {
                ""
            };
            format!("{text} -> {href}{current}")
        })
        .collect()
}

#[test]
fn a_site_without_about_or_accessibility_pages_builds_and_links_only_to_what_it_has() {
    let site = Site::new(&format!("//- articles/a.md\n{}", article("A", "")));
    for page in ["pages/about.md", "pages/accessibility.md"] {
        std::fs::remove_file(site.path().join(page)).unwrap();
    }
    site.run(&["check"]).success();
    site.build().success();
    let home = site.read("public/index.html");
    assert_eq!(menu(&home, "Main"), ["All articles -> / (current)"]);
    assert_eq!(menu(&home, "Support links"), Vec::<String>::new());
    for output in [
        "index.html",
        "404.html",
        "articles/a/index.html",
        "topics/index.html",
    ] {
        let html = site.read(&format!("public/{output}"));
        assert!(
            !html.contains("/about/") && !html.contains("/accessibility/"),
            "{output} links to a page the site does not have"
        );
    }

    // Each page the default menus name appears in them once the site has it.
    site.write(
        "glossary/t.md",
        "+++\nterm = \"T\"\nsummary = \"S.\"\n+++\nText.\n",
    );
    site.write("articles/b.md", &article("B", "topics = [\"bones\"]\n"));
    site.write(
        "pages/about.md",
        "+++\ntitle = \"About\"\ndescription = \"D.\"\n+++\nText.\n",
    );
    site.run(&["check"]).success();
    site.build().success();
    let about = site.read("public/about/index.html");
    assert_eq!(
        menu(&about, "Main"),
        [
            "All articles -> /",
            "Topics -> /topics/",
            "Glossary A to Z -> /glossary/",
            "About us -> /about/ (current)",
        ]
    );
    assert_eq!(
        menu(&about, "Support links"),
        [
            "About us and our editorial policy -> /about/ (current)",
            "Glossary of medical words -> /glossary/",
        ]
    );
    assert!(
        site.read("public/404.html")
            .contains("tell us about the broken link")
    );
}

/// A `site.toml` whose menus name a missing page (line 8), a draft (line 12)
/// and a misspelt generated page (line 16).
const BROKEN_MENUS: &str = "\n[[menu.main]]\nname = \"About\"\npage = \"pages/abut.md\"\n\n\
    [[menu.footer]]\nname = \"Draft\"\npage = \"articles/d.md\"\n\n\
    [[menu.footer]]\nname = \"Words\"\npage = \"/glosary/\"\n";

#[test]
fn a_menu_entry_to_a_page_the_site_does_not_have_is_an_error_on_its_line() {
    let draft = ARTICLE.replace("topics", "draft = true\ntopics");
    let site = Site::new(&format!(
        "//- site.toml\n{SITE_TOML}{BROKEN_MENUS}//- articles/a.md\n{ARTICLE}\nText.\n\
         //- articles/d.md\n{draft}\nText.\n"
    ));
    assert_eq!(
        site.check_json(),
        [
            d("broken-link", "site.toml", 8, 8),
            d("broken-link", "site.toml", 12, 8),
            d("broken-link", "site.toml", 16, 8),
        ]
    );
    let check = site.run(&["check"]);
    check.failure();
    for hint in [
        "did you mean `pages/about.md`?",
        "points to `articles/d.md`, which is a draft",
        "did you mean `/glossary/`?",
    ] {
        assert!(check.stderr.contains(hint), "{hint}:\n{}", check.stderr);
    }
    // Found while resolving, so build reports exactly the same, and writes nothing.
    let build = site.build();
    build.failure();
    assert_eq!(build.stderr, check.stderr);
    assert!(!site.path().join("public").exists());
    // With --drafts the draft is a page of the site.
    let json = site.run(&["check", "--drafts", "--format", "json"]);
    assert!(!json.stdout.contains("\"line\": 12"), "{}", json.stdout);
}

#[test]
fn explicit_menus_render_in_their_order_with_the_current_page_marked() {
    let menus = "\n[[menu.main]]\nname = \"Start\"\npage = \"/\"\n\n\
        [[menu.main]]\nname = \"Bones\"\npage = \"/topics/bones/\"\n\n\
        [[menu.main]]\nname = \"Who we are\"\npage = \"pages/about.md\"\n\n\
        [[menu.footer]]\nname = \"Every topic\"\npage = \"/topics/\"\n\n\
        [[menu.footer]]\nname = \"First article\"\npage = \"articles/a.md\"\n";
    let site = Site::new(&format!(
        "//- site.toml\n{SITE_TOML}{menus}//- articles/a.md\n{ARTICLE}\nText.\n"
    ));
    site.run(&["check"]).success();
    site.build().success();
    let main = [
        "Start -> /",
        "Bones -> /topics/bones/",
        "Who we are -> /about/",
    ];
    let footer = ["Every topic -> /topics/", "First article -> /articles/a/"];
    for (output, current) in [
        ("index.html", "Start"),
        ("topics/bones/index.html", "Bones"),
        ("about/index.html", "Who we are"),
        ("topics/index.html", "Every topic"),
        ("articles/a/index.html", "First article"),
        ("404.html", "nothing"),
    ] {
        let html = site.read(&format!("public/{output}"));
        let marked = |items: &[&str]| -> Vec<String> {
            items
                .iter()
                .map(|item| match item.starts_with(&format!("{current} ->")) {
                    true => format!("{item} (current)"),
                    false => item.to_string(),
                })
                .collect()
        };
        assert_eq!(menu(&html, "Main"), marked(&main), "{output}");
        assert_eq!(menu(&html, "Support links"), marked(&footer), "{output}");
    }
    // The accessibility page is no menu's: the theme shows only these menus.
    assert!(!site.read("public/index.html").contains("/accessibility/"));
}

/// Three articles naming one topic three ways, and a second topic.
fn spellings() -> Site {
    Site::new(&format!(
        "//- articles/a.md\n{}//- articles/b.md\n{}//- articles/c.md\n{}",
        article("Alpha", "topics = [\"Bone health\"]\n"),
        article("Beta", "topics = [\"bone-health\", \"bone health\"]\n"),
        article("Gamma", "topics = [\"bone health\", \"Diet\"]\n"),
    ))
}

fn topic_dirs(site: &Site) -> Vec<String> {
    let mut dirs: Vec<String> = std::fs::read_dir(site.path().join("public/topics"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    dirs.sort();
    dirs
}

#[test]
fn spellings_with_one_slug_are_one_topic_named_by_the_first() {
    let site = spellings();
    site.run(&["check"]).success();
    site.build().success();
    assert_eq!(topic_dirs(&site), ["bone-health", "diet", "index.html"]);
    let topic = site.read("public/topics/bone-health/index.html");
    assert!(topic.contains("<h1>Bone health</h1>"), "{topic}");
    for a in ["a", "b", "c"] {
        let link = format!("href=\"/articles/{a}/\"");
        assert_eq!(topic.matches(&link).count(), 1, "{a} listed once");
    }
    let home = site.read("public/index.html");
    assert_eq!(home.matches("href=\"#topic-bone-health\"").count(), 1);
    assert!(home.contains("All 3 articles about Bone health"));
    let beta = site.read("public/articles/b/index.html");
    assert_eq!(beta.matches("href=\"/topics/bone-health/\"").count(), 2);
    assert_eq!(beta.matches("All articles about Bone health").count(), 1);
    assert_eq!(beta.matches("\"@type\":\"Thing\"").count(), 1);

    // `[topics]` names a topic by its slug.
    site.write(
        "site.toml",
        &format!("{SITE_TOML}\n[topics]\nbone-health = \"Bones and joints\"\n"),
    );
    site.run(&["check"]).success();
    site.build().success();
    let topic = site.read("public/topics/bone-health/index.html");
    assert!(topic.contains("<h1>Bones and joints</h1>"), "{topic}");
    let beta = site.read("public/articles/b/index.html");
    assert!(beta.contains("All articles about Bones and joints"));
    assert!(!beta.contains("Bone health"));
}

#[test]
fn a_topic_name_for_no_topic_is_a_warning_on_its_line() {
    let site = spellings();
    site.write(
        "site.toml",
        &format!("{SITE_TOML}\n[topics]\nbone-heath = \"Bones\"\n"),
    );
    assert_eq!(site.check_json(), [d("config", "site.toml", 7, 1)]);
    let check = site.run(&["check"]);
    check.success();
    assert!(
        check
            .stderr
            .contains("no published article has the topic `bone-heath`")
            && check.stderr.contains("did you mean `bone-health`?"),
        "{}",
        check.stderr
    );
    site.run(&["build", "--strict"]).failure();
    site.build().success();
}

#[test]
fn a_topic_without_a_letter_or_digit_is_an_error_in_its_front_matter() {
    let site = Site::new(&format!(
        "//- articles/a.md\n{}",
        article("A", "topics = [\"bones\", \"?!\"]\n")
    ));
    assert_eq!(
        site.check_json(),
        [d("front-matter", "articles/a.md", 6, 10)]
    );
}

#[test]
fn the_topics_index_lists_every_topic_with_its_article_count() {
    let site = spellings();
    site.build().success();
    let index = site.read("public/topics/index.html");
    assert!(index.contains("<h1>Topics</h1>"), "{index}");
    let bone = index.find("href=\"/topics/bone-health/\">Bone health</a> (3 articles)");
    let diet = index.find("href=\"/topics/diet/\">Diet</a> (1 article)");
    assert!(bone.is_some() && diet.is_some() && bone < diet, "{index}");
    // The home page and every topic page lead to it.
    assert!(site.read("public/index.html").contains("href=\"/topics/\""));
    assert!(
        site.read("public/topics/diet/index.html")
            .contains("href=\"/topics/\"")
    );
    assert!(
        site.read("public/sitemap.xml")
            .contains("<loc>https://example.org/topics/</loc>")
    );
}

#[test]
fn an_article_without_topics_is_on_the_home_page_and_in_the_feed() {
    let site = Site::new(&format!(
        "//- articles/lonely.md\n{}//- articles/b.md\n{ARTICLE}\nText.\n",
        article("Lonely", "")
    ));
    site.run(&["check"]).success();
    site.build().success();
    let home = site.read("public/index.html");
    assert!(
        home.contains("<a href=\"/articles/lonely/\">Lonely</a>"),
        "{home}"
    );
    let feed = site.read("public/atom.xml");
    assert!(
        feed.contains("<link rel=\"alternate\" type=\"text/html\" href=\"https://example.org/articles/lonely/\"/>"),
        "{feed}"
    );
    assert_eq!(topic_dirs(&site), ["bones", "index.html"]);
}
