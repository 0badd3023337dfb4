import { Page, expect, test } from "@playwright/test";
import { login } from "../tests/helpers";

const OUT = "../docs/screenshots";

const sizes = [
  { tag: "desktop", viewport: { width: 1280, height: 900 }, isMobile: false },
  { tag: "phone", viewport: { width: 390, height: 844 }, isMobile: true },
];

async function shot(page: Page, name: string, tag: string) {
  await page.waitForLoadState("networkidle");
  await page.screenshot({ path: `${OUT}/${name}-${tag}.png`, fullPage: true });
}

for (const size of sizes) {
  test(`main pages at ${size.tag} width`, async ({ browser }) => {
    const context = await browser.newContext({ viewport: size.viewport, isMobile: size.isMobile, hasTouch: size.isMobile });
    const page = await context.newPage();
    await login(page, "pm", "/");
    await shot(page, "projects", size.tag);

    await page.getByRole("link", { name: "WM", exact: false }).first().click();
    await expect(page.getByRole("heading", { level: 1 })).toContainText("WM");
    await shot(page, "project", size.tag);

    await page.getByRole("link", { name: "M4", exact: true }).click();
    await expect(page.getByRole("heading", { name: /^M4 / })).toBeVisible();
    await shot(page, "milestone-in-progress", size.tag);

    // the regression run that decides M3's C1, compared with the failing run before it
    await page.goto("/p/WM/m/M3");
    await expect(page.getByRole("heading", { name: /^M3 / })).toBeVisible();
    await page.locator("tr[data-criterion=C1] a").first().click();
    await expect(page).toHaveURL(/\/evidence\/\d+$/);
    await shot(page, "evidence", size.tag);

    await page.goto("/p/WM/m/M3");
    await page.locator("section[aria-labelledby=cert-h] a").first().click();
    await expect(page).toHaveURL(/\/certificates\//);
    await shot(page, "certificate", size.tag);
    await page.getByRole("link", { name: /verify/i }).first().click();
    await expect(page).toHaveURL(/\/verify\//);
    await shot(page, "verify", size.tag);

    await page.goto("/p/WM/report");
    await shot(page, "report", size.tag);
    await page.goto("/p/WM/members");
    await shot(page, "members", size.tag);

    await context.clearCookies();
    await login(page, "admin", "/admin/users");
    await shot(page, "admin-users", size.tag);
    await context.close();
  });
}
