import { Page, expect, test } from "@playwright/test";
import { login } from "./helpers";

// A stakeholder on a 390 px phone: every page of their journey fits the
// screen (wide tables scroll inside their card), and every link and button
// they need is there to tap.
test.use({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });

async function fitsTheScreen(page: Page) {
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  // what sticks out, to say where the page is too wide
  const wide = await page.evaluate(() =>
    Array.from(document.querySelectorAll("main *"))
      .filter((e) => e.getBoundingClientRect().right > 391 && !e.closest(".table-scroll, .card, .report section, .certificate"))
      .slice(0, 5)
      .map((e) => `${e.tagName.toLowerCase()}.${(e as HTMLElement).className}`),
  );
  expect(width, `${page.url()} is wider than the phone: ${wide.join(", ")}`).toBeLessThanOrEqual(390);
}

test("a stakeholder follows the certified milestone to its verify page on a phone", async ({ page }) => {
  await login(page, "stakeholder", "/");
  await fitsTheScreen(page);
  await page.getByRole("link", { name: "WM", exact: false }).first().click();
  await expect(page.getByRole("heading", { level: 1 })).toContainText("WM");
  await fitsTheScreen(page);

  await page.getByRole("link", { name: "M3", exact: true }).click();
  await expect(page.getByText("certified", { exact: true }).first()).toBeVisible();
  await fitsTheScreen(page);

  const cert = page.locator("section[aria-labelledby=cert-h] a").first();
  await cert.scrollIntoViewIfNeeded();
  await cert.click();
  await expect(page).toHaveURL(/\/certificates\/WM-M3-/);
  await expect(page.locator(".certificate")).toBeVisible();
  await fitsTheScreen(page);

  await page.getByRole("link", { name: /verify/i }).first().click();
  await expect(page).toHaveURL(/\/verify\//);
  await expect(page.locator(".verdict")).toBeVisible();
  await fitsTheScreen(page);

  await page.goto("/p/WM/report");
  await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
  await fitsTheScreen(page);
  // the top bar's links stay reachable
  await expect(page.getByRole("banner").getByRole("link", { name: "Account" })).toBeVisible();
  await expect(page.getByRole("banner").getByRole("button", { name: "Log out" })).toBeVisible();
});
