//! What machines read about the site: JSON-LD for each page, `sitemap.xml`,
//! `robots.txt` and an Atom feed of the articles.
//!
//! Built from the resolved site with no clock: feed and sitemap dates are
//! review dates, so the same input gives the same bytes.

use std::sync::Arc;

use serde_json::{Value as Json, json};

use crate::load::Section;
use crate::parse::meta::{Date, SiteConfig};
use crate::parse::{Meta, Page};
use crate::resolve::Topics;
use crate::url;

/// The absolute URL of a page.
pub fn permalink(config: &SiteConfig, page: &Page) -> String {
    format!("{}{}", config.base_url(), url::of_source(&page.path, ""))
}

/// JSON-LD for a page: `MedicalWebPage` for articles, `DefinedTerm` for
/// glossary entries, `WebPage` for the rest. An article is `about` its
/// topics, each once, by the name the site shows.
pub fn page_jsonld(config: &SiteConfig, page: &Page, topics: &Topics) -> String {
    let link = permalink(config, page);
    let value = match &page.meta {
        Meta::Article(m) => json!({
            "@context": "https://schema.org",
            "@type": "MedicalWebPage",
            "name": m.title,
            "description": m.description,
            "url": link,
            "lastReviewed": m.reviewed.to_string(),
            "inLanguage": config.language,
            "about": topics.of(page).iter().map(|(_, t)| json!({ "@type": "Thing", "name": t })).collect::<Vec<_>>(),
            "publisher": { "@type": "Organization", "name": config.title, "url": config.base_url() },
        }),
        Meta::Glossary(_) => {
            let mut term = defined_term(config, page);
            term["@context"] = json!("https://schema.org");
            term["inDefinedTermSet"] = json!(format!("{}glossary/", config.base_url()));
            term
        }
        Meta::Page(m) => json!({
            "@context": "https://schema.org",
            "@type": "WebPage",
            "name": m.title,
            "description": m.description,
            "url": link,
            "inLanguage": config.language,
        }),
    };
    script_safe(&value)
}

fn defined_term(config: &SiteConfig, page: &Page) -> Json {
    let mut term = json!({
        "@type": "DefinedTerm",
        "name": page.meta.title(),
        "description": page.meta.description(),
        "url": permalink(config, page),
    });
    if let Meta::Glossary(m) = &page.meta
        && !m.aliases.is_empty()
    {
        term["alternateName"] = json!(m.aliases);
    }
    term
}

/// JSON-LD `DefinedTermSet` for the glossary index.
pub fn glossary_jsonld(config: &SiteConfig, terms: &[&Page]) -> String {
    script_safe(&json!({
        "@context": "https://schema.org",
        "@type": "DefinedTermSet",
        "name": format!("{} glossary", config.title),
        "url": format!("{}glossary/", config.base_url()),
        "inLanguage": config.language,
        "hasDefinedTerm": terms.iter().map(|p| defined_term(config, p)).collect::<Vec<_>>(),
    }))
}

/// JSON that can sit inside `<script>`: `<` is escaped so that no text in it
/// can close the element.
fn script_safe(value: &Json) -> String {
    serde_json::to_string(value)
        .expect("JSON serializes")
        .replace('<', "\\u003c")
}

fn xml_escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// `sitemap.xml`: every published page and index; articles carry their
/// review date as `lastmod`. A draft previewed with `--drafts` is left out.
pub fn sitemap(config: &SiteConfig, pages: &[Arc<Page>], index_urls: &[String]) -> String {
    let mut out = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    let base = config.base_url();
    for path in index_urls {
        out.push_str(&format!(
            "  <url><loc>{}</loc></url>\n",
            xml_escape(&format!("{base}{path}"))
        ));
    }
    for page in pages.iter().filter(|p| !p.meta.draft()) {
        let loc = xml_escape(&permalink(config, page));
        match &page.meta {
            Meta::Article(m) => out.push_str(&format!(
                "  <url><loc>{loc}</loc><lastmod>{}</lastmod></url>\n",
                m.reviewed
            )),
            _ => out.push_str(&format!("  <url><loc>{loc}</loc></url>\n")),
        }
    }
    out.push_str("</urlset>\n");
    out
}

pub fn robots(config: &SiteConfig) -> String {
    format!(
        "User-agent: *\nAllow: /\n\nSitemap: {}sitemap.xml\n",
        config.base_url()
    )
}

fn atom_date(date: &Date) -> String {
    format!("{date}T00:00:00Z")
}

/// An Atom feed of the articles, newest review first; drafts previewed with
/// `--drafts` are left out.
pub fn atom(config: &SiteConfig, pages: &[Arc<Page>]) -> String {
    let mut articles: Vec<(&Page, &crate::parse::meta::ArticleMeta)> = pages
        .iter()
        .filter_map(|p| match &p.meta {
            Meta::Article(m) if p.section == Section::Article && !m.draft => Some((&**p, m)),
            _ => None,
        })
        .collect();
    articles.sort_by(|a, b| (b.1.reviewed, &a.0.path).cmp(&(a.1.reviewed, &b.0.path)));
    let base = config.base_url();
    let updated = articles.first().map_or_else(
        || "1970-01-01T00:00:00Z".to_string(),
        |(_, m)| atom_date(&m.reviewed),
    );
    let mut out = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"{}\">\n  <title>{}</title>\n  <subtitle>{}</subtitle>\n  <id>{}</id>\n  <link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>\n  <link rel=\"self\" type=\"application/atom+xml\" href=\"{}atom.xml\"/>\n  <updated>{updated}</updated>\n  <author><name>{}</name></author>\n",
        xml_escape(&config.language),
        xml_escape(&config.title),
        xml_escape(&config.description),
        xml_escape(&base),
        xml_escape(&base),
        xml_escape(&base),
        xml_escape(&config.title),
    );
    for (page, meta) in articles {
        let link = xml_escape(&permalink(config, page));
        out.push_str(&format!(
            "  <entry>\n    <title>{}</title>\n    <id>{link}</id>\n    <link rel=\"alternate\" type=\"text/html\" href=\"{link}\"/>\n    <updated>{}</updated>\n    <summary>{}</summary>\n  </entry>\n",
            xml_escape(&meta.title),
            atom_date(&meta.reviewed),
            xml_escape(&meta.description),
        ));
    }
    out.push_str("</feed>\n");
    out
}
