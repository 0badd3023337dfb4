import { expect, test } from "@playwright/test";
import { api, expectStatus, jsOn, junit, login, milestoneCode } from "./helpers";

// Two parties at once: a PM has a milestone page open in the browser while
// CI (the API, a second context) uploads a test run for one of its criteria.
// With JavaScript the open page shows the new verdict by itself, within about
// a second; without it, the page is as fresh as its last load, and a reload
// shows the same.
test("an open milestone page shows the verdict CI's upload decides, without a reload", async ({ page }, info) => {
  const ms = `${milestoneCode(info, 5)}-L`;
  const pm = await api("pm");
  const ci = await api("engineer");
  await expectStatus(await pm.post("/api/v1/projects/WM/milestones", { data: { code: ms, title: "Watched live" } }), 201);
  await expectStatus(
    await pm.post(`/api/v1/projects/WM/milestones/${ms}/criteria`, {
      data: { code: "C1", title: "All green", metric: "tests.pass_rate", op: "==", target: 100 },
    }),
    201,
  );
  await login(page, "pm", `/p/WM/m/${ms}`);
  const row = page.locator("tr[data-criterion=C1]");
  await expect(row).toContainText("no evidence");
  // the page is listening before CI uploads (the stream opens as it hydrates)
  if (jsOn(info)) await page.waitForLoadState("networkidle").catch(() => {});

  const upload = await ci.post("/api/v1/projects/WM/evidence", {
    multipart: {
      milestone: ms,
      criterion: "C1",
      file: { name: "junit.xml", mimeType: "application/xml", buffer: Buffer.from(junit(4)) },
    },
  });
  await expectStatus(upload, 201);
  const uploaded = Date.now();
  if (jsOn(info)) {
    await expect(row.locator(".badge")).toHaveText(/^\s*met\s*$/, { timeout: 3_000 });
    const took = Date.now() - uploaded;
    console.log(`live: the verdict showed ${took} ms after the upload answered`);
    expect(took, "a change shows within about a second").toBeLessThan(1_500);
  } else {
    await expect(row).toContainText("no evidence");
    await page.reload();
    await expect(row.locator(".badge")).toHaveText(/^\s*met\s*$/);
  }
});

// Someone filling in a form is not overwritten: with JavaScript the change
// waits behind a notice; either way what they typed stays, and sending the
// form shows both their task and the new verdict.
test("a change waits while the reader is typing in a form, and shows once they send it", async ({ page }, info) => {
  const ms = `${milestoneCode(info, 5)}-T`;
  const pm = await api("pm");
  const ci = await api("engineer");
  await expectStatus(await pm.post("/api/v1/projects/WM/milestones", { data: { code: ms, title: "Typed into" } }), 201);
  await expectStatus(
    await pm.post(`/api/v1/projects/WM/milestones/${ms}/criteria`, {
      data: { code: "C1", title: "All green", metric: "tests.pass_rate", op: "==", target: 100 },
    }),
    201,
  );
  await login(page, "pm", `/p/WM/m/${ms}`);
  if (jsOn(info)) await page.waitForLoadState("networkidle").catch(() => {});
  await page.locator("summary", { hasText: "Add a task" }).click();
  const add = page.locator("form[data-form$=add_task]");
  await add.getByLabel("Code").fill("T-1");
  await add.getByLabel("Title").fill("Typed while CI uploads");

  await expectStatus(
    await ci.post("/api/v1/projects/WM/evidence", {
      multipart: {
        milestone: ms,
        criterion: "C1",
        file: { name: "junit.xml", mimeType: "application/xml", buffer: Buffer.from(junit(3)) },
      },
    }),
    201,
  );
  if (jsOn(info)) {
    await expect(page.locator(".live-notice")).toBeVisible({ timeout: 3_000 });
  } else {
    // without JavaScript nothing listens: the page stays as loaded
    await page.waitForTimeout(1_000);
    await expect(page.locator(".live-notice")).toHaveCount(0);
  }
  await expect(add.getByLabel("Title")).toHaveValue("Typed while CI uploads");
  await expect(page.locator("tr[data-criterion=C1]")).toContainText("no evidence");

  await add.getByRole("button", { name: "Add task" }).click();
  await expect(page.locator("tr[data-criterion=C1] .badge")).toHaveText(/^\s*met\s*$/, { timeout: 3_000 });
  await expect(page.getByRole("status").filter({ hasText: "Added task T-1 “Typed while CI uploads”" })).toBeVisible();
  await expect(page.getByRole("cell", { name: "T-1", exact: true })).toBeVisible();
  await expect(page.locator(".live-notice")).toHaveCount(0);
});
