import { expect, test } from "@playwright/test";
import { login } from "./helpers";

// Times read in the reader's zone: set on the account page, kept with the
// user (it follows them to their next log-in), UTC in exports.
test("a reader picks a time zone and pages show times in it, exports stay UTC", async ({ page, context }) => {
  await login(page, "stakeholder", "/");
  await page.getByRole("banner").getByRole("link", { name: "Account" }).click();
  await expect(page.getByRole("heading", { name: "Account", level: 1 })).toBeVisible();
  await page.getByRole("combobox", { name: "Time zone" }).selectOption("Asia/Shanghai");
  await page.getByRole("button", { name: "Save time zone" }).click();
  await expect(page.getByRole("status")).toHaveText("Times are shown in Asia/Shanghai.");

  // a new session (another device): the setting comes back with the log-in
  await context.clearCookies();
  await login(page, "stakeholder", "/p/WM/m/M3");
  const history = page.locator("ul.history li").first();
  await expect(history).toContainText(/\d{4}-\d{2}-\d{2} \d{2}:\d{2} CST/);
  await expect(page.locator("ul.history")).not.toContainText("UTC");

  // the certificate's Markdown export keeps UTC
  await page.locator("section[aria-labelledby=cert-h] a").first().click();
  await expect(page.locator(".certificate")).toContainText("CST");
  const [md] = await Promise.all([page.waitForEvent("download"), page.getByRole("link", { name: "Markdown", exact: true }).click()]);
  const text = await (await md.createReadStream()).toArray();
  expect(Buffer.concat(text).toString("utf8")).toMatch(/\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2})?(Z| UTC)/);

  // back to the browser's zone
  await page.goto("/account");
  await page.getByRole("combobox", { name: "Time zone" }).selectOption("");
  await page.getByRole("button", { name: "Save time zone" }).click();
  await expect(page.getByRole("status")).toHaveText("Times follow your browser's time zone.");
});
