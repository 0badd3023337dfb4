import { readFileSync } from "node:fs";
import { expect, test } from "@playwright/test";
import { jsOn, login, milestoneCode } from "./helpers";

const PLAYBOOK = [
  "# Release playbook",
  "",
  "### Build",
  "- [ ] **Code**",
  "  - [ ] merged",
  "  - [ ] reviewed",
  "- [ ] tagged",
  "",
  "## Acceptance criteria",
  "",
  "- `tests.pass_rate >= 95` Unit tests pass",
].join("\n");

test("a PM saves a playbook from Markdown, applies it, and a parent item ticks itself from its children", async ({ page }, info) => {
  const ms = milestoneCode(info, 7);
  const slug = `release-${info.project.name}-${Date.now().toString(36)}`;
  await login(page, "pm", "/p/WM");

  // a milestone to apply it to
  await page.getByText("New milestone").click();
  const create = page.locator("form[data-form$=create_milestone]");
  await create.getByLabel("Code").fill(ms);
  await create.getByLabel("Title").fill("Playbook run");
  await create.getByRole("button", { name: "Create milestone" }).click();
  await expect(page.getByRole("status")).toContainText(`Created milestone ${ms}`);

  // the templates page, reached by its link; the built-in playbooks are there
  await page.getByRole("link", { name: "Checklist templates" }).click();
  await expect(page.getByRole("heading", { name: /^Checklist templates of WM/ })).toBeVisible();
  await expect(page.locator("tr[data-template=deploy-playbook-zh]")).toContainText("部署操作检查清单");

  // a bad text says what is wrong and keeps what was typed
  await page.getByText("Save a template from Markdown").click();
  const form = page.locator("form[data-form$=save_template]");
  await form.getByLabel(/^Name/).fill(slug);
  await form.getByLabel(/^Markdown/).fill("# Nothing to tick\n\nJust prose.");
  await form.getByRole("button", { name: "Save template" }).click();
  await expect(page.getByRole("alert")).toContainText("no checklist items found");
  await expect(form.getByLabel(/^Name/)).toHaveValue(slug);

  await form.getByLabel(/^Markdown/).fill(PLAYBOOK);
  await form.getByRole("button", { name: "Save template" }).click();
  await expect(page.getByRole("status")).toHaveText(`Saved template ${slug} v1: 4 items, 1 criteria.`);
  const row = page.locator(`tr[data-template=${slug}]`);
  await expect(row).toContainText("this project");

  // its Markdown downloads when clicked, in the shape it was written in
  const [md] = await Promise.all([page.waitForEvent("download"), row.getByRole("link", { name: "Markdown" }).click()]);
  expect(md.suggestedFilename()).toBe(`${slug}.md`);
  const text = readFileSync((await md.path())!, "utf8");
  expect(text).toContain("- [ ] **Code**\n  - [ ] merged\n  - [ ] reviewed\n- [ ] tagged\n");
  expect(text).toContain("- `tests.pass_rate >= 95` Unit tests pass");
  // and its JSON opens when clicked
  await row.getByRole("link", { name: "JSON" }).click();
  await expect(page.locator("body")).toContainText(`"slug":"${slug}"`);
  await page.goBack();

  // applied on the milestone page
  await page.goto(`/p/WM/m/${ms}`);
  await page.getByText("Apply a checklist template").click();
  const apply = page.locator("form[data-form$=apply_template]");
  await apply.getByLabel("Template").selectOption(slug);
  await apply.getByRole("button", { name: "Apply template" }).click();
  await expect(page.getByRole("status")).toHaveText(`Applied template ${slug} v1 with criterion C1.`);
  await expect(page.getByText(`From template ${slug} v1 (project)`)).toBeVisible();
  await expect(page.locator("tr[data-criterion=C1]")).toContainText("Unit tests pass");

  // the parent has no tick button: it is ticked when its children are
  const parent = page.locator("li.item.parent", { hasText: "Code" });
  await expect(parent).toContainText("ticked when its 2 items are");
  await expect(parent.getByRole("button", { name: /^(Tick|Untick) / })).toHaveCount(0);
  await expect(page.locator("li.item[data-depth='1']")).toHaveCount(2);
  await page.getByRole("button", { name: "Tick merged" }).click();
  await expect(page.getByRole("button", { name: "Untick merged" })).toBeVisible();
  await expect(parent).not.toHaveClass(/ticked/);
  await page.getByRole("button", { name: "Tick reviewed" }).click();
  await expect(parent).toHaveClass(/ticked/);
  await expect(parent).toContainText("all 2 items ticked");

  // a new version of the template: the copy stays, and says so
  await page.goto("/p/WM/templates");
  await page.getByText("Save a template from Markdown").click();
  await form.getByLabel(/^Name/).fill(slug);
  await form.getByLabel(/^Markdown/).fill(PLAYBOOK.replace("- [ ] tagged", "- [ ] tagged and signed"));
  await form.getByRole("button", { name: "Save template" }).click();
  await expect(page.getByRole("status")).toHaveText(`Saved template ${slug} v2: 4 items, 1 criteria.`);
  await page.goto(`/p/WM/m/${ms}`);
  await expect(page.getByText(`Template ${slug} v2 is available; this checklist was copied from v1.`)).toBeVisible();
  await expect(page.locator("li.item", { hasText: "tagged" })).not.toContainText("signed");
  if (jsOn(info)) await expect(page.getByRole("button", { name: "Tick tagged" })).toBeEnabled();
});
