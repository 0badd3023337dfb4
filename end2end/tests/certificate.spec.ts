import { expect, test } from "@playwright/test";
import { execFileSync } from "child_process";
import { mkdtempSync, readFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { api, expectStatus, junit, login, milestoneCode } from "./helpers";

test("the approver signs, the PM issues the certificate, and its verify page says valid", async ({ page, context }, info) => {
  const ms = milestoneCode(info, 3);
  const pm = await api("pm");
  const eng = await api("engineer");
  const base = `/api/v1/projects/WM/milestones/${ms}`;
  await expectStatus(await pm.post("/api/v1/projects/WM/milestones", { data: { code: ms, title: "Certificate flow" } }), 201);
  await expectStatus(await pm.post(`${base}/tasks`, { data: { code: `${ms}-01`, title: "Ship it" } }), 201);
  await expectStatus(await pm.post(`${base}/criteria`, { data: { code: "C1", title: "Tests pass", metric: "tests.pass_rate", op: "==", target: 100 } }), 201);
  await expectStatus(await pm.post(`${base}/signoff-roles`, { data: { role: "QA lead", approver: "qa" } }), 200);
  await expectStatus(await eng.post(`${base}/tasks/${ms}-01/complete`), 200);
  await expectStatus(
    await eng.post("/api/v1/projects/WM/evidence", {
      multipart: { milestone: ms, criterion: "C1", file: { name: "junit.xml", mimeType: "application/xml", buffer: Buffer.from(junit(7)) } },
    }),
    201,
  );

  await login(page, "qa", `/p/WM/m/${ms}`);
  await expect(page.getByText("ready for sign-off")).toBeVisible();
  await page.getByLabel("Comment").fill("Checked the suite.");
  await page.getByRole("button", { name: "Approve as QA lead" }).click();
  await expect(page.locator(".badge.signoff-approved")).toBeVisible();
  await expect(page.getByText("signed off", { exact: true })).toBeVisible();

  await context.clearCookies();
  await login(page, "pm", `/p/WM/m/${ms}`);
  await page.getByRole("button", { name: "Issue certificate" }).click();
  await expect(page).toHaveURL(/\/certificates\/WM-M\d+-\d{8}-\d{3}$/);
  await expect(page.getByText("Valid: the payload matches its SHA-256 and its Ed25519 signature")).toBeVisible();
  await expect(page.locator(".certificate")).toContainText("Tests pass");
  // every mark is drawn, none depends on an emoji font
  expect(await page.locator(".certificate").innerText()).not.toMatch(/[\u2705\u274c\u2713\u2717\u2298]/);
  await expect(page.locator(".certificate svg.mark.yes").first()).toBeVisible();

  // the PDF is a real download when clicked (the client router must not catch it)
  const [pdf] = await Promise.all([page.waitForEvent("download"), page.getByRole("link", { name: "PDF", exact: true }).click()]);
  expect(pdf.suggestedFilename()).toMatch(/^WM-M\d+-\d{8}-\d{3}\.pdf$/);
  const pdfPath = await pdf.path();
  expect(readFileSync(pdfPath!).subarray(0, 5).toString()).toBe("%PDF-");
  await expect(page).toHaveURL(/\/certificates\/WM-M\d+-\d{8}-\d{3}$/);

  // the auditor bundle downloads when clicked, and its page reads without any server
  const [bundle] = await Promise.all([page.waitForEvent("download"), page.getByRole("link", { name: "Auditor bundle" }).click()]);
  expect(bundle.suggestedFilename()).toMatch(/^WM-M\d+-\d{8}-\d{3}\.attest\.zip$/);
  const bundlePath = (await bundle.path())!;
  expect(readFileSync(bundlePath).subarray(0, 2).toString()).toBe("PK");
  await expect(page).toHaveURL(/\/certificates\/WM-M\d+-\d{8}-\d{3}$/);
  const certificatePage = page.url();
  const unpacked = mkdtempSync(join(tmpdir(), "bundle-"));
  execFileSync("python3", ["-c", "import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2])", bundlePath, unpacked]);
  await page.goto(`file://${unpacked}/index.html`);
  await expect(page.getByRole("heading", { name: /^Certificate WM-M\d+-\d{8}-\d{3}$/ })).toBeVisible();
  await expect(page.getByRole("cell", { name: "Tests pass", exact: true })).toBeVisible();
  await expect(page.getByRole("cell", { name: "QA lead", exact: true }).first()).toBeVisible();
  await page.getByRole("link", { name: /^evidence\/\d+-junit\.xml$/ }).click();
  await expect(page).toHaveURL(/evidence\/\d+-junit\.xml$/);
  await page.goto(certificatePage);

  // the public keys link is a real page load of the JSON, not the app's "Not found"
  await page.getByRole("link", { name: "/.well-known/attest-keys.json" }).click();
  await expect(page).toHaveURL(/\/\.well-known\/attest-keys\.json$/);
  await expect(page.locator("body")).toContainText("Ed25519");
  await page.goBack();
  await expect(page.getByText("Valid: the payload matches its SHA-256 and its Ed25519 signature")).toBeVisible();

  const certificateUrl = page.url();
  await context.clearCookies();
  // the verify link names the certificate by its unguessable verify id, not its number
  await page.getByRole("link", { name: /\/verify\/[0-9a-f]{32}$/ }).click();
  await expect(page.getByText("Valid — the stored certificate matches its SHA-256 and its signature.")).toBeVisible();
  const verifyUrl = page.url();

  // the PM revokes it; the public verify page then says so, and when, but not why (WM is not public)
  await login(page, "pm", new URL(certificateUrl).pathname);
  await page.getByText("Revoke this certificate").click();
  await page.getByLabel("Reason", { exact: true }).fill("Issued against the wrong build");
  const revokeButton = page.getByRole("button", { name: "Revoke certificate" });
  // a readable label: white on red, not red on red
  const colors = await revokeButton.evaluate((b) => [getComputedStyle(b).color, getComputedStyle(b).backgroundColor]);
  expect(colors[0]).not.toBe(colors[1]);
  // nothing happens until the confirmation is ticked
  await revokeButton.click();
  await expect(page.locator(".cert-status", { hasText: "REVOKED" })).toHaveCount(0);
  await page.getByLabel(/I understand: revoking is permanent/).check();
  await revokeButton.click();
  await expect(page.getByText(/REVOKED .* by pm: Issued against the wrong build/)).toBeVisible();
  await context.clearCookies();
  await page.goto(verifyUrl);
  await expect(page.getByText(/REVOKED \d{4}-\d{2}-\d{2}/)).toBeVisible();
  await expect(page.getByText("Issued against the wrong build")).toHaveCount(0);
});
