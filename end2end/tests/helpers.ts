import { APIRequestContext, Page, TestInfo, expect, request } from "@playwright/test";

export const PASSWORD = "attest-demo";

/** A milestone code of its own for each spec and project, so runs never collide. */
export function milestoneCode(info: TestInfo, spec: number): string {
  const base = info.project.name === "js-on" ? 100 : 200;
  return `M${base + spec * 10 + info.retry}`;
}

export function jsOn(info: TestInfo): boolean {
  return info.project.name === "js-on";
}

/** An API client acting as a demo user, with the token .ci/test created for them. */
export async function api(user: "pm" | "engineer" | "qa"): Promise<APIRequestContext> {
  const token = process.env[`ATTEST_E2E_TOKEN_${user.toUpperCase()}`];
  if (!token) throw new Error(`ATTEST_E2E_TOKEN_${user.toUpperCase()} is not set (run the suite through .ci/test)`);
  return request.newContext({
    baseURL: process.env.ATTEST_E2E_URL ?? "http://127.0.0.1:3100",
    extraHTTPHeaders: { Authorization: `Bearer ${token}` },
  });
}

export async function expectStatus(res: { status(): number; text(): Promise<string> }, status: number) {
  expect(res.status(), await res.text()).toBe(status);
}

export async function login(page: Page, username: string, next = "/") {
  await page.goto(`/login?next=${encodeURIComponent(next)}`);
  await page.getByLabel("Username").fill(username);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Log in" }).click();
  await expect(page.getByRole("banner").getByText(`(${username})`)).toBeVisible();
}

/** A JUnit report with `total` passing test cases. */
export function junit(total: number): string {
  const cases = Array.from({ length: total }, (_, n) => `  <testcase classname="e2e.Suite" name="t${n}" time="0.01"/>`).join("\n");
  return `<?xml version="1.0"?>\n<testsuite name="e2e" tests="${total}">\n${cases}\n</testsuite>\n`;
}
