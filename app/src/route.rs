//! Which page a URL shows — `/` the landing page, `/b/{room}` a board, anything else "not
//! found" — and the `?name=` it carries. Two pages need no client-side router (a sizeable
//! part of the WASM): the server renders the page for the request's URL and the browser
//! renders the same one; links between the pages are ordinary page loads.

/// A page of the app.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Page {
    /// `/`.
    Landing,
    /// `/b/{room}` (the room as written; the board page checks it).
    Board(String),
    /// `/admin`: the operator dashboard.
    Admin,
    /// Anything else.
    NotFound,
}

/// The WASM bundle a page loads. The operator dashboard is a bundle of its own, so
/// people drawing never download it (it made the board's bundle ~47 KiB gzip larger, see
/// docs/BENCHMARKS.md), and the dashboard does not carry the board.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bundle {
    /// Landing page, boards and "not found": `/pkg/<name>.{js,wasm}`.
    Board,
    /// `/admin`: `/pkg/<name>-admin.{js,wasm}` (the `frontend` crate built with its
    /// `dashboard` feature).
    Dashboard,
}

impl Bundle {
    /// The bundle that shows `page`.
    pub fn for_page(page: &Page) -> Bundle {
        match page {
            Page::Admin => Bundle::Dashboard,
            Page::Landing | Page::Board(_) | Page::NotFound => Bundle::Board,
        }
    }

    /// The bundle's file name without extension, given the board bundle's
    /// (`LEPTOS_OUTPUT_NAME`, `tether`).
    pub fn output_name(self, board_bundle: &str) -> String {
        match self {
            Bundle::Board => board_bundle.to_owned(),
            Bundle::Dashboard => format!("{board_bundle}-admin"),
        }
    }
}

/// The page for a URL path.
pub fn page_for(path: &str) -> Page {
    match path {
        "" | "/" => Page::Landing,
        "/admin" => Page::Admin,
        _ => match path.strip_prefix("/b/") {
            Some(room) if !room.contains('/') => Page::Board(room.to_owned()),
            _ => Page::NotFound,
        },
    }
}

/// The value of `key` in a query string (`a=1&name=Ann%20B`), percent- and `+`-decoded.
pub fn query_value(query: &str, key: &str) -> Option<String> {
    query
        .trim_start_matches('?')
        .split('&')
        .filter_map(|pair| pair.split_once('=').or(Some((pair, ""))))
        .find(|(k, _)| decode(k).as_deref() == Some(key))
        .and_then(|(_, value)| decode(value))
}

/// Decodes `%XX` escapes and `+`; `None` when the result is not UTF-8 or an escape is
/// malformed.
fn decode(text: &str) -> Option<String> {
    let mut bytes = Vec::with_capacity(text.len());
    let mut input = text.bytes();
    while let Some(byte) = input.next() {
        match byte {
            b'+' => bytes.push(b' '),
            b'%' => {
                let hex = [input.next()?, input.next()?];
                bytes.push(u8::from_str_radix(std::str::from_utf8(&hex).ok()?, 16).ok()?);
            }
            other => bytes.push(other),
        }
    }
    String::from_utf8(bytes).ok()
}

/// The path and query of the page being rendered: the request's on the server, the
/// address bar's in the browser.
pub fn current_url() -> (String, String) {
    #[cfg(feature = "ssr")]
    {
        leptos::prelude::use_context::<http::request::Parts>()
            .map(|parts| {
                let uri = &parts.uri;
                (
                    uri.path().to_owned(),
                    uri.query().unwrap_or_default().to_owned(),
                )
            })
            .unwrap_or_default()
    }
    #[cfg(not(feature = "ssr"))]
    {
        web_sys::window()
            .map(|w| w.location())
            .map(|l| {
                (
                    l.pathname().unwrap_or_default(),
                    l.search().unwrap_or_default(),
                )
            })
            .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_map_to_pages() {
        assert_eq!(page_for("/"), Page::Landing);
        assert_eq!(page_for("/b/abc_123"), Page::Board("abc_123".into()));
        assert_eq!(page_for("/b/bad room!"), Page::Board("bad room!".into()));
        assert_eq!(page_for("/b/a/b"), Page::NotFound);
        assert_eq!(page_for("/nope"), Page::NotFound);
        assert_eq!(page_for("/admin"), Page::Admin);
        assert_eq!(page_for("/b"), Page::NotFound);
    }

    #[test]
    fn only_the_dashboard_uses_the_dashboard_bundle() {
        assert_eq!(Bundle::for_page(&page_for("/admin")), Bundle::Dashboard);
        for path in ["/", "/b/room", "/nope"] {
            assert_eq!(Bundle::for_page(&page_for(path)), Bundle::Board, "{path}");
        }
        assert_eq!(Bundle::Board.output_name("tether"), "tether");
        assert_eq!(Bundle::Dashboard.output_name("tether"), "tether-admin");
    }

    #[test]
    fn query_values_are_decoded() {
        assert_eq!(
            query_value("?name=Ann%20B", "name").as_deref(),
            Some("Ann B")
        );
        assert_eq!(
            query_value("x=1&name=J%C3%BCrgen+K", "name").as_deref(),
            Some("Jürgen K")
        );
        assert_eq!(query_value("name=", "name").as_deref(), Some(""));
        assert_eq!(query_value("other=1", "name"), None);
        assert_eq!(query_value("name=%zz", "name"), None);
        assert_eq!(query_value("name=%C3", "name"), None);
        assert_eq!(query_value("", "name"), None);
    }
}
