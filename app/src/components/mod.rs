//! UI components of the board page and the dashboard, one per file.

mod bar_chart;
mod board_canvas;
mod board_input;
mod clock;
mod connection_status;
mod cursors;
mod icons;
mod metrics_panel;
mod name_prompt;
mod network_facts;
mod network_simulator;
mod presence;
mod render;
mod share;
mod shortcuts;
mod sparkline;
mod toasts;
mod toolbar;
mod zoom_controls;

pub use bar_chart::BarChart;
pub use board_canvas::BoardCanvas;
pub use connection_status::ConnectionStatus;
pub use metrics_panel::MetricsPanel;
pub use name_prompt::NamePrompt;
pub use network_simulator::NetworkSimulator;
pub use presence::Presence;
pub use share::Share;
pub use shortcuts::Shortcuts;
pub use sparkline::Sparkline;
pub use toasts::Toasts;
pub use toolbar::Toolbar;
pub use zoom_controls::ZoomControls;
