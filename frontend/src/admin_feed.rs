//! The dashboard's refresh: `GET /api/admin/stats` (the admin cookie the page set goes
//! along, same-origin).

use app::pages::admin::AdminFeed;
use tether_core::protocol::admin::AdminStats;

/// Fetches the dashboard's numbers from this page's server.
pub struct BrowserAdminFeed;

impl AdminFeed for BrowserAdminFeed {
    fn fetch(&self, done: Box<dyn FnOnce(Option<AdminStats>)>) {
        wasm_bindgen_futures::spawn_local(async move {
            let stats = match gloo_net::http::Request::get("/api/admin/stats")
                .send()
                .await
            {
                Ok(response) if response.ok() => response.json::<AdminStats>().await.ok(),
                _ => None,
            };
            done(stats);
        });
    }
}
