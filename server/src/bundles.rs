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
use tracing::warn;

/// The URL path the bundles are under (`/pkg`) and the service that serves them.
pub fn service(options: &LeptosOptions) -> (String, ServeDir) {
    let dir = Path::new(&*options.site_root).join(&*options.site_pkg_dir);
    let mut files = ServeDir::new(&dir);
    if copies_are_current(&dir) {
        files = files.precompressed_br().precompressed_gzip();
    } else {
        warn!(
            dir = %dir.display(),
            "compressed copies older than the files they copy: serving the files, compressed per request"
        );
    }
    (format!("/{}", options.site_pkg_dir), files)
}

/// Whether every compressed copy in `dir` is at least as new as the file it copies. A
/// build that rewrites the bundles without making copies (cargo-leptos, say, after a
/// release build) leaves the old copies behind, and serving them would load the old
/// bundle; then none are served.
fn copies_are_current(dir: &Path) -> bool {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return true;
    };
    let modified = |path: &Path| path.metadata().and_then(|m| m.modified()).ok();
    entries.flatten().all(|entry| {
        let copy = entry.path();
        if !copy
            .extension()
            .is_some_and(|ext| ext == "br" || ext == "gz")
        {
            return true;
        }
        match (modified(&copy), modified(&copy.with_extension(""))) {
            (Some(copied), Some(original)) => copied >= original,
            _ => false,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, SystemTime};

    fn touch(path: &Path, at: SystemTime) {
        std::fs::File::options()
            .append(true)
            .open(path)
            .unwrap()
            .set_modified(at)
            .unwrap();
    }

    #[test]
    fn copies_older_than_their_file_are_not_current() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("tether.wasm");
        let copy = dir.path().join("tether.wasm.br");
        std::fs::write(&file, b"plain").unwrap();
        std::fs::write(&copy, b"copy").unwrap();
        std::fs::write(dir.path().join("tether.css"), b"no copies").unwrap();
        let built = SystemTime::now() - Duration::from_secs(60);
        touch(&file, built);
        touch(&copy, built);
        assert!(copies_are_current(dir.path()));

        // The bundle rebuilt without new copies.
        touch(&file, built + Duration::from_secs(30));
        assert!(!copies_are_current(dir.path()));

        // A copy of a file that is gone is not current either.
        std::fs::remove_file(&file).unwrap();
        assert!(!copies_are_current(dir.path()));

        assert!(copies_are_current(&dir.path().join("missing")));
    }
}
