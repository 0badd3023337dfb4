import { expect, test } from "@playwright/test";
import type { Locator } from "@playwright/test";
import { api, expectStatus, junit, login, milestoneCode } from "./helpers";

/** Opens a <details> unless it is open already (a form with an error stays open). */
async function openDetails(details: Locator) {
  if (!(await details.evaluate((d) => (d as HTMLDetailsElement).open))) await details.locator("summary").click();
}

/** A JUnit report with `failed` of `total` test cases failing. */
function failingJunit(total: number, failed: number): string {
  const cases = Array.from({ length: total }, (_, n) =>
    n < failed
      ? `  <testcase classname="e2e.Suite" name="t${n}" time="0.01"><failure message="boom">boom</failure></testcase>`
      : `  <testcase classname="e2e.Suite" name="t${n}" time="0.01"/>`,
  ).join("\n");
  return `<?xml version="1.0"?>\n<testsuite name="e2e" tests="${total}" failures="${failed}">\n${cases}\n</testsuite>\n`;
}

// Changing a milestone leaves a trail: edits and moves are history, a file is
// withdrawn (never deleted) with a reason, and a certified milestone refuses
// every change until a PM reopens it, which supersedes its certificate.
test("edit, move, withdraw, and reopen a certified milestone", async ({ page, context }, info) => {
  const ms = milestoneCode(info, 9);
  const pm = await api("pm");
  const eng = await api("engineer");
  const qa = await api("qa");
  const base = `/api/v1/projects/WM/milestones/${ms}`;
  await expectStatus(await pm.post("/api/v1/projects/WM/milestones", { data: { code: ms, title: "Reopen flow" } }), 201);
  await expectStatus(await pm.post(`${base}/tasks`, { data: { code: `${ms}-01`, title: "Ship it" } }), 201);
  const list = await pm.post(`${base}/checklists`, {
    data: { title: "Pre-deploy", sections: [{ title: "", items: [{ text: "backup" }, { text: "restore drill" }] }] },
  });
  await expectStatus(list, 201);
  const listId = (await list.json()).id;
  await expectStatus(await pm.post(`${base}/criteria`, { data: { code: "C1", title: "Tests pass", metric: "tests.pass_rate", op: "==", target: 100 } }), 201);
  await expectStatus(await pm.post(`${base}/signoff-roles`, { data: { role: "QA lead", approver: "qa" } }), 200);
  const upload = (name: string, xml: string) =>
    eng.post("/api/v1/projects/WM/evidence", {
      multipart: { milestone: ms, criterion: "C1", file: { name, mimeType: "application/xml", buffer: Buffer.from(xml) } },
    });
  await expectStatus(await upload("junit.xml", junit(7)), 201);
  const bad = await upload("junit-wrong-branch.xml", failingJunit(6, 2));
  await expectStatus(bad, 201);
  const badId = (await bad.json()).id;

  // the PM edits a task title and moves an item up
  await login(page, "pm", `/p/WM/m/${ms}`);
  const editTask = page.locator("details", { has: page.locator("summary", { hasText: `Edit ${ms}-01` }) });
  await openDetails(editTask);
  await editTask.getByLabel("Task title").fill("Ship it, reviewed");
  await editTask.getByRole("button", { name: `Save ${ms}-01` }).click();
  await expect(page.locator("section[aria-labelledby=tasks-h] table")).toContainText("Ship it, reviewed");
  await page.getByRole("button", { name: "Move up restore drill" }).click();
  await expect(page.locator(".checklist li.item .text").first()).toHaveText("restore drill");
  await expect(page.locator("ul.history")).toContainText("title: 'Ship it' → 'Ship it, reviewed'");
  await expect(page.locator("ul.history")).toContainText("item.move");

  // the engineer withdraws the wrong file with a reason; the verdict follows
  await context.clearCookies();
  await login(page, "engineer", `/p/WM/m/${ms}`);
  const verdict = page.locator('tr[data-criterion="C1"] .badge');
  await expect(verdict).toHaveText("not met");
  await page.locator("summary", { hasText: `Withdraw #${badId}` }).click();
  await page.getByLabel("Reason for withdrawing junit-wrong-branch.xml").fill("built from the wrong branch");
  await page.getByRole("button", { name: `Withdraw #${badId}` }).click();
  await expect(verdict).toHaveText("met");
  const withdrawn = page.locator("tr.withdrawn");
  await expect(withdrawn).toContainText("junit-wrong-branch.xml");
  await expect(withdrawn).toContainText("built from the wrong branch");

  // everything done, approved and certified (through the API)
  await expectStatus(await eng.post(`${base}/tasks/${ms}-01/complete`), 200);
  const m = await (await pm.get(base)).json();
  for (const item of m.checklists[0].items) {
    await expectStatus(await eng.post(`${base}/checklists/${listId}/items/${item.id}/tick`), 200);
  }
  const seen = await (await qa.get(base)).json();
  await expectStatus(
    await qa.post(`${base}/signoffs`, { data: { role: "QA lead", decision: "approve", state_digest: seen.state_digest } }),
    201,
  );
  const cert = await pm.post(`${base}/certificate`);
  await expectStatus(cert, 201);
  const number = (await cert.json()).number;

  // a certified milestone refuses "Add task" until the PM reopens it
  await context.clearCookies();
  await login(page, "pm", `/p/WM/m/${ms}`);
  await expect(page.locator(".milestone-head .badge")).toHaveText("certified");
  const addTask = page.locator("details", { has: page.locator("summary", { hasText: "Add a task" }) });
  await openDetails(addTask);
  await addTask.getByLabel("Code").fill(`${ms}-02`);
  await addTask.getByLabel("Title").fill("Write the docs");
  await addTask.getByRole("button", { name: "Add task" }).click();
  await expect(page.getByText(`${ms} is certified (certificate ${number}); reopen it first`)).toBeVisible();

  await page.locator("summary", { hasText: "Reopen this milestone" }).click();
  await page.getByLabel("Reason for reopening").fill("docs are part of the scope");
  const reopen = page.getByRole("button", { name: "Reopen milestone" });
  // nothing happens until the confirmation is ticked
  await reopen.click();
  await expect(page.locator(".milestone-head .badge")).toHaveText("certified");
  await page.getByLabel(/I understand: the certificate will say superseded/).check();
  await reopen.click();
  await expect(page.locator(".milestone-head .badge")).toHaveText("ready for sign-off");
  await expect(page.locator("ul.history")).toContainText("milestone.reopen");

  await openDetails(addTask);
  await addTask.getByLabel("Code").fill(`${ms}-02`);
  await addTask.getByLabel("Title").fill("Write the docs");
  await addTask.getByRole("button", { name: "Add task" }).click();
  await expect(page.locator("section[aria-labelledby=tasks-h] table")).toContainText("Write the docs");

  // the certificate stays authentic but says it is superseded, by whom and why
  await page.getByRole("link", { name: number }).click();
  await expect(page).toHaveURL(new RegExp(`/certificates/${number}$`));
  await expect(page.getByText(/SUPERSEDED: milestone reopened on \d{4}-\d{2}-\d{2} .* by pm because docs are part of the scope/)).toBeVisible();

  // with every edit form open, the milestone page still fits a 390 px phone (wide tables scroll in place)
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto(`/p/WM/m/${ms}`);
  for (const d of await page.locator("main details").all()) await openDetails(d);
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
});
