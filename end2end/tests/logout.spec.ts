import { expect, test } from "@playwright/test";
import { login } from "./helpers";

// Private pages are never kept by the browser: after logging out, Back must
// not show them again (Cache-Control: no-store on pages and API answers).
test("Back after logging out does not show the private page again", async ({ page }) => {
  await login(page, "pm", "/p/WM/m/M3");
  await expect(page.getByText("regression-junit.xml").first()).toBeVisible();
  await page.getByRole("button", { name: "Log out" }).click();
  await expect(page).toHaveURL(/\/login/);
  await page.goBack();
  await expect(page).toHaveURL(/\/p\/WM\/m\/M3$/);
  await expect(page.getByText("regression-junit.xml")).toHaveCount(0);
  await expect(page.getByRole("banner").getByText("(pm)")).toHaveCount(0);
});
