import { defineConfig } from "@playwright/test";

// Screenshots of the main pages for docs/screenshots (desktop and phone):
// `.ci/screenshots`. Not part of the test suite.
export default defineConfig({
  testDir: "./screenshots",
  timeout: 120_000,
  workers: 1,
  reporter: [["list"]],
  use: {
    baseURL: process.env.ATTEST_E2E_URL ?? "http://127.0.0.1:3100",
    javaScriptEnabled: true,
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run"],
    },
  },
});
