import { expect, test } from "@playwright/test";
import { api, expectStatus, login, milestoneCode } from "./helpers";

// A PM names what a milestone ships and requires one build, through the
// milestone's edit form: a bad digest is refused with the part named and
// nothing saved; a good subject shows on the page.
test("a PM names the commit, tag and image a milestone ships, and requires one build", async ({ page }, info) => {
  const ms = `${milestoneCode(info, 4)}-S`;
  const pm = await api("pm");
  await expectStatus(await pm.post("/api/v1/projects/WM/milestones", { data: { code: ms, title: "Ships a known build" } }), 201);
  await login(page, "pm", `/p/WM/m/${ms}`);

  const edit = () => page.locator("form").filter({ has: page.getByRole("button", { name: "Save milestone" }) });
  await page.locator("summary", { hasText: "Edit the milestone" }).click();
  await edit().getByLabel("Release commit").fill("a1b2c3d4e5");
  await edit().getByLabel("Release tag").fill("v2.1.0");
  await edit().getByLabel(/^Artifacts/).fill("registry.example/wm/api sha256:abc");
  await edit().getByRole("button", { name: "Save milestone" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "64 hex digits" })).toBeVisible();
  await expect(page.locator("p.subject")).toHaveCount(0);

  const image = `sha256:${"ab".repeat(32)}`;
  await page.goto(`/p/WM/m/${ms}`);
  await page.locator("summary", { hasText: "Edit the milestone" }).click();
  await edit().getByLabel(/^Same build/).check();
  await edit().getByLabel("Release commit").fill("A1B2C3D4E5");
  await edit().getByLabel("Release tag").fill("v2.1.0");
  await edit().getByLabel(/^Artifacts/).fill(`registry.example/wm/api ${image}`);
  await edit().getByRole("button", { name: "Save milestone" }).click();
  await expect(page.locator("p.subject")).toContainText("commit a1b2c3d4e5");
  await expect(page.locator("p.subject")).toContainText("tag v2.1.0");
  await expect(page.locator("p.subject")).toContainText("registry.example/wm/api");
  await expect(page.getByText("Same build: every criterion's evidence must name one commit.")).toBeVisible();
  const v = await (await pm.get(`/api/v1/projects/WM/milestones/${ms}`)).json();
  expect(v.same_build).toBe(true);
  expect(v.subject.artifacts[0].digest).toBe(image);
});
