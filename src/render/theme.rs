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
    /// Templates left out because they failed to load (reported already):
    /// a shortcode whose template is here is broken, not unknown.
    pub(super) broken: Vec<String>,
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

    /// Whether template `name` exists but failed to load.
    pub(super) fn is_broken(&self, name: &str) -> bool {
        self.broken.iter().any(|b| b == name)
    }
}

/// Loads the theme's templates; a missing or broken template is a diagnostic,
/// each one of them. A theme that cannot render pages still fills every
/// page's holes with the templates that did load, so its errors hide no
/// shortcode or glossary-note error of the content.
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
            broken: Vec::new(),
        },
        // Every tag comes out of the minifier as it went in, so this should not
        // happen; if it does, the templates as written still render the site.
        Err(_) => Theme {
            tera: as_written,
            as_written: None,
            broken: Vec::new(),
        },
    }
}

/// The theme exactly as written, for comparing with the minified one.
pub fn load_theme_as_written(site: &Site, sources: &Sources) -> Result<Theme, Vec<Diagnostic>> {
    let mut diagnostics = Vec::new();
    let assets = hashed_assets(sources);
    let (tera, broken) = templates(site, sources, &assets, &mut diagnostics);
    match tera {
        Some(tera) if diagnostics.is_empty() => Ok(Theme {
            tera,
            as_written: None,
            broken,
        }),
        partial => {
            if let Some(tera) = partial {
                let theme = Theme {
                    tera,
                    as_written: None,
                    broken,
                };
                let none = std::collections::HashSet::new();
                // Filed with the theme's problems: while the theme is broken,
                // `serve` reloads everything on every edit.
                let holes = super::unrendered_holes(site, sources, &theme, &none);
                diagnostics.extend(holes.into_iter().flat_map(|(_, ds)| ds));
            }
            Err(diagnostics)
        }
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

/// Loads the theme's templates and registers the data functions. Each
/// template that fails to load is reported and left out, so one broken
/// template hides no other; the templates that loaded are returned with the
/// names of those left out, or `None` when no set of them could be loaded.
fn templates(
    site: &Site,
    sources: &Sources,
    assets: &BTreeMap<String, String>,
    diagnostics: &mut Vec<Diagnostic>,
) -> (Option<Tera>, Vec<String>) {
    let data = Arc::new(site.parsed.data.clone());
    let new_tera = || {
        let mut tera = Tera::new();
        tera.autoescape_on(vec![".html", ".xml"]);
        // Functions first: tera checks at load time that every called function exists.
        register_data_functions(&mut tera, data.clone(), &site.parsed.config.language);
        register_asset_function(&mut tera, assets, sources, &site.parsed.config.base_path());
        tera
    };
    let named: Vec<(&str, &str)> = sources
        .templates
        .iter()
        .map(|f| (sources.template_name(f), f.text.as_str()))
        .collect();
    let mut tera = new_tera();
    let broken = match add_each(&mut tera, named.clone(), sources, diagnostics) {
        Ok(broken) => broken,
        // An error tera does not tie to one template: the templates holes
        // use, alone, may still load, for the content's errors.
        Err(mut broken) => {
            let holes = named.into_iter().filter(|(name, _)| {
                (name.starts_with("shortcodes/") || *name == "partials/term.html")
                    && !broken.iter().any(|b| b == name)
            });
            let mut more = Vec::new();
            tera = new_tera();
            let loaded = add_each(&mut tera, holes.collect(), sources, &mut more);
            for d in more {
                if !diagnostics.contains(&d) {
                    diagnostics.push(d);
                }
            }
            return match loaded {
                Ok(mut also) => {
                    broken.append(&mut also);
                    (Some(tera), broken)
                }
                Err(_) => (None, broken),
            };
        }
    };
    for name in REQUIRED {
        if !tera.contains_template(name) && !broken.iter().any(|b| b == name) {
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
    let search = tera.contains_template(super::indexes::SEARCH_TEMPLATE);
    tera.global_context()
        .insert("site", &site_value(&site.parsed.config, search));
    (Some(tera), broken)
}

/// Adds `named` to `tera`, leaving out each template that fails to load,
/// with its diagnostic; one that extends a template left out goes too,
/// without one. Returns the names left out, or them as an error when tera
/// reports a failure it does not tie to a template of `named`.
fn add_each(
    tera: &mut Tera,
    mut named: Vec<(&str, &str)>,
    sources: &Sources,
    diagnostics: &mut Vec<Diagnostic>,
) -> Result<Vec<String>, Vec<String>> {
    let mut broken: Vec<String> = Vec::new();
    loop {
        let Err(e) = tera.add_raw_templates(named.iter().copied()) else {
            return Ok(broken);
        };
        let (culprit, consequence) = match e.kind() {
            tera::ErrorKind::SyntaxError(r) | tera::ErrorKind::RenderingError(r) => {
                (Some(r.filename().to_string()), false)
            }
            tera::ErrorKind::MissingParent { current, parent } => {
                (Some(current.clone()), broken.contains(parent))
            }
            tera::ErrorKind::CircularExtend { tpl, .. }
            | tera::ErrorKind::CircularInclude { tpl, .. } => (Some(tpl.clone()), false),
            // Reports of unknown filters, functions or included templates,
            // joined: an include of a template left out is a consequence.
            kind => (
                None,
                broken.iter().any(|b| {
                    kind.to_string()
                        .contains(&format!("Unknown template `{b}`"))
                }),
            ),
        };
        if !consequence {
            diagnostics.push(template_diagnostic(&e, sources));
        }
        match culprit.and_then(|c| named.iter().position(|(name, _)| *name == c)) {
            Some(i) => broken.push(named.remove(i).0.to_string()),
            None => return Err(broken),
        }
    }
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
