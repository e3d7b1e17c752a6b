//! How one viewer looks at the board: the camera (pan and zoom over board coordinates
//! that do not depend on anyone's window) and the gesture machine that decides which
//! pointers draw and which move the camera. Pure: the app's canvas feeds it DOM events.

mod camera;
mod gestures;

pub use camera::{content_bounds, Bounds, Camera, FIT_MARGIN, MAX_ZOOM, MIN_ZOOM, ZOOM_STEP};
pub use gestures::{Button, Gesture, Gestures, PointerKind, Sample, PALM_GRACE_MS};
