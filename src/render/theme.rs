//! The theme: its templates loaded, checked and minified once, with osteon's
//! functions (`data_table`, `data_value`, `asset`) registered, and the hashed
//! names of its CSS and JS.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde_json::{Value as Json, json};
use tera::{Context, Kwargs, State, Tera, Value};

use crate::diagnostic::{Code, Diagnostic, closest};
use crate::load::Sources;
use crate::parse::data::Data;
use crate::parse::meta::SiteConfig;
use crate::render::minify;
use crate::resolve::Site;

use super::REQUIRED;
use super::errors::template_diagnostic;

/// The theme's templates with osteon's functions registered: loaded and
/// checked once, and kept between rebuilds by `serve`.
pub struct Theme {
    /// The templates minified (see [`minify::template`]): what pages are rendered with.
    pub(super) tera: Tera,
    /// The templates as written, when any was minified: a failed render is
    /// repeated with these so its diagnostic points at the right line.
    pub(super) as_written: Option<Tera>,
}

impl Theme {
    /// Renders `template`; an error comes from the templates as written.
    pub(super) fn render(&self, template: &str, context: &Context) -> tera::TeraResult<String> {
        self.tera
            .render(template, context)
            .or_else(|e| match &self.as_written {
                Some(as_written) => as_written.render(template, context),
                None => Err(e),
            })
    }

    pub(super) fn contains_template(&self, name: &str) -> bool {
        self.tera.contains_template(name)
    }

    pub(super) fn template_names(&self) -> impl Iterator<Item = &str> {
        self.tera.get_template_names()
    }
}

/// Loads the theme's templates; a missing or broken template is a diagnostic.
pub fn load_theme(site: &Site, sources: &Sources) -> Result<Theme, Vec<Diagnostic>> {
    load_theme_as_written(site, sources).map(|theme| minified(theme.tera, sources))
}

/// The theme with each HTML template minified where that is safe, keeping the
/// templates as written for diagnostics. Errors are found in the templates as
/// written first, so they point at the author's lines.
fn minified(as_written: Tera, sources: &Sources) -> Theme {
    let named: Vec<(&str, String)> = sources
        .templates
        .iter()
        .filter(|f| f.path.ends_with(".html"))
        .filter_map(|f| Some((sources.template_name(f), minify::template(&f.text)?)))
        .collect();
    let mut tera = as_written.clone();
    match tera.add_raw_templates(named) {
        Ok(()) => Theme {
            tera,
            as_written: Some(as_written),
        },
        // Every tag comes out of the minifier as it went in, so this should not
        // happen; if it does, the templates as written still render the site.
        Err(_) => Theme {
            tera: as_written,
            as_written: None,
        },
    }
}

/// The theme exactly as written, for comparing with the minified one.
pub fn load_theme_as_written(site: &Site, sources: &Sources) -> Result<Theme, Vec<Diagnostic>> {
    let mut diagnostics = Vec::new();
    let assets = hashed_assets(sources);
    match templates(site, sources, &assets, &mut diagnostics) {
        Some(tera) => Ok(Theme {
            tera,
            as_written: None,
        }),
        None => Err(diagnostics),
    }
}

/// Output names of the theme's CSS and JS with a hash of their content, so a
/// browser never uses a stale copy: `style.css` → `style.1a2b3c4d.css`.
pub fn hashed_assets(sources: &Sources) -> BTreeMap<String, String> {
    sources
        .assets
        .iter()
        .filter(|a| a.output.ends_with(".css") || a.output.ends_with(".js"))
        .map(|a| {
            let (stem, ext) = a.output.rsplit_once('.').expect("has an extension");
            (
                a.output.clone(),
                format!("{stem}.{:08x}.{ext}", fnv1a(&a.bytes) as u32),
            )
        })
        .collect()
}

/// FNV-1a: a stable hash (std's hasher may change between Rust releases).
pub(crate) fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// Loads the theme's templates and registers the data functions.
fn templates(
    site: &Site,
    sources: &Sources,
    assets: &BTreeMap<String, String>,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<Tera> {
    let mut tera = Tera::new();
    tera.autoescape_on(vec![".html", ".xml"]);
    // Functions first: tera checks at load time that every called function exists.
    register_data_functions(
        &mut tera,
        Arc::new(site.parsed.data.clone()),
        &site.parsed.config.language,
    );
    register_asset_function(&mut tera, assets, sources, &site.parsed.config.base_path());
    let named: Vec<(&str, &str)> = sources
        .templates
        .iter()
        .map(|f| (sources.template_name(f), f.text.as_str()))
        .collect();
    if let Err(e) = tera.add_raw_templates(named) {
        diagnostics.push(template_diagnostic(&e, sources));
        return None;
    }
    let mut missing = false;
    for name in REQUIRED {
        if !tera.contains_template(name) {
            missing = true;
            diagnostics.push(
                Diagnostic::error(
                    Code::Template,
                    &sources.template_dir,
                    0..0,
                    format!("the theme has no template `{name}`"),
                )
                .with_hint(format!(
                    "add {}{name}, or templates/{name} to the site",
                    sources.template_dir
                )),
            );
        }
    }
    if missing {
        return None;
    }
    let search = tera.contains_template(super::indexes::SEARCH_TEMPLATE);
    tera.global_context()
        .insert("site", &site_value(&site.parsed.config, search));
    Some(tera)
}

/// The `site` every template knows; `search_url` is the search page's
/// address, or empty when the theme has no search page.
fn site_value(config: &SiteConfig, search: bool) -> Json {
    let search_url = match search {
        true => format!("{}search/", config.base_path()),
        false => String::new(),
    };
    json!({
        "search_url": search_url,
        "title": config.title,
        "description": config.description,
        "base_url": config.base_url(),
        "base_path": config.base_path(),
        "language": config.language,
        "notice": config.notice,
    })
}

/// `data_table(data, table)`, `data_value(data, table, row, field)` and
/// `data_value(data, value)` for templates and shortcodes; all format through
/// `data`, so text and tables agree.
fn register_data_functions(tera: &mut Tera, data: Arc<Data>, language: &str) {
    let d = Arc::clone(&data);
    let language = language.to_string();
    tera.register_function(
        "data_table",
        move |kwargs: Kwargs, _: &State| -> tera::TeraResult<Value> {
            let file: String = kwargs.must_get("data")?;
            let table: String = kwargs.must_get("table")?;
            let value = d
                .table_value(&file, &table, &language)
                .map_err(tera::Error::message)?;
            Ok(Value::from_serializable(&value))
        },
    );
    tera.register_function(
        "data_value",
        move |kwargs: Kwargs, _: &State| -> tera::TeraResult<String> {
            let file: String = kwargs.must_get("data")?;
            let figure: Option<String> = kwargs.get("value")?;
            let found = match figure {
                Some(name) if kwargs.get::<String>("table")?.is_some() => Err(format!(
                    "give either `value` (a figure of `[values]`) or `table` and `row`, not both; `{name}` is a value"
                )),
                Some(name) => data.figure(&file, &name),
                None => {
                    let table: String = kwargs.must_get("table")?;
                    let row: String = kwargs.must_get("row")?;
                    let field: Option<String> = kwargs.get("field")?;
                    data.value(&file, &table, &row, field.as_deref())
                }
            };
            found.map_err(tera::Error::message)
        },
    );
}

/// `asset(path="style.css")`: the URL of a static file, with its content hash
/// for CSS and JS; an unknown path is a template error naming the closest.
fn register_asset_function(
    tera: &mut Tera,
    hashed: &BTreeMap<String, String>,
    sources: &Sources,
    base_path: &str,
) {
    let mut urls: BTreeMap<String, String> = sources
        .assets
        .iter()
        .map(|a| (a.output.clone(), format!("{base_path}{}", a.output)))
        .collect();
    for (plain, hashed) in hashed {
        urls.insert(plain.clone(), format!("{base_path}{hashed}"));
    }
    tera.register_function(
        "asset",
        move |kwargs: Kwargs, _: &State| -> tera::TeraResult<String> {
            let path: String = kwargs.must_get("path")?;
            urls.get(&path).cloned().ok_or_else(|| {
                let mut m = format!("there is no static file `{path}`");
                if let Some(c) = closest(&path, urls.keys().map(String::as_str)) {
                    m.push_str(&format!("; did you mean `{c}`?"));
                }
                tera::Error::message(m)
            })
        },
    );
}
