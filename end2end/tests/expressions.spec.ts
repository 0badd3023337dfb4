import { expect, test } from "@playwright/test";
import { api, expectStatus, junit, login, milestoneCode } from "./helpers";

// A PM adds a criterion judged by an expression through the Manage form: a
// misspelt metric is refused naming it, with what was typed kept; the
// corrected one is judged at once from the stored run, its row showing the
// expression and every number it read, each with its file.
test("a PM adds an expression criterion; a misspelt metric is refused and the typed text kept", async ({ page }, info) => {
  const ms = `${milestoneCode(info, 4)}-E`;
  const pm = await api("pm");
  const eng = await api("engineer");
  await expectStatus(await pm.post("/api/v1/projects/WM/milestones", { data: { code: ms, title: "Judged by an expression" } }), 201);
  const run = await eng.post("/api/v1/projects/WM/evidence", {
    multipart: { milestone: ms, file: { name: "junit.xml", mimeType: "application/xml", buffer: Buffer.from(junit(6)) } },
  });
  await expectStatus(run, 201);
  const runId = (await run.json()).id;
  await login(page, "pm", `/p/WM/m/${ms}`);

  await page.locator("summary", { hasText: "Add an acceptance criterion" }).click();
  const add = page.locator("form[data-form$=add_criterion]");
  const expression = add.getByLabel("Or an expression (CEL) instead");
  await add.getByLabel("Code").fill("C1");
  await add.getByLabel("Title").fill("Green, and enough tests");
  await expression.fill("tests.failed == 0 && tests.totl >= 5.0");
  await add.getByRole("button", { name: "Add criterion" }).click();
  await expect(page.getByRole("alert").filter({ hasText: '"tests.totl" is not a metric' })).toBeVisible();
  await expect(page.locator("tr[data-criterion=C1]")).toHaveCount(0);
  await expect(page.locator("form[data-form$=add_criterion]").getByLabel("Or an expression (CEL) instead")).toHaveValue(
    "tests.failed == 0 && tests.totl >= 5.0",
  );

  const again = page.locator("form[data-form$=add_criterion]");
  await again.getByLabel("Or an expression (CEL) instead").fill("tests.failed == 0 && tests.total >= 5.0");
  await again.getByRole("button", { name: "Add criterion" }).click();
  await expect(page.getByRole("status")).toHaveText(
    "Added criterion C1 “Green, and enough tests”: tests.failed == 0 && tests.total >= 5.0.",
  );
  const row = page.locator("tr[data-criterion=C1]");
  await expect(row.locator("code.rule")).toHaveText("tests.failed == 0 && tests.total >= 5.0");
  await expect(row.locator("ul.inputs")).toContainText(`tests.failed = 0 (#${runId})`);
  await expect(row.locator("ul.inputs")).toContainText(`tests.total = 6 (#${runId})`);
  await expect(row).toContainText("met");
  // the row's edit form edits the expression as one
  await row.locator("summary", { hasText: "Edit C1" }).click();
  await row.getByLabel("Expression").fill("tests.failed == 0 && tests.total >= 7.0");
  await row.getByRole("button", { name: "Save C1" }).click();
  await expect(page.locator("tr[data-criterion=C1] code.rule")).toHaveText("tests.failed == 0 && tests.total >= 7.0");
  await expect(page.locator("tr[data-criterion=C1]")).toContainText("not met");
  const v = await (await pm.get(`/api/v1/projects/WM/milestones/${ms}`)).json();
  expect(v.criteria[0].expression).toBe("tests.failed == 0 && tests.total >= 7.0");
  expect(v.criteria[0].judgement.verdict).toBe("not_met");
});
