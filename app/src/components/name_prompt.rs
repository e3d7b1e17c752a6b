//! Asks for a display name once (first visit), without blocking drawing: the user starts
//! as a generated guest name and can change it here; the name is then kept.

use crate::client::BoardClient;
use leptos::prelude::*;
use tether_core::protocol::clean_name;

/// Shown only on a first visit (no stored name, no `?name=`): `BoardState::ask_name`.
#[component]
pub fn NamePrompt() -> impl IntoView {
    let client = expect_context::<BoardClient>();
    let ask = client.state.ask_name;
    // A memo, so the form is built once per opening, not again whenever the flag is set.
    let asking = Memo::new(move |_| ask.get());
    let draft = RwSignal::new(String::new());
    let save = move || {
        if let Some(name) = clean_name(&draft.get_untracked()) {
            client.with(|actions| actions.rename(name));
        }
        ask.set(false);
    };
    view! {
        {move || asking.get().then(|| view! {
            <form class="name-prompt" data-testid="name-prompt" on:submit=move |ev| { ev.prevent_default(); save(); }>
                <label>
                    "Others see you as "
                    <strong>{move || client.state.name.get()}</strong>
                    ". Your name: "
                    <input
                        data-testid="name-input"
                        maxlength=tether_core::limits::MAX_NAME_CHARS
                        placeholder="Your name"
                        prop:value=move || draft.get()
                        on:input=move |ev| draft.set(event_target_value(&ev))
                    />
                </label>
                <button type="submit">"Save"</button>
                <button type="button" class="link" on:click=move |_| ask.set(false)>"Keep"</button>
            </form>
        })}
    }
}
