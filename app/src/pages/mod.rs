//! The routed pages, one per file.

mod board;
mod landing;
mod not_found;

pub use board::BoardPage;
pub use landing::Landing;
pub use not_found::NotFound;
