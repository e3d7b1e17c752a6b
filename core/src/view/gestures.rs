//! Pointer gestures on the board: which pointer draws, and which pan or zoom.
//!
//! Browsers report mouse, pen and every finger as separate pointers with their own ids;
//! this machine turns their downs, moves and ups into what the board should do:
//! - one finger, a pen, or the left mouse button draws (one stroke at a time);
//! - two fingers pan and pinch-zoom, and never draw: a stroke the first finger had begun
//!   is cancelled when the second lands;
//! - the middle mouse button, or the left one while the pan key (space) is held, pans;
//! - while a pen is in use (down, or lifted less than [`PALM_GRACE_MS`] ago) touches are
//!   ignored: they are the hand resting on the screen. A pen landing while a "finger"
//!   (the palm, which usually lands first) is drawing cancels that stroke.
//!
//! Positions are screen positions (CSS pixels from the board's top-left); the caller maps
//! strokes to board units with the [`super::Camera`].

/// Touches that begin this soon after the pen lifts are palms too.
pub const PALM_GRACE_MS: f64 = 600.0;

/// What kind of device a pointer is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PointerKind {
    /// A mouse or trackpad.
    Mouse,
    /// A stylus.
    Pen,
    /// A finger (or a palm).
    Touch,
}

impl PointerKind {
    /// From the DOM's `pointerType` (`"mouse"`, `"pen"`, `"touch"`; unknown types act as a mouse).
    pub fn from_dom(pointer_type: &str) -> Self {
        match pointer_type {
            "pen" => Self::Pen,
            "touch" => Self::Touch,
            _ => Self::Mouse,
        }
    }
}

/// Which button went down (the DOM's `button`: 0 primary, 1 middle).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Button {
    /// Left mouse button, pen tip, finger.
    Primary,
    /// Middle mouse button (or wheel press).
    Middle,
    /// Anything else (right button, pen barrel button...): ignored.
    Other,
}

impl Button {
    /// From the DOM's `button` number.
    pub fn from_dom(button: i16) -> Self {
        match button {
            0 => Self::Primary,
            1 => Self::Middle,
            _ => Self::Other,
        }
    }
}

/// One pointer sample.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Sample {
    /// The browser's pointer id.
    pub id: i32,
    /// The device.
    pub kind: PointerKind,
    /// Screen position.
    pub at: (f32, f32),
    /// Pressure in `0..=1` for pens.
    pub pressure: Option<f32>,
}

/// What the board should do after a pointer event.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Gesture {
    /// Begin a stroke here.
    StartStroke {
        /// Screen position.
        at: (f32, f32),
        /// Pen pressure.
        pressure: Option<f32>,
    },
    /// Continue the stroke in progress.
    ExtendStroke {
        /// Screen position.
        at: (f32, f32),
        /// Pen pressure.
        pressure: Option<f32>,
    },
    /// The stroke in progress is done: submit it.
    FinishStroke,
    /// The stroke in progress was not meant (a second finger, a palm): drop it.
    CancelStroke,
    /// Move the camera: the board point under `from` goes under `to`, zoom × `scale`.
    MoveCamera {
        /// Screen point before.
        from: (f32, f32),
        /// Screen point after.
        to: (f32, f32),
        /// Zoom factor.
        scale: f32,
    },
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Mode {
    Idle,
    Drawing {
        pointer: i32,
    },
    Panning {
        pointer: i32,
        last: (f32, f32),
    },
    Pinching {
        a: i32,
        b: i32,
    },
    /// After a pinch, until every finger is lifted: the last finger must not draw.
    Settling,
}

/// The gesture machine of one board.
#[derive(Debug, Clone)]
pub struct Gestures {
    mode: Mode,
    /// Fingers on the screen: id, last position, and whether they are palms to ignore.
    touches: Vec<(i32, (f32, f32), bool)>,
    /// The pen on the screen, if one is.
    pen: Option<i32>,
    pen_lifted_at: Option<f64>,
}

impl Default for Gestures {
    fn default() -> Self {
        Self::new()
    }
}

impl Gestures {
    /// No pointer down.
    pub fn new() -> Self {
        Self {
            mode: Mode::Idle,
            touches: Vec::new(),
            pen: None,
            pen_lifted_at: None,
        }
    }

    /// True while a stroke is being drawn.
    pub fn is_drawing(&self) -> bool {
        matches!(self.mode, Mode::Drawing { .. })
    }

    /// True while the camera is being moved by a pointer.
    pub fn is_moving_camera(&self) -> bool {
        matches!(self.mode, Mode::Panning { .. } | Mode::Pinching { .. })
    }

    fn pen_in_use(&self, now_ms: f64) -> bool {
        self.pen.is_some()
            || self
                .pen_lifted_at
                .is_some_and(|lifted| now_ms - lifted < PALM_GRACE_MS)
    }

    fn drawing_with_touch(&self) -> bool {
        matches!(self.mode, Mode::Drawing { pointer } if self.touch(pointer).is_some())
    }

    fn touch(&self, id: i32) -> Option<(f32, f32)> {
        self.touches
            .iter()
            .find(|(touch, _, _)| *touch == id)
            .map(|&(_, at, _)| at)
    }

    /// A pointer went down. `pan_key` is true while the pan key (space) is held.
    pub fn down(
        &mut self,
        sample: Sample,
        button: Button,
        pan_key: bool,
        now_ms: f64,
    ) -> Vec<Gesture> {
        let start = Gesture::StartStroke {
            at: sample.at,
            pressure: sample.pressure,
        };
        match sample.kind {
            PointerKind::Touch => {
                if self.touch(sample.id).is_some() {
                    return Vec::new(); // a repeated down for a finger already known
                }
                let palm = self.pen_in_use(now_ms);
                self.touches.retain(|(id, _, _)| *id != sample.id);
                self.touches.push((sample.id, sample.at, palm));
                if palm {
                    return Vec::new();
                }
                match self.mode {
                    Mode::Idle => {
                        self.mode = Mode::Drawing { pointer: sample.id };
                        vec![start]
                    }
                    Mode::Drawing { pointer } if self.touch(pointer).is_some() => {
                        self.mode = Mode::Pinching {
                            a: pointer,
                            b: sample.id,
                        };
                        vec![Gesture::CancelStroke]
                    }
                    _ => Vec::new(),
                }
            }
            PointerKind::Pen => {
                if button != Button::Primary {
                    return Vec::new();
                }
                self.pen = Some(sample.id);
                // Whatever touches the screen now is the hand holding the pen.
                for touch in &mut self.touches {
                    touch.2 = true;
                }
                let mut gestures = Vec::new();
                if self.drawing_with_touch() {
                    gestures.push(Gesture::CancelStroke);
                } else if !matches!(
                    self.mode,
                    Mode::Idle | Mode::Pinching { .. } | Mode::Settling
                ) {
                    return gestures;
                }
                self.mode = Mode::Drawing { pointer: sample.id };
                gestures.push(start);
                gestures
            }
            PointerKind::Mouse => {
                if self.mode != Mode::Idle {
                    return Vec::new();
                }
                match (button, pan_key) {
                    (Button::Primary, false) => {
                        self.mode = Mode::Drawing { pointer: sample.id };
                        vec![start]
                    }
                    (Button::Primary, true) | (Button::Middle, _) => {
                        self.mode = Mode::Panning {
                            pointer: sample.id,
                            last: sample.at,
                        };
                        Vec::new()
                    }
                    (Button::Other, _) => Vec::new(),
                }
            }
        }
    }

    /// A pointer moved (call once per coalesced sample, oldest first).
    pub fn moved(&mut self, sample: Sample) -> Vec<Gesture> {
        let before = self.touch(sample.id);
        if let Some(touch) = self.touches.iter_mut().find(|(id, _, _)| *id == sample.id) {
            touch.1 = sample.at;
        }
        match self.mode {
            Mode::Drawing { pointer } if pointer == sample.id => vec![Gesture::ExtendStroke {
                at: sample.at,
                pressure: sample.pressure,
            }],
            Mode::Panning { pointer, last } if pointer == sample.id => {
                self.mode = Mode::Panning {
                    pointer,
                    last: sample.at,
                };
                vec![Gesture::MoveCamera {
                    from: last,
                    to: sample.at,
                    scale: 1.0,
                }]
            }
            Mode::Pinching { a, b } if sample.id == a || sample.id == b => {
                let other = if sample.id == a { b } else { a };
                let (Some(before), Some(other)) = (before, self.touch(other)) else {
                    return Vec::new();
                };
                let (mid_before, distance_before) = span(before, other);
                let (mid_after, distance_after) = span(sample.at, other);
                let scale = if distance_before > 1.0 && distance_after > 1.0 {
                    distance_after / distance_before
                } else {
                    1.0
                };
                vec![Gesture::MoveCamera {
                    from: mid_before,
                    to: mid_after,
                    scale,
                }]
            }
            _ => Vec::new(),
        }
    }

    /// A pointer was lifted.
    pub fn up(&mut self, id: i32, now_ms: f64) -> Vec<Gesture> {
        self.ended(id, now_ms, Gesture::FinishStroke)
    }

    /// The browser took a pointer away (`pointercancel`): its stroke is dropped.
    pub fn cancelled(&mut self, id: i32, now_ms: f64) -> Vec<Gesture> {
        self.ended(id, now_ms, Gesture::CancelStroke)
    }

    fn ended(&mut self, id: i32, now_ms: f64, stroke_end: Gesture) -> Vec<Gesture> {
        let was_touch = self.touch(id).is_some();
        self.touches.retain(|(touch, _, _)| *touch != id);
        if !was_touch && self.pen == Some(id) {
            self.pen = None;
            self.pen_lifted_at = Some(now_ms);
        }
        let gestures = match self.mode {
            Mode::Drawing { pointer } if pointer == id => {
                self.mode = Mode::Idle;
                vec![stroke_end]
            }
            Mode::Panning { pointer, .. } if pointer == id => {
                self.mode = Mode::Idle;
                Vec::new()
            }
            Mode::Pinching { a, b } if id == a || id == b => {
                self.mode = Mode::Settling;
                Vec::new()
            }
            _ => Vec::new(),
        };
        if self.mode == Mode::Settling && self.touches.iter().all(|(_, _, palm)| *palm) {
            self.mode = Mode::Idle;
        }
        gestures
    }
}

/// Midpoint and distance of two fingers.
fn span(a: (f32, f32), b: (f32, f32)) -> ((f32, f32), f32) {
    let mid = ((a.0 + b.0) / 2.0, (a.1 + b.1) / 2.0);
    let distance = ((a.0 - b.0).powi(2) + (a.1 - b.1).powi(2)).sqrt();
    (mid, distance)
}

#[cfg(test)]
#[path = "gestures_tests.rs"]
mod tests;
