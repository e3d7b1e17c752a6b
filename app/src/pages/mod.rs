//! The routed pages, one per file.

pub mod admin;
mod board;
mod landing;
mod not_found;

pub use admin::AdminPage;
pub use board::BoardPage;
pub use landing::Landing;
pub use not_found::NotFound;
