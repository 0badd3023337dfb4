//! How every form on these pages behaves after it is sent:
//! - its controls are disabled while the request is pending (a double click
//!   sends nothing twice), and each rendering of a create form carries a
//!   fresh `request_id`, so a form sent twice anyway (no JavaScript, a
//!   resent POST) is carried out once (`ssr::idempotency`);
//! - on success the form resets to what it was first rendered with, a new
//!   request id is made, and a status line says what was done — from the
//!   server function's [`Done`] with JavaScript, from the session's flash
//!   message without it;
//! - its error shows until it is sent again, or until another form on the
//!   page succeeds (an error about an earlier attempt is stale by then);
//! - without JavaScript, a refused form comes back with what was typed in it
//!   (passwords excepted, `FormValues`).
//!
//! Use: `let add = Act::<AddTask>::new();` once per page (not inside a view
//! that re-renders), then
//! `<ActionForm action=add.action attr:data-form=add.key()><FormBody act_pending=add.pending() request_id=add.request_id>…</FormBody></ActionForm>`
//! and `<FormStatus done=add.done() error=add.error()/>`.

use crate::domain::views::{Done, FlashDone, FormValues};
use crate::error::AppError;
use leptos::prelude::*;
use server_fn::ServerFn;

/// What a server function's success says, if anything.
pub trait Outcome {
    fn message(&self) -> Option<String>;
}

impl Outcome for () {
    fn message(&self) -> Option<String> {
        None
    }
}

impl Outcome for String {
    fn message(&self) -> Option<String> {
        Some(self.clone())
    }
}

impl Outcome for Done {
    fn message(&self) -> Option<String> {
        Some(self.message.clone())
    }
}

/// How many forms on this page have succeeded so far (provided per page by
/// `FlashScope`); a form's error or status line is shown only while no other
/// form has succeeded since.
#[derive(Clone, Copy)]
pub struct PageSuccesses(pub RwSignal<u64>);

/// A form's server action with the behaviour described in the module docs.
pub struct Act<S: ServerFn + 'static> {
    pub action: ServerAction<S>,
    /// The page's success count when this action's latest result arrived.
    result_at: RwSignal<u64>,
    page: PageSuccesses,
    pub request_id: RwSignal<String>,
    /// A plain-form success of this action that brought the reader here.
    flashed: StoredValue<Option<String>>,
}

impl<S: ServerFn + 'static> Clone for Act<S> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<S: ServerFn + 'static> Copy for Act<S> {}

impl<S> Act<S>
where
    S: ServerFn<Error = AppError> + Clone + Send + Sync + 'static,
    S::Output: Outcome + Clone + Send + Sync + 'static,
{
    #[allow(clippy::new_without_default)]
    pub fn new() -> Self {
        let action = ServerAction::<S>::new();
        let page = use_context::<PageSuccesses>().unwrap_or(PageSuccesses(RwSignal::new(0)));
        let result_at = RwSignal::new(page.0.get_untracked());
        let request_id = RwSignal::new(new_request_id());
        let flashed = StoredValue::new(
            use_context::<FlashDone>()
                .filter(|d| d.server_fn == S::PATH)
                .map(|d| d.message),
        );
        Effect::new(move |seen: Option<usize>| {
            let version = action.version().get();
            if seen.is_some_and(|s| s != version) || (seen.is_none() && version > 0) {
                let ok = action
                    .value()
                    .with_untracked(|v| v.as_ref().is_some_and(|r| r.is_ok()));
                if ok {
                    page.0.update(|n| *n += 1);
                    reset_forms(S::PATH);
                    request_id.set(new_request_id());
                } else {
                    clear_passwords(S::PATH);
                }
                result_at.set(page.0.get_untracked());
            }
            version
        });
        Self {
            action,
            result_at,
            page,
            request_id,
            flashed,
        }
    }

    /// The `data-form` attribute that marks this action's forms (for resetting them).
    pub fn key(&self) -> &'static str {
        S::PATH
    }

    pub fn pending(&self) -> Signal<bool> {
        self.action.pending().into()
    }

    fn current(&self) -> bool {
        self.page.0.get() == self.result_at.get() && !self.action.pending().get()
    }

    /// The error of the latest submission while it is current.
    pub fn error(&self) -> Signal<Option<AppError>> {
        let this = *self;
        Signal::derive(move || {
            if !this.current() {
                return None;
            }
            this.action.value().get().and_then(|r| r.err())
        })
    }

    /// What the latest submission did, while it is current.
    pub fn done(&self) -> Signal<Option<String>> {
        let this = *self;
        Signal::derive(move || {
            if !this.current() {
                return None;
            }
            match this.action.value().get() {
                Some(Ok(out)) => out.message(),
                Some(Err(_)) => None,
                // nothing sent from this page yet: a plain-form success that brought us here
                None => this.flashed.get_value(),
            }
        })
    }

    /// Whether the form has something to say (for opening the `<details>` it
    /// sits in when the page renders, so a plain post's outcome is in view).
    pub fn has_news(&self) -> bool {
        self.done().get_untracked().is_some() || self.error().get_untracked().is_some()
    }

    /// A value this form had when a plain post of it was refused (JavaScript off).
    pub fn kept(&self, field: &str) -> Option<String> {
        use_context::<FormValues>()
            .filter(|v| v.server_fn == S::PATH)
            .and_then(|v| {
                v.fields
                    .into_iter()
                    .find(|(k, _)| k == field)
                    .map(|(_, v)| v)
            })
    }
}

/// The inside of a form: a fieldset disabled while the request is pending,
/// and the form's request id.
#[component]
pub fn FormBody(
    pending: Signal<bool>,
    request_id: RwSignal<String>,
    children: Children,
) -> impl IntoView {
    view! {
        <fieldset class="form-body" disabled=move || pending.get()>
            <input type="hidden" name="request_id" value=move || request_id.get()/>
            {children()}
        </fieldset>
    }
}

/// A form's outcome: what it did (`role="status"`) or why it was refused.
#[component]
pub fn FormStatus(done: Signal<Option<String>>, error: Signal<Option<AppError>>) -> impl IntoView {
    view! {
        {move || done.get().map(|m| view! { <p class="form-done" role="status">{m}</p> })}
        <super::FormError error/>
    }
}

/// A new random request id: 128 bits in hex on the server; time and
/// `Math.random` in the browser (unguessability is not needed, uniqueness per
/// user is).
fn new_request_id() -> String {
    #[cfg(feature = "ssr")]
    {
        use rand::RngCore;
        let mut bytes = [0u8; 16];
        rand::thread_rng().fill_bytes(&mut bytes);
        hex::encode(bytes)
    }
    #[cfg(all(feature = "hydrate", not(feature = "ssr")))]
    {
        let a = (js_sys::Math::random() * 4_294_967_296.0) as u64;
        let b = (js_sys::Math::random() * 4_294_967_296.0) as u64;
        format!("{:x}-{a:08x}{b:08x}", js_sys::Date::now() as u64)
    }
    #[cfg(not(any(feature = "ssr", feature = "hydrate")))]
    {
        String::new()
    }
}

/// Empties the password fields of a refused form (a refused password is not
/// sent again by accident, as after a plain post).
fn clear_passwords(_path: &str) {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        let Some(doc) = web_sys::window().and_then(|w| w.document()) else {
            return;
        };
        let selector = format!("form[data-form=\"{_path}\"] input[type=password]");
        if let Ok(list) = doc.query_selector_all(&selector) {
            for i in 0..list.length() {
                if let Some(input) = list
                    .item(i)
                    .and_then(|n| n.dyn_into::<web_sys::HtmlInputElement>().ok())
                {
                    input.set_value("");
                }
            }
        }
    }
}

/// Resets every form of one server function to its rendered values.
fn reset_forms(_path: &str) {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        let Some(doc) = web_sys::window().and_then(|w| w.document()) else {
            return;
        };
        if let Ok(list) = doc.query_selector_all(&format!("form[data-form=\"{_path}\"]")) {
            for i in 0..list.length() {
                if let Some(form) = list
                    .item(i)
                    .and_then(|n| n.dyn_into::<web_sys::HtmlFormElement>().ok())
                {
                    form.reset();
                }
            }
        }
    }
}
