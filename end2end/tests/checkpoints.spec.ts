import { expect, test } from "@playwright/test";
import { api, expectStatus, login, milestoneCode } from "./helpers";

function minutesAgo(minutes: number): string {
  return new Date(Date.now() - minutes * 60_000).toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** A k6 summary with the given share of failed requests. */
function k6(failedRate: number): string {
  return JSON.stringify({
    metrics: {
      http_req_duration: { type: "trend", contains: "time", values: { avg: 80, min: 10, med: 70, max: 400, "p(90)": 150, "p(95)": 180 } },
      http_reqs: { type: "counter", contains: "default", values: { count: 1000, rate: 16.6 } },
      http_req_failed: { type: "rate", contains: "default", values: { rate: failedRate, passes: 1000 * failedRate, fails: 1000 - 1000 * failedRate } },
    },
    root_group: { name: "", path: "", id: "d41d8cd98f00b204e9800998ecf8427e", groups: [], checks: [] },
  });
}

// A PM adds release checkpoints and records the release by clicking; a
// checkpoint whose run arrives in its window passes, and one whose grace runs
// out while the page is open turns overdue on the next load.
test("release checkpoints count from the release, ignore runs from outside their window, and go overdue", async ({ page }, info) => {
  const ms = milestoneCode(info, 4);
  const pm = await api("pm");
  const eng = await api("engineer");
  await expectStatus(await pm.post("/api/v1/projects/WM/milestones", { data: { code: ms, title: "Observed after release" } }), 201);

  await login(page, "pm", `/p/WM/m/${ms}`);
  const section = page.locator("section", { has: page.locator("#release-h") });
  await expect(section).toContainText("Not released yet");
  await section.getByText("Add release checkpoints").click();
  await section.getByLabel("After the release (offsets)").fill("1h 4h");
  await section.getByRole("button", { name: "Add checkpoints" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Added checkpoints 1 h, 4 h." })).toBeVisible();
  await expect(section.locator("tr[data-checkpoint='1 h'] .badge")).toHaveText("awaiting release");
  await expect(page.locator("section.gaps")).toContainText("the release is not recorded");

  // a criterion of the 1 h checkpoint, through the Manage form
  await page.locator("summary", { hasText: "Add an acceptance criterion" }).click();
  const add = page.locator("form[data-form$=add_criterion]");
  await add.getByLabel("Code").fill("C1");
  await add.getByLabel("Title").fill("Error rate an hour after release");
  await add.getByLabel("Metric").selectOption("http.error_rate_pct");
  await add.getByLabel("Operator").selectOption("<=");
  await add.getByLabel("Target").fill("1");
  await add.getByLabel("Release checkpoint").selectOption("1 h");
  await add.getByRole("button", { name: "Add criterion" }).click();
  await expect(page.locator("tr[data-criterion=C1]")).toContainText("checkpoint 1 h");

  // released now, by a click: the checkpoints are scheduled from this moment
  await section.getByText("Record the release", { exact: true }).click();
  await section.getByLabel(/It is released now/).check();
  await section.getByRole("button", { name: "Record the release now" }).click();
  await expect(section.locator("p.release")).toContainText("(recorded by pm)");
  await expect(section.locator("tr[data-checkpoint='1 h'] .badge")).toHaveText("scheduled");
  // a run from before the release is outside every window
  await expectStatus(
    await eng.post("/api/v1/projects/WM/evidence", {
      multipart: { milestone: ms, criterion: "C1", file: { name: "k6-before.json", mimeType: "application/json", buffer: Buffer.from(k6(0.001)) } },
    }),
    201,
  );
  await page.reload();
  await expect(page.locator("tr[data-criterion=C1] .badge")).toHaveText("no evidence");

  // another milestone, released two hours ago less a few seconds: its 1 h
  // checkpoint's grace runs out while we look
  const other = `${ms}-B`;
  const base = `/api/v1/projects/WM/milestones/${other}`;
  await expectStatus(await pm.post("/api/v1/projects/WM/milestones", { data: { code: other, title: "Watched" } }), 201);
  await expectStatus(await pm.post(`${base}/checkpoints`, { data: { offsets: ["1h"], grace: "1h" } }), 201);
  await expectStatus(
    await pm.post(`${base}/criteria`, {
      data: { code: "C1", title: "Error rate at 1 h", metric: "http.error_rate_pct", op: "<=", target: 1, checkpoint: "1 h" },
    }),
    201,
  );
  await expectStatus(await pm.post(`${base}/release`, { data: { at: minutesAgo(120 - 0.15) } }), 201);
  await page.goto(`/p/WM/m/${other}`);
  const row = page.locator("tr[data-checkpoint='1 h']");
  await expect(row.locator(".badge")).toHaveText("due");
  await page.waitForTimeout(10_000);
  await page.reload();
  await expect(row.locator(".badge")).toHaveText("overdue");
  await expect(page.locator("section.gaps")).toContainText("checkpoint 1 h is overdue");

  // a run taken in its window would have passed it: on the first milestone,
  // released just now, nothing is due for an hour
  await page.goto(`/p/WM/m/${ms}`);
  await expect(section.locator("tr[data-checkpoint='1 h'] .badge")).toHaveText("scheduled");
});
