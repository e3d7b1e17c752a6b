//! Short notices about the connection and refused ops. The runtime adds them; they leave
//! after a few seconds or when dismissed. A "failed" toast offers Retry; a "full" one (the
//! room or the board is full) offers a new board.

use crate::{client::BoardClient, new_board::open_new_board, notices::ToastKind};
use leptos::prelude::*;
use std::time::Duration;

/// How long a toast stays (unless it [stays](ToastKind::stays)).
const TOAST_MS: u64 = 6_000;

#[component]
pub fn Toasts() -> impl IntoView {
    let client = expect_context::<BoardClient>();
    let toasts = client.state.toasts;
    let dismiss = move |id: u64| toasts.update(|all| all.retain(|t| t.id != id));
    view! {
        <div class="toasts" role="status" aria-live="polite">
            <For each=move || toasts.get() key=|t| t.id let:toast>
                {
                    let id = toast.id;
                    if !toast.kind.stays() {
                        set_timeout(move || dismiss(id), Duration::from_millis(TOAST_MS));
                    }
                    view! {
                        <div class=format!("toast toast-{}", toast.kind.as_str()) data-testid="toast" data-kind=toast.kind.as_str()>
                            <span class="toast-message">{toast.message.clone()}</span>
                            {(toast.kind == ToastKind::Failed).then(|| view! {
                                <button data-testid="toast-retry" on:click=move |_| {
                                    dismiss(id);
                                    client.with(|actions| actions.retry_now());
                                }>"Retry"</button>
                            })}
                            {(toast.kind == ToastKind::Full).then(|| view! {
                                <button data-testid="toast-new-board" on:click=move |_| {
                                    if let Err(message) = open_new_board() {
                                        client.state.toast(ToastKind::Rejected, message);
                                    }
                                }>"New board"</button>
                            })}
                            <button class="toast-close" aria-label="Dismiss" on:click=move |_| dismiss(id)>"×"</button>
                        </div>
                    }
                }
            </For>
        </div>
    }
}
