import { expect, test } from "@playwright/test";
import { login } from "./helpers";

test("an engineer creates an API token, sees its secret once, and revokes it", async ({ page }, info) => {
  const name = `ci-${info.project.name}-${Date.now()}`;
  await login(page, "engineer", "/account/tokens");
  await expect(page.getByRole("heading", { name: "API tokens" })).toBeVisible();

  await page.getByLabel("Name").fill(name);
  await page.getByLabel(/evidence:write/).check();
  await page.getByLabel("Expires in days (blank: never)").fill("30");
  await page.getByRole("button", { name: "Create token" }).click();

  const secret = page.getByTestId("new-token-secret");
  await expect(secret).toHaveText(/^att_[0-9a-f]{64}$/);
  const row = page.getByRole("row", { name: new RegExp(name) });
  await expect(row).toContainText("read evidence:write");
  await expect(row).toContainText("active");

  // shown once: a reload no longer has it
  await page.reload();
  await expect(page.getByTestId("new-token-secret")).toHaveCount(0);
  await expect(row).toContainText("never"); // not used yet

  await row.getByRole("button", { name: `Revoke token ${name}` }).click();
  await expect(page.getByRole("row", { name: new RegExp(name) })).toContainText("revoked");
});
