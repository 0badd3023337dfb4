//! The evidence upload form. Without JavaScript it is a plain multipart POST
//! that redirects to the stored evidence; with JavaScript it posts the same
//! form in the background and shows what the file was parsed as in place.

use crate::domain::kinds::KindText;
use crate::domain::views::EvidenceView;
use crate::t;
use evidence::metrics::{metric_info, EvidenceKind};
use leptos::ev::SubmitEvent;
use leptos::prelude::*;

/// Choices for the optional links of an upload.
#[derive(Clone, Debug, PartialEq)]
pub struct UploadTargets {
    pub criteria: Vec<(String, String)>,
    pub tasks: Vec<(String, String)>,
    pub items: Vec<(i64, String)>,
}

#[component]
pub fn UploadForm(
    project: String,
    milestone: String,
    targets: UploadTargets,
    /// The last upload's outcome; owned by the page so it survives the reload of the milestone view.
    result: RwSignal<Option<Result<EvidenceView, String>>>,
    #[prop(into)] on_done: Callback<()>,
) -> impl IntoView {
    let busy = RwSignal::new(false);
    let uploading = t!(evidence.upload.uploading);
    let submit = t!(evidence.upload.submit);
    #[cfg(feature = "hydrate")]
    let locale = crate::i18n::lang();
    // shown while no other form on the page has succeeded since (see `form`)
    let page = use_context::<super::form::PageSuccesses>()
        .unwrap_or(super::form::PageSuccesses(RwSignal::new(0)));
    let result_at = RwSignal::new(page.0.get_untracked());
    let url = format!("/p/{project}/m/{milestone}/evidence");
    let submit_url = url.clone();
    let on_submit = move |ev: SubmitEvent| {
        #[cfg(feature = "hydrate")]
        {
            use wasm_bindgen::JsCast;
            ev.prevent_default();
            let Some(form) = ev
                .target()
                .and_then(|t| t.dyn_into::<web_sys::HtmlFormElement>().ok())
            else {
                return;
            };
            let url = submit_url.clone();
            busy.set(true);
            leptos::task::spawn_local(async move {
                let r = send(&form, &url, locale).await;
                if r.is_ok() {
                    form.reset();
                    page.0.update(|n| *n += 1);
                } else {
                    // the refused file and the kind it was refused as go; where it was for stays
                    forget_file_and_kind(&form);
                }
                result_at.set(page.0.get_untracked());
                result.set(Some(r));
                busy.set(false);
                on_done.run(());
            });
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = (ev, &submit_url, on_done, result, result_at);
    };
    view! {
        <form class="upload" method="post" enctype="multipart/form-data" action=url on:submit=on_submit>
            <label>{t!(evidence.upload.file)} <input type="file" name="file" required/></label>
            <label>
                {t!(evidence.upload.kind)}
                <select name="kind">
                    <option value="auto">{t!(evidence.upload.detect)}</option>
                    {EvidenceKind::REPORTS.iter().map(|k| view! { <option value=k.as_str()>{k.text(crate::i18n::lang())}</option> }).collect_view()}
                    <option value="file">{t!(evidence.upload.plain_file)}</option>
                </select>
            </label>
            <label>
                {t!(evidence.upload.for_criterion)}
                <select name="criterion">
                    <option value="">{t!(evidence.upload.any_criterion)}</option>
                    {targets.criteria.into_iter().map(|(code, title)| view! { <option value=code.clone()>{format!("{code} {title}")}</option> }).collect_view()}
                </select>
            </label>
            <label>
                {t!(evidence.upload.for_task)}
                <select name="task">
                    <option value="">{t!(evidence.upload.none)}</option>
                    {targets.tasks.into_iter().map(|(code, title)| view! { <option value=code.clone()>{format!("{code} {title}")}</option> }).collect_view()}
                </select>
            </label>
            <label>
                {t!(evidence.upload.for_item)}
                <select name="item">
                    <option value="">{t!(evidence.upload.none)}</option>
                    {targets.items.into_iter().map(|(id, text)| view! { <option value=id.to_string()>{text}</option> }).collect_view()}
                </select>
            </label>
            <label>{t!(evidence.upload.commit)} <input type="text" name="commit" pattern="[0-9a-fA-F]{7,64}"/></label>
            <label>{t!(evidence.upload.ci_url)} <input type="url" name="ci_url"/></label>
            <button type="submit" disabled=move || busy.get()>{move || if busy.get() { uploading.clone() } else { submit.clone() }}</button>
        </form>
        {move || result.get().filter(|_| page.0.get() == result_at.get()).map(|r| match r {
            Ok(e) => view! { <UploadResult e/> }.into_any(),
            Err(msg) => view! { <p class="form-error" role="alert">{msg}</p> }.into_any(),
        })}
    }
}

/// An evidence kind's name for the reader: report formats by their own
/// names, plain evidence in words (`domain::kinds`).
pub fn kind_text(kind: Option<EvidenceKind>) -> String {
    kind.map(|k| k.text(crate::i18n::lang()))
        .unwrap_or_else(|| t!(evidence.plain_evidence))
}

/// "Parsed as …": what an upload yielded.
#[component]
pub fn UploadResult(e: EvidenceView) -> impl IntoView {
    let label = kind_text(EvidenceKind::parse(&e.kind));
    let href = format!("/evidence/{}", e.id);
    view! {
        <div class="upload-result" role="status">
            <p>
                {t!(evidence.result.stored)} <a href=href>{format!("#{}", e.id)}</a> {t!(evidence.result.name_open)} {e.original_name.clone()} {t!(evidence.result.sha256)}
                <code>{super::short_hash(&e.sha256)}</code> {t!(evidence.result.parsed_as)} <strong>{label}</strong>
                {if e.metrics.is_empty() { t!(evidence.result.no_metrics) } else { t!(evidence.result.metrics_follow) }}
            </p>
            <MetricList metrics=e.metrics.clone()/>
            {(!e.warnings.is_empty()).then(|| view! {
                <ul class="warnings">{e.warnings.iter().map(|w| view! { <li>"⚠ " {w.clone()}</li> }).collect_view()}</ul>
            })}
        </div>
    }
}

/// Metric values with their units.
#[component]
pub fn MetricList(metrics: std::collections::BTreeMap<String, f64>) -> impl IntoView {
    view! {
        <dl class="metrics">
            {metrics.into_iter().map(|(name, v)| {
                let unit = metric_info(&name).map(|m| m.unit.symbol()).unwrap_or("");
                view! { <dt>{name}</dt><dd>{format!("{}{unit}", crate::domain::criterion::fmt_number(v))}</dd> }
            }).collect_view()}
        </dl>
    }
}

/// After a refused upload: the file input emptied and the kind back to "detect".
#[cfg(feature = "hydrate")]
fn forget_file_and_kind(form: &web_sys::HtmlFormElement) {
    use wasm_bindgen::JsCast;
    if let Some(kind) = form
        .query_selector("select[name=kind]")
        .ok()
        .flatten()
        .and_then(|e| e.dyn_into::<web_sys::HtmlSelectElement>().ok())
    {
        kind.set_value("auto");
    }
    if let Some(file) = form
        .query_selector("input[name=file]")
        .ok()
        .flatten()
        .and_then(|e| e.dyn_into::<web_sys::HtmlInputElement>().ok())
    {
        file.set_value("");
    }
}

#[cfg(feature = "hydrate")]
async fn send(
    form: &web_sys::HtmlFormElement,
    url: &str,
    locale: crate::i18n::Locale,
) -> Result<EvidenceView, String> {
    use crate::tl;
    use wasm_bindgen::JsCast;
    use wasm_bindgen_futures::JsFuture;
    let fail = |_| tl!(locale, evidence.upload.not_sent);
    let data = web_sys::FormData::new_with_form(form).map_err(fail)?;
    let headers = web_sys::Headers::new().map_err(fail)?;
    headers.set("Accept", "application/json").map_err(fail)?;
    let init = web_sys::RequestInit::new();
    init.set_method("POST");
    init.set_body(&data);
    init.set_headers(&headers);
    let req = web_sys::Request::new_with_str_and_init(url, &init).map_err(fail)?;
    let window = web_sys::window().ok_or("no window")?;
    let resp: web_sys::Response = JsFuture::from(window.fetch_with_request(&req))
        .await
        .map_err(fail)?
        .dyn_into()
        .map_err(fail)?;
    let text = JsFuture::from(resp.text().map_err(fail)?)
        .await
        .map_err(fail)?
        .as_string()
        .unwrap_or_default();
    if resp.ok() {
        serde_json::from_str::<EvidenceView>(&text).map_err(|e| {
            tl!(
                locale,
                evidence.upload.unexpected_answer,
                error = e.to_string()
            )
        })
    } else {
        let msg = serde_json::from_str::<serde_json::Value>(&text)
            .ok()
            .and_then(|v| v["error"]["message"].as_str().map(str::to_string))
            .unwrap_or_else(|| tl!(locale, evidence.upload.failed_http, status = resp.status()));
        Err(tl!(
            locale,
            evidence.upload.refused,
            status = resp.status(),
            message = msg
        ))
    }
}
