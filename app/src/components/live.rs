//! Live pages: a page showing a project or milestone listens to its changes
//! (server-sent events from `/live/…`, see `server/src/live.rs`) and reloads
//! its data when one arrives, so an upload from CI, a tick or a sign-off
//! shows on every open page within a second. Without JavaScript nothing
//! listens and the page is as fresh as its last load.
//!
//! A page never changes under someone typing: while a form on it has focus
//! or unsent input, a change waits behind a notice with a button that
//! applies it (sending the form applies it too).

use crate::t;
use leptos::prelude::*;

/// What a page needs to follow its changes: `version` moves on each applied
/// change (put it in the page's resource sources); `waiting` holds a change
/// kept back while the reader is in a form.
#[derive(Clone, Copy)]
pub struct Live {
    pub version: RwSignal<u64>,
    pub waiting: RwSignal<bool>,
}

impl Live {
    /// Applies a change kept back.
    pub fn apply(self) {
        // the page may be gone meanwhile (a timer, a late event): then nothing
        let _ = self.waiting.try_set(false);
        let _ = self.version.try_update(|v| *v += 1);
    }
}

/// Listens to `url`'s change stream for as long as the page is open.
pub fn use_live(url: impl Fn() -> String + Send + Sync + 'static) -> Live {
    let live = Live {
        version: RwSignal::new(0),
        waiting: RwSignal::new(false),
    };
    #[cfg(feature = "hydrate")]
    browser::listen(live, url);
    #[cfg(not(feature = "hydrate"))]
    let _ = url;
    live
}

/// "This page has changed": shown while a change waits for the reader to
/// leave the form they are filling in.
#[component]
pub fn LiveNotice(live: Live) -> impl IntoView {
    move || {
        live.waiting.get().then(|| {
            view! {
                <p class="notice live-notice" role="status">
                    {t!(common.live.changed)} " "
                    <button type="button" class="link" on:click=move |_| live.apply()>{t!(common.live.show)}</button>
                </p>
            }
        })
    }
}

#[cfg(feature = "hydrate")]
mod browser {
    use super::Live;
    use leptos::prelude::*;
    use std::cell::Cell;
    use wasm_bindgen::closure::Closure;
    use wasm_bindgen::JsCast;

    thread_local! {
        /// Typed into a form and not sent yet.
        static DIRTY: Cell<bool> = const { Cell::new(false) };
        static WATCHING_FORMS: Cell<bool> = const { Cell::new(false) };
        /// When a form on this page was last sent (ms since the epoch).
        static LAST_SUBMIT: Cell<f64> = const { Cell::new(0.0) };
    }

    /// The reader's own change within this long of sending a form is that
    /// form's: its own reload shows it.
    const OWN_FORM_MS: f64 = 3_000.0;

    /// Whether the reader is in the middle of a form: focus in one of its
    /// fields, input typed and not sent, or a panel with a form opened (a
    /// reload would close it under them).
    fn busy() -> bool {
        if DIRTY.with(Cell::get) {
            return true;
        }
        let Some(doc) = web_sys::window().and_then(|w| w.document()) else {
            return false;
        };
        let focused = doc.active_element().is_some_and(|e| {
            matches!(e.tag_name().as_str(), "INPUT" | "TEXTAREA" | "SELECT")
                && e.closest("form:not(.lang-switch)").ok().flatten().is_some()
        });
        focused
            || doc
                .query_selector("main details[open] form")
                .ok()
                .flatten()
                .is_some()
    }

    /// Typing marks the page dirty; sending a form (or leaving it by a
    /// reload) clears it. Set up once per page load.
    fn watch_forms() {
        if WATCHING_FORMS.with(|w| w.replace(true)) {
            return;
        }
        let Some(doc) = web_sys::window().and_then(|w| w.document()) else {
            return;
        };
        let input = Closure::<dyn Fn(web_sys::Event)>::new(|e: web_sys::Event| {
            // the language switch and other selects that submit at once don't count
            let in_form = e
                .target()
                .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
                .is_some_and(|el| {
                    el.closest("form:not(.lang-switch)")
                        .ok()
                        .flatten()
                        .is_some()
                });
            if in_form {
                DIRTY.with(|d| d.set(true));
            }
        });
        let submit = Closure::<dyn Fn(web_sys::Event)>::new(|_: web_sys::Event| {
            DIRTY.with(|d| d.set(false));
            LAST_SUBMIT.with(|t| t.set(js_sys::Date::now()));
        });
        let _ = doc.add_event_listener_with_callback("input", input.as_ref().unchecked_ref());
        let _ = doc.add_event_listener_with_callback("submit", submit.as_ref().unchecked_ref());
        // for the page's lifetime
        input.forget();
        submit.forget();
    }

    pub(super) fn listen(live: Live, url: impl Fn() -> String + Send + Sync + 'static) {
        watch_forms();
        // a form sent: a change kept back shows once the form's own reload is done
        let sent = Closure::<dyn Fn(web_sys::Event)>::new(move |_: web_sys::Event| {
            if live.waiting.get_untracked() {
                set_timeout(move || live.apply(), std::time::Duration::from_millis(800));
            }
        });
        if let Some(doc) = web_sys::window().and_then(|w| w.document()) {
            let _ = doc.add_event_listener_with_callback("submit", sent.as_ref().unchecked_ref());
            let sent = send_wrapper::SendWrapper::new((doc, sent));
            on_cleanup(move || {
                let (doc, sent) = &*sent;
                let _ = doc
                    .remove_event_listener_with_callback("submit", sent.as_ref().unchecked_ref());
            });
        }
        Effect::new(move |_| {
            let Ok(source) = web_sys::EventSource::new(&url()) else {
                return;
            };
            let on_change =
                Closure::<dyn Fn(web_sys::MessageEvent)>::new(move |e: web_sys::MessageEvent| {
                    // the reader's own change (a form of theirs, or CI with their token)
                    let mine = e
                        .data()
                        .as_string()
                        .and_then(|d| serde_json::from_str::<serde_json::Value>(&d).ok())
                        .and_then(|v| v["mine"].as_bool())
                        .unwrap_or(false);
                    let own_form =
                        mine && js_sys::Date::now() - LAST_SUBMIT.with(Cell::get) < OWN_FORM_MS;
                    if own_form {
                        // the form just sent reloads the page's data itself
                    } else if busy() {
                        live.waiting.set(true);
                    } else {
                        live.apply();
                    }
                });
            let _ = source
                .add_event_listener_with_callback("change", on_change.as_ref().unchecked_ref());
            let source = send_wrapper::SendWrapper::new((source, on_change));
            on_cleanup(move || source.0.close());
        });
    }
}
