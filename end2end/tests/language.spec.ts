import { expect, test } from "@playwright/test";
import { PASSWORD } from "./helpers";
import { readFileSync } from "node:fs";

// A reader whose browser asks for Chinese walks the demo in 简体中文, with
// JavaScript on and off: log-in, projects, project, the milestone in
// progress (verdicts and the gap list in Chinese), the certified milestone's
// certificate (issued in English: the page around it speaks Chinese, the
// document switches by its link, the PDF follows), then the language switch
// in the top bar to English and back.
test.use({ locale: "zh-CN" });

test("a Chinese reader walks the demo in 简体中文 and switches languages", async ({ page }) => {
  await page.goto("/login?next=%2F");
  await expect(page.locator("html")).toHaveAttribute("lang", "zh-Hans");
  await page.getByLabel("用户名").fill("pm");
  await page.getByLabel("密码").fill(PASSWORD);
  await page.getByRole("main").getByRole("button", { name: "登录" }).click();
  await expect(page.getByRole("banner").getByText("(pm)")).toBeVisible();
  // the user's own setting now applies (English, if an earlier run left it so):
  // choose 简体中文 with the switch, which is also their setting from now on
  const banner = page.getByRole("banner");
  await banner.locator("select[name=lang]").selectOption("zh-Hans");
  await banner.locator(".lang-switch button").click();
  await expect(page.locator("html")).toHaveAttribute("lang", "zh-Hans");
  await expect(banner).toContainText("退出登录");

  await page.getByRole("link", { name: /^WM · / }).click();
  await expect(page).toHaveURL(/\/p\/WM$/);
  await expect(page.getByRole("columnheader", { name: "里程碑" })).toBeVisible();
  await expect(page.getByRole("link", { name: "完成报告" })).toBeVisible();

  await page.getByRole("link", { name: "M4", exact: true }).click();
  await expect(page).toHaveURL(/\/p\/WM\/m\/M4$/);
  await expect(page.getByRole("heading", { name: "此里程碑尚不能认证的原因" })).toBeVisible();
  // the ratchet the demo's M4 misses, as a gap and as a verdict, in Chinese
  await expect(page.locator(".gaps")).toContainText("验收标准 C13");
  await expect(page.locator("tr[data-criterion=C13] .badge")).toHaveText(/未达标/);
  expect(await page.locator("main").innerText()).not.toContain("not met");

  // the certified M3 and its certificate
  await page.goto("/p/WM/m/M3");
  await page.locator("a[href^='/certificates/WM-M3-']").first().click();
  await expect(page).toHaveURL(/\/certificates\/WM-M3-\d{8}-\d{3}$/);
  await expect(page.locator(".cert-language")).toContainText("签发语言：English。");
  await expect(page.locator(".certificate")).toContainText("This certifies that milestone");
  await page.getByRole("link", { name: "以简体中文阅读" }).click();
  await expect(page).toHaveURL(/\?lang=zh-Hans$/);
  await expect(page.locator(".certificate")).toContainText("兹证明里程碑");
  await expect(page.locator(".certificate")).toContainText("验收标准");
  // the PDF link now gives the Chinese document, as a download when clicked
  const [pdf] = await Promise.all([page.waitForEvent("download"), page.getByRole("link", { name: "PDF", exact: true }).click()]);
  expect(pdf.suggestedFilename()).toMatch(/^WM-M3-\d{8}-\d{3}\.pdf$/);
  const bytes = readFileSync(await pdf.path());
  expect(bytes.subarray(0, 5).toString()).toBe("%PDF-");
  // …and the Markdown export, Chinese headings with the same hash as the page shows
  const [md] = await Promise.all([page.waitForEvent("download"), page.getByRole("link", { name: "Markdown", exact: true }).click()]);
  const text = readFileSync(await md.path(), "utf8");
  expect(text).toContain("验收标准");
  const sha = (await page.locator(".cert-footer code.hash").first().innerText()).trim();
  expect(text).toContain(sha);

  // the switch in the top bar, by its Chinese name, back to English (which
  // also leaves pm's setting as the other specs expect it)
  await banner.getByRole("combobox", { name: "语言" }).selectOption("en");
  await banner.getByRole("button", { name: "切换" }).click();
  await expect(page.locator("html")).toHaveAttribute("lang", "en");
  await expect(banner).toContainText("Log out");
  await expect(page.locator(".cert-language")).toContainText("Issued in English.");
  await expect(banner.getByRole("combobox", { name: "Language" })).toHaveValue("en");
});
