import { expect, test } from "@playwright/test";
import { login } from "./helpers";

test("a stakeholder opens the completion report and sees derived progress, deviation, the criteria chart and the gaps", async ({ page }) => {
  await login(page, "stakeholder", "/p/WM");
  await page.getByRole("link", { name: "Completion report" }).click();
  await expect(page).toHaveURL(/\/p\/WM\/report$/);
  await expect(page.getByRole("heading", { level: 1 })).toContainText("WM");
  await expect(page.getByText("项目完成报告 · Project completion report")).toBeVisible();

  // M3 is certified in the demo, M4 is not, and its gap list is on the report
  const m3 = page.locator("table.milestones tr", { has: page.getByRole("link", { name: "M3", exact: true }) });
  await expect(m3.locator(".badge")).toHaveText("certified");
  await expect(m3).toContainText(/finish: (on time|\d+ days? (late|early))/);
  const m4 = page.locator("table.milestones tr", { has: page.getByRole("link", { name: "M4", exact: true }) });
  await expect(m4.locator(".badge")).not.toHaveText("certified");
  await expect(page.getByRole("heading", { level: 3, name: /^M4 / })).toBeVisible();

  // criteria met over time: a chart and the same numbers as a table
  await expect(page.locator("figure.chart svg path.series")).toBeVisible();
  await expect(page.locator("table.compact tbody tr").first()).toContainText(/criteria met/);

  // the certificate list shows the demo's M3 certificate as valid
  await expect(page.getByRole("link", { name: /^WM-M3-\d{8}-\d{3}$/ }).first()).toBeVisible();

  const md = page.getByRole("link", { name: "Markdown" });
  await expect(md).toHaveAttribute("href", "/api/v1/projects/WM/report.md");
  const res = await page.request.get("/api/v1/projects/WM/report.md");
  expect(res.status()).toBe(200);
  expect(await res.text()).toContain("## Criteria met over time");
});
