import { expect, test } from "@playwright/test";
import { api, expectStatus, jsOn, junit, login, milestoneCode } from "./helpers";

test("an engineer uploads a JUnit file and the criterion turns met", async ({ page }, info) => {
  const ms = milestoneCode(info, 2);
  const pm = await api("pm");
  await expectStatus(await pm.post("/api/v1/projects/WM/milestones", { data: { code: ms, title: "Evidence flow" } }), 201);
  await expectStatus(
    await pm.post(`/api/v1/projects/WM/milestones/${ms}/criteria`, {
      data: { code: "C1", title: "Unit tests pass", metric: "tests.pass_rate", op: "==", target: 100 },
    }),
    201,
  );

  await login(page, "engineer", `/p/WM/m/${ms}`);
  const row = page.locator("tr[data-criterion=C1]");
  await expect(row.getByText("no evidence")).toBeVisible();

  await page.getByLabel("Evidence file").setInputFiles({ name: "junit.xml", mimeType: "application/xml", buffer: Buffer.from(junit(12)) });
  await page.getByLabel("For criterion").selectOption("C1");
  await page.getByRole("button", { name: "Upload evidence" }).click();

  if (jsOn(info)) {
    // the page updates in place
    await expect(page.getByRole("status").getByText("JUnit XML")).toBeVisible();
  } else {
    // a plain form post lands on the stored evidence
    await expect(page.getByText("Stored and parsed as JUnit XML.")).toBeVisible();
    await expect(page.getByText("tests.pass_rate")).toBeVisible();
    await page.goto(`/p/WM/m/${ms}`);
  }
  await expect(row.locator(".badge.verdict-met")).toHaveText("met");
  await expect(row.locator(".badge.verdict-met svg.mark")).toBeVisible();
  await expect(row.getByRole("cell", { name: "100%", exact: true })).toBeVisible();
});
