import { expect, test } from "@playwright/test";
import { readFileSync } from "node:fs";
import { api, expectStatus, junit, login, milestoneCode } from "./helpers";

/** A Cobertura report with `covered` of `valid` lines covered. */
function cobertura(covered: number, valid: number): string {
  const rate = (covered / valid).toFixed(4);
  return (
    `<?xml version="1.0" ?>\n<coverage version="7.4" timestamp="1700000000" lines-valid="${valid}" lines-covered="${covered}" ` +
    `line-rate="${rate}" branches-valid="0" branches-covered="0" branch-rate="0" complexity="0">\n` +
    `  <sources><source>/src</source></sources>\n  <packages>\n` +
    `    <package name="e2e" line-rate="${rate}" branch-rate="0" complexity="0"><classes/></package>\n  </packages>\n</coverage>\n`
  );
}

// A hand-written report, the way a team types one: the pass rate and the test
// count hold, the coverage it claims (92 %) is not what the evidence says
// (71.2 %), and nothing records vulnerabilities.
function report(ms: string): string {
  return [
    `# 里程碑 ${ms} 测试报告`,
    "",
    "- ✅ 测试通过率 100%",
    "- ✅ 测试覆盖率 92%",
    "- ✅ 共执行 12 个测试用例",
    "- ✅ 0 个高危漏洞",
    "",
  ].join("\n");
}

// A PM pastes a Chinese report into the audit form of a milestone, reads
// each claim against the records (with the evidence and its hash), confirms
// a mapping and exports the audit as Markdown; then uploads the same report
// as a file. With JavaScript on and off.
test("a PM audits a hand-written report against the milestone's evidence", async ({ page }, info) => {
  const ms = milestoneCode(info, 10);
  const pm = await api("pm");
  const eng = await api("engineer");
  const base = `/api/v1/projects/WM/milestones/${ms}`;
  await expectStatus(await pm.post("/api/v1/projects/WM/milestones", { data: { code: ms, title: "Audit a report" } }), 201);
  await expectStatus(
    await pm.post(`${base}/criteria`, { data: { code: "C1", title: "Unit-test pass rate", metric: "tests.pass_rate", op: "==", target: 100 } }),
    201,
  );
  await expectStatus(
    await pm.post(`${base}/criteria`, { data: { code: "C2", title: "Line coverage", metric: "coverage.line_pct", op: ">=", target: 85 } }),
    201,
  );
  const tests = await eng.post("/api/v1/projects/WM/evidence", {
    multipart: { milestone: ms, criterion: "C1", file: { name: "junit.xml", mimeType: "application/xml", buffer: Buffer.from(junit(12)) } },
  });
  await expectStatus(tests, 201);
  const coverage = await eng.post("/api/v1/projects/WM/evidence", {
    multipart: { milestone: ms, file: { name: "coverage.xml", mimeType: "application/xml", buffer: Buffer.from(cobertura(712, 1000)) } },
  });
  await expectStatus(coverage, 201);
  const cov = (await coverage.json()) as { id: number; sha256: string };
  const junitFile = (await tests.json()) as { id: number; sha256: string };

  await login(page, "pm", `/p/WM/m/${ms}`);
  await page.getByRole("link", { name: "Claims audits" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toContainText("Claims audits");
  await expect(page.getByText("No report audited yet.")).toBeVisible();
  const paste = page.locator("form").filter({ has: page.getByRole("button", { name: "Audit the report" }) });
  await paste.getByLabel("Title").fill("周报");
  await paste.getByLabel("Markdown report").fill(report(ms));
  await paste.getByRole("button", { name: "Audit the report" }).click();

  // the audit: every claim with its verdict, the evidence and its hash
  await expect(page).toHaveURL(new RegExp(`/p/WM/m/${ms}/audits/\\d+$`));
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Claims audit · 周报");
  const summary = page.locator(".audit-summary");
  await expect(summary).toContainText("2 confirmed");
  await expect(summary).toContainText("1 contradicted");
  await expect(summary).toContainText("1 unsupported");

  const passRate = page.locator("tr.claim").filter({ hasText: "测试通过率 100%" });
  await expect(passRate.locator(".badge")).toHaveText("confirmed");
  await expect(passRate).toContainText("C1 · Unit-test pass rate");
  await expect(passRate.getByRole("link", { name: `#${junitFile.id} junit.xml` })).toHaveAttribute("href", `/evidence/${junitFile.id}`);
  await expect(passRate.locator("code.hash")).toHaveText(`${junitFile.sha256.slice(0, 12)}…`);

  const covRow = page.locator("tr.claim").filter({ hasText: "测试覆盖率 92%" });
  await expect(covRow.locator(".badge")).toHaveText("contradicted");
  await expect(covRow).toContainText("the report says 92%, the evidence says 71.2%");
  await expect(covRow.getByRole("link", { name: `#${cov.id} coverage.xml` })).toHaveAttribute("href", `/evidence/${cov.id}`);
  await expect(covRow.locator("code.hash")).toHaveText(`${cov.sha256.slice(0, 12)}…`);
  await expect(covRow).toContainText("suggested");

  const count = page.locator("tr.claim").filter({ hasText: "12 个测试用例" });
  await expect(count.locator(".badge")).toHaveText("confirmed");
  await expect(count).toContainText("tests.total");

  const vulns = page.locator("tr.claim").filter({ hasText: "0 个高危漏洞" });
  await expect(vulns.locator(".badge")).toHaveText("unsupported");
  await expect(vulns).toContainText("mapped to no record");

  // the PM confirms the suggested mapping of the coverage line
  const line = await covRow.locator("td").first().innerText();
  await expect(covRow.getByLabel(`Line ${line} maps to`)).toHaveValue("criterion:C2");
  await covRow.getByRole("button", { name: "Confirm" }).click();
  await expect(page.locator("tr.claim").filter({ hasText: "测试覆盖率 92%" })).toContainText("confirmed by pm");
  await expect(page.locator("tr.claim").filter({ hasText: "测试覆盖率 92%" }).locator(".badge")).toHaveText("contradicted");

  // the Markdown export: every verdict, with the evidence's full hash
  const [md] = await Promise.all([page.waitForEvent("download"), page.getByRole("link", { name: "Export Markdown" }).click()]);
  expect(md.suggestedFilename()).toMatch(/^claims-audit-\d+\.md$/);
  const text = readFileSync((await md.path())!, "utf8");
  expect(text).toContain("# Claims audit: 周报");
  expect(text).toContain("**contradicted**: the report says 92%, the evidence says 71.2%");
  expect(text).toContain(`#${cov.id} \`${cov.sha256}\``);
  expect(text).toContain(`#${junitFile.id} \`${junitFile.sha256}\``);
  expect(text).toContain("confirmed: 2 · contradicted: 1 · unsupported: 1");

  // the same report as a file, through the plain upload form
  await page.getByRole("link", { name: "All audits" }).click();
  await expect(page.getByRole("link", { name: /周报/ })).toBeVisible();
  const upload = page.locator("form").filter({ has: page.getByRole("button", { name: "Upload and audit" }) });
  await upload.getByLabel("Markdown file").setInputFiles({ name: "report.md", mimeType: "text/markdown", buffer: Buffer.from(report(ms)) });
  await upload.getByRole("button", { name: "Upload and audit" }).click();
  await expect(page).toHaveURL(new RegExp(`/p/WM/m/${ms}/audits/\\d+$`));
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Claims audit · report.md");
  await expect(page.locator("tr.claim").filter({ hasText: "测试覆盖率 92%" }).locator(".badge")).toHaveText("contradicted");
});
