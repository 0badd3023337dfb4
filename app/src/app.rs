//! The HTML shell, the router and the navigation bar.

use crate::components::{FlashScope, NavBar};
use crate::pages::*;
use leptos::prelude::*;
use leptos_meta::{provide_meta_context, HashedStylesheet, MetaTags, Title};
use leptos_router::components::{Route, Router, Routes};
use leptos_router::{path, SsrMode};

/// The document around every page, rendered on the server.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang=crate::i18n::tag(crate::i18n::resolve())>
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <link rel="icon" href="/favicon.svg" type="image/svg+xml"/>
                <AutoReload options=options.clone()/>
                <HashedStylesheet id="leptos" options=options.clone()/>
                <HydrationScripts options/>
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

/// The app. Every route renders fully on the server (`SsrMode::Async`), so
/// pages and forms work before, or without, the WebAssembly.
#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    // the reader's language, decided once for the page (crate::i18n)
    provide_context(crate::i18n::Lang(crate::i18n::resolve()));
    // with JavaScript, a reader without a time zone gets their browser's
    Effect::new(|_| crate::components::time::remember_browser_zone());
    view! {
        <Title text="Attest"/>
        <Router>
            <NavBar/>
            <main>
                <Routes fallback=|| view! { <NotFound/> }>
                    <Route path=path!("/") view=|| view! { <FlashScope><ProjectsPage/></FlashScope> } ssr=SsrMode::Async/>
                    <Route path=path!("/login") view=|| view! { <FlashScope><LoginPage/></FlashScope> } ssr=SsrMode::Async/>
                    <Route path=path!("/p/:code") view=|| view! { <FlashScope><ProjectPage/></FlashScope> } ssr=SsrMode::Async/>
                    <Route path=path!("/p/:code/members") view=|| view! { <FlashScope><MembersPage/></FlashScope> } ssr=SsrMode::Async/>
                    <Route path=path!("/p/:code/templates") view=|| view! { <FlashScope><TemplatesPage/></FlashScope> } ssr=SsrMode::Async/>
                    <Route path=path!("/p/:code/report") view=|| view! { <FlashScope><ReportPage/></FlashScope> } ssr=SsrMode::Async/>
                    <Route path=path!("/p/:code/m/:ms") view=|| view! { <FlashScope><MilestonePage/></FlashScope> } ssr=SsrMode::Async/>
                    <Route path=path!("/p/:code/m/:ms/history") view=|| view! { <FlashScope><HistoryPage/></FlashScope> } ssr=SsrMode::Async/>
                    <Route path=path!("/p/:code/m/:ms/audits") view=|| view! { <FlashScope><AuditsPage/></FlashScope> } ssr=SsrMode::Async/>
                    <Route path=path!("/p/:code/m/:ms/audits/:id") view=|| view! { <FlashScope><AuditPage/></FlashScope> } ssr=SsrMode::Async/>
                    <Route path=path!("/evidence/:id") view=|| view! { <FlashScope><EvidencePage/></FlashScope> } ssr=SsrMode::Async/>
                    <Route path=path!("/certificates/:number") view=|| view! { <FlashScope><CertificatePage/></FlashScope> } ssr=SsrMode::Async/>
                    <Route path=path!("/verify/:number") view=|| view! { <FlashScope><VerifyPage/></FlashScope> } ssr=SsrMode::Async/>
                    <Route path=path!("/account") view=|| view! { <FlashScope><AccountPage/></FlashScope> } ssr=SsrMode::Async/>
                    <Route path=path!("/account/tokens") view=|| view! { <FlashScope><TokensPage/></FlashScope> } ssr=SsrMode::Async/>
                    <Route path=path!("/admin/users") view=|| view! { <FlashScope><AdminUsersPage/></FlashScope> } ssr=SsrMode::Async/>
                    <Route path=path!("/admin/projects") view=|| view! { <FlashScope><AdminProjectsPage/></FlashScope> } ssr=SsrMode::Async/>
                </Routes>
            </main>
        </Router>
    }
}
