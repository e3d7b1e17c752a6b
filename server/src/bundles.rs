//! `/pkg`: the WASM bundles, their scripts and the stylesheet. A release build
//! (`scripts/build-site.sh --release`) stores each file also compressed ahead of time —
//! `.br` at brotli's best quality, `.gz` at gzip's — and those go out to browsers that
//! accept them: brotli's best is ~20 % smaller than what the response layer can afford per
//! request (the board's bundle: 259 KiB instead of 321 KiB on the wire), which is seconds
//! on a slow phone link, and costs no CPU per request. Files without such copies (debug
//! builds) are compressed on the fly by the response layer like every page.

use leptos::config::LeptosOptions;
use std::path::Path;
use tower_http::services::ServeDir;

/// The URL path the bundles are under (`/pkg`) and the service that serves them.
pub fn service(options: &LeptosOptions) -> (String, ServeDir) {
    let dir = Path::new(&*options.site_root).join(&*options.site_pkg_dir);
    let files = ServeDir::new(dir).precompressed_br().precompressed_gzip();
    (format!("/{}", options.site_pkg_dir), files)
}
