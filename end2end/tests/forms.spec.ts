import { expect, test } from "@playwright/test";
import { api, expectStatus, jsOn, junit, login } from "./helpers";

/** A milestone code no other run uses, in the shape teams name sprints. */
function sprint(info: { project: { name: string } }): string {
  return `Sprint-${info.project.name === "js-on" ? "a" : "b"}${Date.now().toString(36)}`;
}

test("a form says what it added, starts over clean, and a double click creates once", async ({ page }, info) => {
  const code = sprint(info);
  await login(page, "pm", "/p/WM");
  await page.getByText("New milestone").click();
  const create = page.locator("form[data-form$=create_milestone]");
  await create.getByLabel("Code").fill(code);
  await create.getByLabel("Title").fill("Form hygiene");
  await create.getByRole("button", { name: "Create milestone" }).click({ clickCount: 2 });
  await expect(page.getByRole("status")).toHaveText(`Created milestone ${code} “Form hygiene”.`);
  await expect(page.getByText("already exists")).toHaveCount(0);
  await expect(page.getByRole("link", { name: code, exact: true })).toHaveCount(1);
  if (jsOn(info)) await expect(create.getByLabel("Code")).toHaveValue("");

  await page.getByRole("link", { name: code, exact: true }).click();
  await expect(page.getByRole("heading", { name: new RegExp(`^${code} Form hygiene`) })).toBeVisible();

  // a refused form shows why; a later success elsewhere clears that stale error
  await page.getByText("Add a task").click();
  const taskForm = page.locator("form[data-form$=add_task]");
  await taskForm.getByLabel("Code").fill("not a code");
  await taskForm.getByLabel("Title").fill("Runbook");
  await taskForm.getByLabel("Requires evidence").check();
  await taskForm.getByRole("button", { name: "Add task" }).click();
  await expect(page.getByRole("alert")).toContainText("a code is 1–20 letters");
  // the form came back as it was filled in, with JavaScript or without
  await expect(taskForm.getByLabel("Title")).toHaveValue("Runbook");
  await expect(taskForm.getByLabel("Requires evidence")).toBeChecked();

  await taskForm.getByLabel("Code").fill("t-01");
  await taskForm.getByRole("button", { name: "Add task" }).click();
  await expect(page.getByRole("status")).toHaveText("Added task T-01 “Runbook” (requires evidence).");
  await expect(page.getByRole("alert")).toHaveCount(0);
  // nothing carried over into the next task: "Requires evidence" is clear again
  await expect(taskForm.getByLabel("Requires evidence")).not.toBeChecked();
  await expect(taskForm.getByLabel("Title")).toHaveValue("");
  await taskForm.getByLabel("Code").fill("t-02");
  await taskForm.getByLabel("Title").fill("Announce");
  await taskForm.getByRole("button", { name: "Add task" }).click();
  await expect(page.getByRole("status")).toHaveText("Added task T-02 “Announce”.");
  const rows = page.locator("section[aria-labelledby=tasks-h] tbody tr");
  await expect(rows).toHaveCount(2);
  await expect(rows.filter({ hasText: "T-01" })).toContainText("required, none yet");
  await expect(rows.filter({ hasText: "T-02" })).not.toContainText("required");

  // a percentage target typed as "80%"
  await page.getByText("Add an acceptance criterion").click();
  const crit = page.locator("form[data-form$=add_criterion]");
  await crit.getByLabel("Code").fill("c1");
  await crit.getByLabel("Title").fill("Line coverage");
  await crit.getByLabel("Metric").selectOption("coverage.line_pct");
  await crit.getByLabel("Target").fill("80%");
  await crit.getByRole("button", { name: "Add criterion" }).click();
  await expect(page.getByRole("status")).toHaveText("Added criterion C1 “Line coverage”: coverage.line_pct ≥ 80.");
  await expect(page.locator("tr[data-criterion=C1]")).toContainText("≥ 80%");
});

test("a refused upload leaves the kind on 'detect' so the next file goes through", async ({ page }, info) => {
  const code = sprint(info);
  const pm = await api("pm");
  await expectStatus(await pm.post("/api/v1/projects/WM/milestones", { data: { code, title: "Upload reset" } }), 201);
  await login(page, "engineer", `/p/WM/m/${code}`);
  const file = { name: "junit.xml", mimeType: "application/xml", buffer: Buffer.from(junit(3)) };
  await page.getByLabel("Evidence file").setInputFiles(file);
  await page.getByLabel("Kind").selectOption("sarif");
  await page.getByRole("button", { name: "Upload evidence" }).click();
  await expect(page.getByRole("alert")).toContainText("Upload refused");
  await expect(page.getByLabel("Kind")).toHaveValue("auto");
  await page.getByLabel("Evidence file").setInputFiles(file);
  await page.getByRole("button", { name: "Upload evidence" }).click();
  if (jsOn(info)) await expect(page.getByRole("status").getByText("JUnit XML")).toBeVisible();
  else await expect(page.getByText("Stored and parsed as JUnit XML.")).toBeVisible();
  await expect(page.getByText("Upload refused")).toHaveCount(0);
});

test("a wrong password keeps the username and says so plainly", async ({ page }) => {
  await page.goto("/login");
  await page.getByLabel("Username").fill("engineer");
  await page.getByLabel("Password").fill("not-the-password");
  await page.getByRole("button", { name: "Log in" }).click();
  await expect(page.getByRole("alert")).toHaveText("wrong username or password");
  await expect(page.getByLabel("Username")).toHaveValue("engineer");
  await expect(page.getByLabel("Password")).toHaveValue("");
  expect(page.url()).not.toContain("__err");
});
