import { expect, test } from "@playwright/test";
import { api, expectStatus, jsOn, login, milestoneCode } from "./helpers";

test("a PM ticks a checklist item and sees who ticked it and when", async ({ page }, info) => {
  const ms = milestoneCode(info, 1);
  const pm = await api("pm");
  await expectStatus(await pm.post("/api/v1/projects/WM/milestones", { data: { code: ms, title: "Checklist flow" } }), 201);
  await expectStatus(
    await pm.post(`/api/v1/projects/WM/milestones/${ms}/checklists`, {
      data: { title: "Pre-deploy", sections: [{ title: "Rollback", items: [{ text: "Rollback script tested" }] }] },
    }),
    201,
  );

  await login(page, "pm", `/p/WM/m/${ms}`);
  await expect(page.getByRole("heading", { name: new RegExp(`^${ms} Checklist flow`) })).toBeVisible();
  await expect(page.getByText("0/1 items ticked (0%)")).toBeVisible();
  // hydration probe: with JavaScript on, ticking must not reload the page
  let navigations = 0;
  page.on("framenavigated", (frame) => {
    if (frame === page.mainFrame()) navigations++;
  });
  await page.getByRole("button", { name: "Tick Rollback script tested" }).click();

  const item = page.locator("li.item", { hasText: "Rollback script tested" });
  await expect(item.getByText(/ticked by pm · \d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC/)).toBeVisible();
  await expect(page.getByText("1/1 items ticked (100%)")).toBeVisible();
  await expect(page.getByRole("button", { name: "Untick Rollback script tested" })).toBeVisible();
  if (jsOn(info)) expect(navigations, "the hydrated page ticked without a reload").toBe(0);
  else {
    expect(navigations, "the plain form post reloaded the page").toBeGreaterThan(0);
    // and came back to the item, not to the top of the page
    const id = await item.getAttribute("id");
    expect(id).toMatch(/^item-\d+$/);
    await expect(page).toHaveURL(new RegExp(`/p/WM/m/${ms}#${id}$`));
  }
});
