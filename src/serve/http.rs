//! The HTTP side of `serve`: the stream of changes, and each request answered
//! from the project's outputs, HTML pages with the overlay and live script.

use std::convert::Infallible;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderValue, Method, StatusCode, Uri, header};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use tokio_stream::{Stream, StreamExt as _};

use super::overlay::inject;
use super::{EVENTS_PATH, Live, Served, reload_script};

/// The HTTP side: reload events and the site's files.
pub fn router(live: Live) -> Router {
    Router::new()
        .route(EVENTS_PATH, get(events))
        .fallback(file)
        .with_state(live)
}

async fn events(State(live): State<Live>) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    // Subscribed before the response starts, so a client that has read the
    // `connected` comment sees every later change; the `hello` event tells it
    // how many were published before, which the page it is on may lack.
    let receiver = live.0.changes.subscribe();
    let published = live.0.site.read().await.reloads;
    let hello = [
        Event::default()
            .retry(Duration::from_millis(500))
            .comment("connected"),
        Event::default()
            .event("hello")
            .data(format!("{{\"n\":{published}}}")),
    ];
    let changes = tokio_stream::wrappers::BroadcastStream::new(receiver).map(|change| {
        // A page that fell behind has missed a change: it reloads in full.
        let data = change.unwrap_or_else(|_| r#"{"lagged":true}"#.into());
        Ok(Event::default().event("reload").data(&*data))
    });
    Sse::new(tokio_stream::iter(hello.map(Ok)).chain(changes)).keep_alive(KeepAlive::default())
}

async fn file(State(live): State<Live>, method: Method, uri: Uri) -> Response {
    if method != Method::GET && method != Method::HEAD {
        let mut response = plain(StatusCode::METHOD_NOT_ALLOWED, "only GET and HEAD\n");
        response
            .headers_mut()
            .insert(header::ALLOW, HeaderValue::from_static("GET, HEAD"));
        return response;
    }
    let Some(path) = request_path(uri.path()) else {
        return plain(StatusCode::BAD_REQUEST, "bad path\n");
    };
    let site = live.0.site.read().await;
    if let Some(name) = site.search_file(&path) {
        drop(site);
        let index = {
            let live = live.clone();
            tokio::task::spawn_blocking(move || live.search_index()).await
        };
        let site = live.0.site.read().await;
        return match index.as_ref().ok().and_then(|index| index.get(&name)) {
            Some(bytes) => site.respond(StatusCode::OK, &name, bytes),
            None => plain(StatusCode::NOT_FOUND, "not in the search index\n"),
        };
    }
    match site.lookup(&path) {
        Lookup::File(name, bytes) => site.respond(StatusCode::OK, name, bytes),
        Lookup::Redirect(to) => {
            let to = match (to, uri.query()) {
                (Redirect::Slash, None) => format!("{}/", uri.path()),
                (Redirect::Slash, Some(query)) => format!("{}/?{query}", uri.path()),
                (Redirect::Home, _) => site.base_path.clone(),
            };
            let mut response = plain(StatusCode::TEMPORARY_REDIRECT, "");
            if let Ok(value) = HeaderValue::from_str(&to) {
                response.headers_mut().insert(header::LOCATION, value);
            }
            response
        }
        Lookup::Missing => match site.project.output("404.html") {
            Some(bytes) => site.respond(StatusCode::NOT_FOUND, "404.html", bytes),
            None => site.respond(StatusCode::NOT_FOUND, "404.html", NOT_FOUND.as_bytes()),
        },
    }
}

/// Served when the site has no `404.html` (it has never built without errors).
const NOT_FOUND: &str = "<!DOCTYPE html><html lang=en><head><meta charset=utf-8><title>Not found</title></head><body><h1>Not found</h1><p>There is no page at this address.</p></body></html>";

enum Lookup<'a> {
    File(&'a str, &'a [u8]),
    Redirect(Redirect),
    Missing,
}

enum Redirect {
    /// `x` names a folder with an `index.html`: to `x/`.
    Slash,
    /// `/` of a site published under a sub-folder: to that folder.
    Home,
}

impl Served {
    /// The output path of a file of the search index that `path` asks for,
    /// which [`Live::search_index`] holds, not the project.
    fn search_file(&self, path: &str) -> Option<String> {
        let rest = path.strip_prefix(self.base_path.as_str())?;
        rest.starts_with(crate::search::FOLDER)
            .then(|| rest.to_string())
    }

    fn lookup<'a>(&'a self, path: &'a str) -> Lookup<'a> {
        let Some(rest) = path.strip_prefix(self.base_path.as_str()) else {
            if format!("{path}/") == self.base_path {
                return Lookup::Redirect(Redirect::Slash);
            }
            if path == "/" {
                return Lookup::Redirect(Redirect::Home);
            }
            return Lookup::Missing;
        };
        if rest.is_empty() || rest.ends_with('/') {
            return match self.project.output(&format!("{rest}index.html")) {
                Some(bytes) => Lookup::File("index.html", bytes),
                None => Lookup::Missing,
            };
        }
        if let Some(bytes) = self.project.output(rest) {
            return Lookup::File(rest, bytes);
        }
        if self.project.output(&format!("{rest}/index.html")).is_some() {
            return Lookup::Redirect(Redirect::Slash);
        }
        Lookup::Missing
    }

    /// The file's bytes with its content type; HTML pages get the overlay and the
    /// reload script.
    fn respond(&self, status: StatusCode, name: &str, bytes: &[u8]) -> Response {
        let kind = content_type(name);
        let body = if kind.starts_with("text/html") {
            let extra = self.overlay.clone() + &reload_script(self.reloads);
            inject(bytes, &extra)
        } else {
            bytes.to_vec()
        };
        let mut response = Response::new(Body::from(body));
        *response.status_mut() = status;
        let headers = response.headers_mut();
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(kind));
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        headers.insert(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        );
        response
    }
}

fn plain(status: StatusCode, text: &'static str) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        text,
    )
        .into_response()
}

/// The request path percent-decoded, or `None` if it is malformed or tries to
/// leave the site: `.` and `..` segments (also as `%2e%2e` or with `%2f`), empty
/// segments, backslashes and NUL are refused rather than cleaned up.
pub(super) fn request_path(raw: &str) -> Option<String> {
    if !raw.starts_with('/') {
        return None;
    }
    let path = crate::url::percent_decode_strict(raw)?;
    if path.contains(['\\', '\0']) {
        return None;
    }
    let segments: Vec<&str> = path[1..].split('/').collect();
    let last = segments.len() - 1;
    for (i, segment) in segments.iter().enumerate() {
        if *segment == "." || *segment == ".." || (segment.is_empty() && i != last) {
            return None;
        }
    }
    Some(path.into_owned())
}

/// The content type of an output file, from its extension; text is always UTF-8.
pub fn content_type(name: &str) -> &'static str {
    let extension = name.rsplit_once('.').map_or("", |(_, e)| e);
    match extension.to_ascii_lowercase().as_str() {
        "html" | "htm" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "xml" => "application/xml; charset=utf-8",
        "txt" => "text/plain; charset=utf-8",
        "json" | "map" => "application/json; charset=utf-8",
        "webmanifest" => "application/manifest+json; charset=utf-8",
        "svg" => "image/svg+xml; charset=utf-8",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "avif" => "image/avif",
        "ico" => "image/x-icon",
        "pdf" => "application/pdf",
        "woff2" => "font/woff2",
        "woff" => "font/woff",
        _ => "application/octet-stream",
    }
}
