import { Page, expect, test } from "@playwright/test";
import { PASSWORD, jsOn, login } from "./helpers";

async function logout(page: Page) {
  await page.getByRole("banner").getByRole("button", { name: "Log out" }).click();
  await expect(page.getByRole("banner").getByRole("link", { name: "Log in" })).toBeVisible();
}

test("an admin adds a user and a project, a PM makes the user an engineer, the admin disables them", async ({ page }, info) => {
  const stamp = Date.now().toString(36);
  // unique per run and per project (JS on / off), so runs never collide
  const username = `e2e-${info.project.name}-${stamp}`;
  const code = `A${jsOn(info) ? "N" : "F"}${stamp.toUpperCase()}`.slice(0, 12);
  const projectName = `Admin spec ${info.project.name}`;

  // the admin adds the user on /admin/users
  await login(page, "admin");
  await page.getByRole("banner").getByRole("link", { name: "Admin" }).click();
  await expect(page.getByRole("heading", { name: "Users" })).toBeVisible();
  const addUser = page.locator("details.manage");
  await addUser.getByLabel("Username").fill(username);
  await addUser.getByLabel("Display name").fill("E2E Person");
  await addUser.getByLabel("Initial password (at least 8 characters)").fill(PASSWORD);
  await addUser.getByRole("button", { name: "Add user" }).click();
  if (jsOn(info)) {
    await expect(addUser.getByRole("status")).toHaveText(`Added user ${username}.`);
    await expect(addUser.getByLabel("Username")).toHaveValue("");
  }
  const userRow = page.getByRole("row", { name: new RegExp(username) });
  await expect(userRow).toContainText("E2E Person");
  await expect(userRow).toContainText("active");

  // … and creates a project on /admin/projects
  await page.getByRole("link", { name: "Projects (admin)" }).click();
  const newProject = page.locator("details.manage");
  await newProject.getByLabel(/^Code/).fill(code);
  await newProject.getByLabel("Name").fill(projectName);
  await newProject.getByLabel("Description").fill("made by the admin spec");
  await newProject.getByRole("button", { name: "Create project" }).click();
  if (jsOn(info)) {
    await expect(newProject.getByRole("status")).toHaveText(`Created project ${code}; you are its PM.`);
    await expect(newProject.getByLabel(/^Code/)).toHaveValue("");
  }
  // as its creator the admin is its PM, and names pm a PM too
  await page.getByRole("link", { name: `${code} · ${projectName}` }).click();
  await page.getByRole("link", { name: "Members", exact: true }).click();
  await expect(page.getByRole("heading", { name: new RegExp(`Members of ${code}`) })).toBeVisible();
  let addMember = page.locator("details.manage");
  await addMember.getByLabel("Username").fill("pm");
  await addMember.getByLabel(/^Role/).selectOption("pm");
  await addMember.getByRole("button", { name: "Add member" }).click();
  await expect(page.getByRole("row", { name: /^pm / })).toContainText("pm");
  await logout(page);

  // the PM adds the new user as an engineer by clicking through
  await login(page, "pm");
  await page.getByRole("link", { name: `${code} · ${projectName}` }).click();
  await page.getByRole("link", { name: "Members", exact: true }).click();
  addMember = page.locator("details.manage");
  await addMember.getByLabel("Username").fill(username);
  await addMember.getByLabel(/^Role/).selectOption("engineer");
  await addMember.getByRole("button", { name: "Add member" }).click();
  if (jsOn(info)) {
    await expect(addMember.getByRole("status")).toHaveText(`Added ${username} as engineer.`);
    await expect(addMember.getByLabel("Username")).toHaveValue("");
  }
  await expect(page.getByRole("row", { name: new RegExp(username) })).toContainText("engineer");
  await logout(page);

  // the new user logs in and sees the project
  await login(page, username);
  await expect(page.getByRole("link", { name: `${code} · ${projectName}` })).toBeVisible();
  await logout(page);

  // the admin disables them
  await login(page, "admin");
  await page.getByRole("banner").getByRole("link", { name: "Admin" }).click();
  await page.getByRole("button", { name: `Disable ${username}` }).click();
  if (jsOn(info)) {
    await expect(page.getByRole("status").first()).toContainText(`Disabled ${username}`);
  }
  await expect(page.getByRole("row", { name: new RegExp(username) })).toContainText("disabled");
  await expect(page.getByRole("button", { name: `Enable ${username}` })).toBeVisible();
  await logout(page);

  // … and their log-in is refused, saying why
  await page.goto("/login");
  await page.getByLabel("Username").fill(username);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Log in" }).click();
  await expect(page.getByRole("alert")).toHaveText("account disabled: ask an admin to enable it");
  await expect(page.getByRole("banner").getByRole("link", { name: "Log in" })).toBeVisible();
});
