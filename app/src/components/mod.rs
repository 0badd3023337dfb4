//! Reusable views: navigation, progress bars, badges, error display.

pub mod form;
pub mod live;
pub mod time;
pub mod upload;

pub use time::{utc_when, when};

pub use form::{Act, FormBody, FormStatus};

pub use upload::UploadForm;

use crate::domain::criterion::Verdict;
use crate::domain::status::{MilestoneState, Ratio};
use crate::error::AppError;
use crate::i18n::{lang, Locale};
use crate::server_fns::account::{current_user, Logout, SetLanguage};
use crate::t;
use leptos::prelude::*;
use leptos_router::components::{Redirect, A};
use leptos_router::hooks::use_location;

/// Top bar: home link, the logged-in user, the admin pages (for admins),
/// their API tokens and log-out, or a log-in link.
#[component]
pub fn NavBar() -> impl IntoView {
    let location = use_location();
    let logout = ServerAction::<Logout>::new();
    let user = Resource::new(
        move || (location.pathname.get(), logout.version().get()),
        |_| current_user(),
    );
    view! {
        <header class="topbar">
            <A href="/" attr:class="brand">"Attest"</A>
            <span class="tagline">{t!(common.brand_tagline)}</span>
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    match user.await {
                        Ok(Some(u)) => view! {
                            <span class="who">
                                <span class="user">{u.display_name}" ("{u.username}")"</span>
                                <A href="/account">{t!(common.nav.account)}</A>
                                {u.is_admin.then(|| view! { <A href="/admin/users">{t!(common.nav.admin)}</A> })}
                                <A href="/account/tokens">{t!(common.nav.api_tokens)}</A>
                                <ActionForm action=logout attr:class="inline">
                                    <button type="submit" class="link">{t!(common.nav.log_out)}</button>
                                </ActionForm>
                            </span>
                        }.into_any(),
                        _ => view! { <A href="/login" attr:class="who">{t!(common.nav.log_in)}</A> }.into_any(),
                    }
                })}
            </Transition>
            <LanguageSwitch/>
        </header>
    }
}

/// The language switch: a plain form (it works without JavaScript) posting
/// to `set_language`, which sets the reader's cookie (and a logged-in user's
/// setting) and reloads this page in the chosen language.
#[component]
pub fn LanguageSwitch() -> impl IntoView {
    // the path only: a query can carry text a crafted link put there
    // (web::a_crafted_url_puts_no_text_on_the_page), and pages keep their state in paths
    let location = use_location();
    let here = move || location.pathname.get();
    let current = lang();
    let set_language_path = <SetLanguage as server_fn::ServerFn>::PATH;
    view! {
        <form class="inline lang-switch" method="post" action=set_language_path>
            <input type="hidden" name="next" value=here/>
            <label>
                <span class="visually-hidden">{t!(common.nav.language)}</span>
                <select name="lang" aria-label=t!(common.nav.language)>
                    {crate::i18n::ALL.into_iter().map(|l: Locale| view! {
                        <option value=crate::i18n::tag(l) selected=l == current>{crate::tl!(l, common.language_name)}</option>
                    }).collect_view()}
                </select>
            </label>
            <button type="submit" class="link">{t!(common.nav.switch)}</button>
        </form>
    }
}

/// A labelled bar for `done` of `total`, rounded down, with the raw counts.
#[component]
pub fn ProgressBar(#[prop(into)] label: String, ratio: Ratio) -> impl IntoView {
    let pct = ratio.percent();
    // an SVG bar, not a `style` attribute: the CSP allows no inline styles
    let width = format!("{}", pct.unwrap_or(0));
    let text = match pct {
        Some(p) => t!(
            common.progress,
            done = ratio.done,
            total = ratio.total,
            label = label.clone(),
            pct = p
        ),
        None => t!(common.progress_none, label = label.clone()),
    };
    view! {
        <div class="progress">
            <div class="bar" role="progressbar" aria-label=label aria-valuemin="0" aria-valuemax="100" aria-valuenow=pct.unwrap_or(0)>
                <svg viewBox="0 0 100 1" preserveAspectRatio="none" aria-hidden="true"><rect width=width height="1"></rect></svg>
            </div>
            <span class="progress-text">{text}</span>
        </div>
    }
}

/// "Print": the browser's print dialog. A Rust click handler, not an inline
/// `onclick`, which the Content-Security-Policy refuses.
#[component]
pub fn PrintButton(#[prop(optional)] class: Option<&'static str>) -> impl IntoView {
    let print = move |_| {
        #[cfg(feature = "hydrate")]
        if let Some(w) = web_sys::window() {
            let _ = w.print();
        }
    };
    view! { <button type="button" class=class on:click=print>{t!(common.print)}</button> }
}

#[component]
pub fn StateBadge(state: MilestoneState) -> impl IntoView {
    view! { <span class=format!("badge state-{}", state.css())>{state.text(lang())}</span> }
}

/// A yes / no / revoked mark drawn as SVG, so it renders the same whatever
/// fonts the reader has (emoji such as ✅ become empty boxes without an
/// emoji font). The word beside it carries the meaning for screen readers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MarkKind {
    Yes,
    No,
    Revoked,
}

#[component]
pub fn Mark(kind: MarkKind) -> impl IntoView {
    let (class, path) = match kind {
        MarkKind::Yes => ("mark yes", "M3 8.5l3.2 3.2L13 4.8"),
        MarkKind::No => ("mark no", "M4 4l8 8M12 4l-8 8"),
        MarkKind::Revoked => (
            "mark no",
            "M3.5 12.5l9-9M8 2.5a5.5 5.5 0 1 0 0 11a5.5 5.5 0 1 0 0-11",
        ),
    };
    view! {
        <svg class=class viewBox="0 0 16 16" width="14" height="14" aria-hidden="true" focusable="false">
            <path d=path fill="none" stroke="currentColor" stroke-width="2.2" stroke-linecap="round" stroke-linejoin="round"/>
        </svg>
    }
}

#[component]
pub fn VerdictBadge(verdict: Verdict) -> impl IntoView {
    let (class, mark) = match verdict {
        Verdict::Met => ("badge verdict-met", Some(MarkKind::Yes)),
        Verdict::NotMet => ("badge verdict-not-met", Some(MarkKind::No)),
        Verdict::NoEvidence => ("badge verdict-none", None),
        Verdict::Stale => ("badge verdict-stale", None),
        Verdict::Waived => ("badge verdict-waived", None),
    };
    let text = verdict.text(lang());
    view! { <span class=class>{mark.map(|kind| view! { <Mark kind/> " " })}{text}</span> }
}

pub use crate::domain::format::short_hash;

/// Sets the HTTP status of the server-rendered page for an error.
pub fn set_status(_e: &AppError) {
    #[cfg(feature = "ssr")]
    if let Some(opts) = use_context::<leptos_axum::ResponseOptions>() {
        opts.set_status(
            axum::http::StatusCode::from_u16(_e.status())
                .unwrap_or(axum::http::StatusCode::INTERNAL_SERVER_ERROR),
        );
    }
}

/// Wraps every routed page. The router hands forms any error named by a
/// URL's `__path`/`__err` query, so a crafted link could put an attacker's
/// text on the page; inside this scope a form sees only what a plain-form
/// post of this session left for this page (a flash message, found during
/// the server render): its error and the values it was sent with, or what it
/// did. The server writes it into the page's `data-flash` attribute, and the
/// hydrating browser reads it from there, so both render the same page.
#[component]
pub fn FlashScope(children: Children) -> impl IntoView {
    provide_context(form::PageSuccesses(RwSignal::new(0)));
    let f = page_flash();
    let json = (f != PageFlash::default())
        .then(|| serde_json::to_string(&f).ok())
        .flatten();
    // a path no server function has: nothing to show
    provide_context(match f.form_error {
        Some((path, error)) => leptos::server::ServerActionError::new(&path, &error),
        None => leptos::server::ServerActionError::new("", ""),
    });
    if let Some(values) = f.values {
        provide_context(values);
    }
    if let Some(done) = f.done {
        provide_context(done);
    }
    view! { <div class="page" data-flash=json>{children()}</div> }
}

/// What a flash message holds for one page render.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct PageFlash {
    /// A refused form: its server function's path and its encoded error.
    pub form_error: Option<(String, String)>,
    pub values: Option<crate::domain::views::FormValues>,
    pub done: Option<crate::domain::views::FlashDone>,
}

#[cfg(feature = "ssr")]
fn page_flash() -> PageFlash {
    use crate::ssr::flash;
    PageFlash {
        form_error: flash::form_error_parts(),
        values: flash::form_values(),
        done: flash::done(),
    }
}

/// In the browser: what the server wrote into the page it rendered, read once
/// while hydrating (pages the client router renders later had no flash).
#[cfg(not(feature = "ssr"))]
fn page_flash() -> PageFlash {
    #[cfg(feature = "hydrate")]
    {
        thread_local! {
            static READ: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
        }
        if READ.with(|r| r.replace(true)) {
            return PageFlash::default();
        }
        web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.query_selector("div.page[data-flash]").ok().flatten())
            .and_then(|e| e.get_attribute("data-flash"))
            .and_then(|json| serde_json::from_str(&json).ok())
            .unwrap_or_default()
    }
    #[cfg(not(feature = "hydrate"))]
    PageFlash::default()
}

/// The message of a refused plain-form upload, for the page it was sent back
/// to (a flash message). Known during the server render only; a resource
/// carries it to the hydrating browser.
pub fn upload_flash() -> OnceResource<Option<String>> {
    #[cfg(feature = "ssr")]
    let message = crate::ssr::flash::upload_error();
    #[cfg(not(feature = "ssr"))]
    let message = None;
    OnceResource::new(std::future::ready(message))
}

/// A page-level error: log-in redirect for 401, a message otherwise.
#[component]
pub fn PageError(error: AppError) -> impl IntoView {
    set_status(&error);
    if error == AppError::Unauthorized {
        let here = use_location().pathname.get_untracked();
        return view! { <Redirect path=format!("/login?next={here}")/> }.into_any();
    }
    let title = match error.status() {
        403 => t!(common.error.not_allowed),
        404 => t!(common.error.not_found),
        _ => t!(common.error.went_wrong),
    };
    view! {
        <section class="page-error">
            <h1>{title}</h1>
            <p>{error.text(lang())}</p>
            <p><A href="/">{t!(common.error.back_to_projects)}</A></p>
        </section>
    }
    .into_any()
}

/// The error of the last submission of a form, if it failed.
#[component]
pub fn FormError(error: Signal<Option<AppError>>) -> impl IntoView {
    move || {
        error.get().map(|e| match e {
            AppError::Gaps { gaps } => view! {
                <div class="form-error" role="alert">
                    <p>{t!(common.error.not_ready)}</p>
                    <ul>{gaps.into_iter().map(|g| view! { <li>{g}</li> }).collect_view()}</ul>
                </div>
            }
            .into_any(),
            other => {
                view! { <p class="form-error" role="alert">{other.text(lang())}</p> }.into_any()
            }
        })
    }
}

/// The error of a server action's last result as a signal.
pub fn action_error<S, T>(action: ServerAction<S>) -> Signal<Option<AppError>>
where
    S: server_fn::ServerFn<Output = T, Error = AppError> + Clone + Send + Sync + 'static,
    S::Output: Send + Sync + 'static,
    T: Clone + Send + Sync + 'static,
{
    Signal::derive(move || action.value().get().and_then(|r| r.err()))
}

/// The sentence a server action answered its last success with; before it
/// answered anything on this page, what a plain (no-JavaScript) post of it
/// said on its way back here (the flash message).
pub fn action_message<S>(action: ServerAction<S>) -> Signal<Option<String>>
where
    S: server_fn::ServerFn<Output = String, Error = AppError> + Clone + Send + Sync + 'static,
{
    let flashed = use_context::<crate::domain::views::FlashDone>()
        .filter(|d| d.server_fn == S::PATH)
        .map(|d| d.message);
    Signal::derive(move || match action.value().get() {
        Some(r) => r.ok(),
        None => flashed.clone(),
    })
}

/// What a form just did (with JavaScript on: a plain post reloads the page).
#[component]
pub fn ActionNotice(message: Signal<Option<String>>) -> impl IntoView {
    move || {
        message
            .get()
            .map(|m| view! { <p class="notice" role="status">{m}</p> })
    }
}

/// Empties `form` after each success of `action`, ready for the next entry.
pub fn reset_on_success<S>(action: ServerAction<S>, form: NodeRef<leptos::html::Form>)
where
    S: server_fn::ServerFn<Output = String, Error = AppError> + Clone + Send + Sync + 'static,
{
    Effect::new(move |_| {
        if action.value().with(|v| matches!(v, Some(Ok(_)))) {
            if let Some(f) = form.get_untracked() {
                f.reset();
            }
        }
    });
}
