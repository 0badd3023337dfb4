import { Page, TestInfo, expect, test } from "@playwright/test";
import { api, expectStatus, jsOn, login, milestoneCode } from "./helpers";

/** A JUnit report: the `failing` tests fail with "<name> broke", three more pass. */
function junitWith(failing: string[]): string {
  const failed = failing.map(
    (n) => `  <testcase classname="e2e.Cart" name="${n}"><failure message="${n} broke">AssertionError: ${n} broke\n  at Cart.${n}(Cart.java:7)</failure></testcase>`,
  );
  const passed = ["p1", "p2", "p3"].map((n) => `  <testcase classname="e2e.Cart" name="${n}"/>`);
  return `<?xml version="1.0"?>\n<testsuite name="cart">\n${[...failed, ...passed].join("\n")}\n</testsuite>\n`;
}

/** Uploads a report for criterion C1 through the milestone page's form, and comes back to that page. */
async function upload(page: Page, info: TestInfo, ms: string, name: string, xml: string) {
  await page.getByLabel("Evidence file").setInputFiles({ name, mimeType: "application/xml", buffer: Buffer.from(xml) });
  await page.getByLabel("For criterion").selectOption("C1");
  await page.getByRole("button", { name: "Upload evidence" }).click();
  if (jsOn(info)) {
    await expect(page.getByRole("status").getByText(name)).toBeVisible();
  } else {
    // a plain form post lands on the stored evidence; its breadcrumb leads back
    await expect(page.getByText("Stored and parsed as JUnit XML.")).toBeVisible();
    await page.locator("nav.crumbs").getByRole("link", { name: ms }).click();
  }
}

test("the evidence page drills into failing tests and compares with the previous run", async ({ page }, info) => {
  const ms = milestoneCode(info, 8);
  const pm = await api("pm");
  await expectStatus(await pm.post("/api/v1/projects/WM/milestones", { data: { code: ms, title: "Drill-down" } }), 201);
  await expectStatus(
    await pm.post(`/api/v1/projects/WM/milestones/${ms}/criteria`, {
      data: { code: "C1", title: "Most tests pass", metric: "tests.pass_rate", op: ">=", target: 50 },
    }),
    201,
  );

  await page.setViewportSize({ width: 390, height: 844 });
  await login(page, "engineer", `/p/WM/m/${ms}`);
  await upload(page, info, ms, "junit-run1.xml", junitWith(["checkout", "discount"]));
  const row = page.locator("tr[data-criterion=C1]");
  await expect(row.getByRole("cell", { name: "60%", exact: true })).toBeVisible();
  const first = (await row.getByRole("link", { name: /^#\d+$/ }).innerText()).slice(1);

  await upload(page, info, ms, "junit-run2.xml", junitWith(["discount", "shipping"]));
  const link = row.getByRole("link", { name: /^#\d+$/ });
  await expect(link).not.toHaveText(`#${first}`);
  await link.click();

  await expect(page.getByRole("heading", { name: /junit-run2\.xml/ })).toBeVisible();
  const failing = page.getByRole("region", { name: "Failing tests (2)" });
  await expect(failing.getByRole("cell", { name: "discount", exact: true })).toBeVisible();
  await expect(failing.getByRole("cell", { name: "shipping", exact: true })).toBeVisible();
  await expect(failing.getByText("shipping broke", { exact: true })).toBeVisible();
  await expect(failing.getByText("at Cart.shipping(Cart.java:7)")).toBeVisible();

  const comparison = page.getByRole("region", { name: `Compared with evidence #${first}` });
  await expect(comparison.getByRole("table", { name: "New failures (1)" }).getByRole("cell", { name: "shipping" })).toBeVisible();
  await expect(comparison.getByRole("table", { name: "Fixed (1)" }).getByRole("cell", { name: "checkout" })).toBeVisible();
  await expect(comparison.getByRole("table", { name: "Still failing (1)" }).getByRole("cell", { name: "discount" })).toBeVisible();

  // on a phone the wide tables scroll inside their wrapper; the page itself does not
  await expect(failing.locator("div.table-scroll")).toBeVisible();
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  expect(width, "the evidence page is wider than the phone").toBeLessThanOrEqual(390);

  // the previous run is one click away, and has nothing before it
  await comparison.getByRole("link", { name: new RegExp(`^#${first} junit-run1\\.xml$`) }).click();
  await expect(page.getByRole("region", { name: "Failing tests (2)" }).getByRole("cell", { name: "checkout", exact: true })).toBeVisible();
  await expect(page.getByText("No earlier JUnit XML evidence to compare with.")).toBeVisible();
});
