//! How one viewer looks at the board: the camera (pan and zoom over board coordinates
//! that do not depend on anyone's window), the gesture machine that decides which
//! pointers draw and which move the camera, the outline every stroke is drawn as, and the
//! board as SVG. Pure: the app's canvas feeds it DOM events and draws what it says.

mod camera;
mod gestures;
mod outline;
mod svg;

pub use camera::{content_bounds, Bounds, Camera, FIT_MARGIN, MAX_ZOOM, MIN_ZOOM, ZOOM_STEP};
pub use gestures::{Button, Gesture, Gestures, PointerKind, Sample, PALM_GRACE_MS};
pub use outline::{outline, Outline, Piece};
pub use svg::{export_frame, to_svg, EXPORT_MARGIN};
