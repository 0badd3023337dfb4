import { expect, test } from "@playwright/test";
import { api, expectStatus, junit, login, milestoneCode } from "./helpers";

// An approver approves exactly the state on their screen: a file that arrives
// between looking and clicking turns the click into a clear refusal that names
// the change, and nothing is recorded until they approve what they now see.
test("an approver signs what they saw; a stale view is told what changed", async ({ page }, info) => {
  const ms = milestoneCode(info, 5);
  const pm = await api("pm");
  const eng = await api("engineer");
  const base = `/api/v1/projects/WM/milestones/${ms}`;
  await expectStatus(await pm.post("/api/v1/projects/WM/milestones", { data: { code: ms, title: "Sign what you saw" } }), 201);
  await expectStatus(await pm.post(`${base}/criteria`, { data: { code: "C1", title: "Tests pass", metric: "tests.pass_rate", op: "==", target: 100 } }), 201);
  await expectStatus(await pm.post(`${base}/signoff-roles`, { data: { role: "QA lead", approver: "qa" } }), 200);
  const upload = (name: string, total: number) =>
    eng.post("/api/v1/projects/WM/evidence", {
      multipart: { milestone: ms, criterion: "C1", file: { name, mimeType: "application/xml", buffer: Buffer.from(junit(total)) } },
    });
  await expectStatus(await upload("junit.xml", 5), 201);

  await login(page, "qa", `/p/WM/m/${ms}`);
  await expect(page.getByText("ready for sign-off")).toBeVisible();
  // the Reject button's label is readable (white on red, not red on red)
  const colors = await page
    .getByRole("button", { name: "Reject as QA lead" })
    .evaluate((b) => [getComputedStyle(b).color, getComputedStyle(b).backgroundColor]);
  expect(colors[0]).not.toBe(colors[1]);
  // while the approver writes their comment, CI attaches another report (a
  // form being written holds the live update back, so the page still shows
  // the first run; with JavaScript off nothing updates anyway)
  await page.getByLabel("Comment").fill("Looked at the first run.");
  await expectStatus(await upload("junit-rerun.xml", 6), 201);
  await page.getByRole("button", { name: "Approve as QA lead" }).click();
  const refusal = page.getByText(/changed since you looked/);
  await expect(refusal).toBeVisible();
  await expect(refusal).toContainText("junit-rerun.xml");
  await expect(page.locator(".badge.signoff-approved")).toHaveCount(0);

  // what they see now is what they approve
  await page.goto(`/p/WM/m/${ms}`);
  await expect(page.getByText("junit-rerun.xml").first()).toBeVisible();
  await page.getByLabel("Comment").fill("Checked the rerun.");
  await page.getByRole("button", { name: "Approve as QA lead" }).click();
  await expect(page.locator(".badge.signoff-approved")).toBeVisible();
  await expect(page.getByText("signed off", { exact: true })).toBeVisible();
  const m = await (await pm.get(base)).json();
  expect(m.signoff_roles[0].latest.comment).toBe("Checked the rerun.");
  expect(m.signoff_roles[0].latest.state_digest).toBe(m.state_digest);
});
