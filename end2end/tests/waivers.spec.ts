import { expect, test } from "@playwright/test";
import { api, expectStatus, junit, login, milestoneCode } from "./helpers";

function daysAgo(days: number): string {
  return new Date(Date.now() - days * 86_400_000).toISOString().replace(/\.\d{3}Z$/, "Z");
}

function lastDay(daysAhead: number): string {
  return new Date(Date.now() + daysAhead * 86_400_000).toISOString().slice(0, 10);
}

// Evidence older than a criterion accepts is stale, with the reason on the
// page. The QA lead waives it (and revokes, and waives again) with a reason
// and a last day, approves, and the certificate shows the waiver beside the
// number: never "met".
test("a stale criterion is waived by the QA lead and the certificate says so", async ({ page }, info) => {
  const ms = milestoneCode(info, 6);
  const pm = await api("pm");
  const eng = await api("engineer");
  const base = `/api/v1/projects/WM/milestones/${ms}`;
  await expectStatus(await pm.post("/api/v1/projects/WM/milestones", { data: { code: ms, title: "Waive what can't be met" } }), 201);
  await expectStatus(
    await pm.post(`${base}/criteria`, {
      data: { code: "C1", title: "Integration tests, at most a week old", metric: "tests.pass_rate", op: "==", target: 100, max_age_days: 7 },
    }),
    201,
  );
  await expectStatus(await pm.post(`${base}/signoff-roles`, { data: { role: "QA lead", approver: "qa" } }), 200);
  await expectStatus(
    await eng.post("/api/v1/projects/WM/evidence", {
      multipart: {
        milestone: ms,
        criterion: "C1",
        effective_at: daysAgo(9),
        file: { name: "integration.xml", mimeType: "application/xml", buffer: Buffer.from(junit(12)) },
      },
    }),
    201,
  );

  await login(page, "qa", `/p/WM/m/${ms}`);
  const c1 = page.locator("tr[data-criterion=C1]");
  await expect(c1.locator(".badge.verdict-stale")).toHaveText("stale");
  await expect(c1).toContainText("is 9 days old");
  await expect(c1).toContainText("evidence at most 7 days old");
  await expect(page.locator("section.gaps")).toContainText("C1 tests.pass_rate = 100% is stale");

  // a waiver needs a reason: the browser says so before anything is sent
  await page.getByText("Waive a criterion").click();
  const waive = page.locator("form").filter({ has: page.getByRole("button", { name: "Waive", exact: true }) });
  await waive.getByLabel("Criterion").selectOption("C1");
  await waive.getByLabel("Last day it stands").fill(lastDay(14));
  await waive.getByLabel("Reason").fill("the integration rig is down; rerun after the switch to the new cluster");
  await waive.getByRole("button", { name: "Waive", exact: true }).click();
  const sentence = `waived by Zhao Min (QA lead) until ${lastDay(14)}: the integration rig is down`;
  await expect(page.getByRole("status").filter({ hasText: "C1 waived" })).toBeVisible();
  await expect(c1.locator(".badge.verdict-waived")).toHaveText("waived");
  await expect(c1).toContainText(sentence);
  await expect(page.locator("section.gaps")).not.toContainText("C1");

  // revoked (with a reason): the gap is back
  const entry = page.locator("ul.waivers li").first();
  await expect(entry).toContainText("standing");
  await entry.locator("summary").click();
  await entry.getByLabel("Reason for revoking").fill("rig is back; waive with the right date");
  await entry.getByRole("button", { name: /^Revoke waiver #\d+$/ }).click();
  await expect(page.locator("ul.waivers li").first()).toContainText("revoked");
  await expect(c1.locator(".badge.verdict-stale")).toHaveText("stale");

  // waived again, approved, certified by the PM
  await page.getByText("Waive a criterion").click();
  await waive.getByLabel("Criterion").selectOption("C1");
  await waive.getByLabel("Last day it stands").fill(lastDay(14));
  await waive.getByLabel("Reason").fill("the integration rig is down; rerun after the switch to the new cluster");
  await waive.getByRole("button", { name: "Waive", exact: true }).click();
  await expect(c1.locator(".badge.verdict-waived")).toHaveText("waived");
  await page.getByRole("button", { name: "Approve as QA lead" }).click();
  await expect(page.locator(".badge.signoff-approved")).toBeVisible();
  await expectStatus(await pm.post(`${base}/certificate`, { data: {} }), 201);

  // the certificate, reached by its link, shows the number and the waiver, not "met"
  await page.goto(`/p/WM/m/${ms}`);
  await page.locator("#cert-h").locator("..").getByRole("link", { name: /^WM-/ }).click();
  await expect(page.getByText("Milestone completion certificate")).toBeVisible();
  await expect(page.getByRole("heading", { level: 1 })).toContainText(`${ms} Waive what can't be met`);
  await expect(page.getByText(/from recorded evidence but one, which was waived/)).toBeVisible();
  const row = page.locator("tr", { hasText: "Integration tests, at most a week old" });
  await expect(row).toContainText("100%");
  await expect(row.locator(".badge.verdict-waived")).toHaveText("waived");
  await expect(row).toContainText(sentence);
  await expect(row).not.toContainText(" met");
});
