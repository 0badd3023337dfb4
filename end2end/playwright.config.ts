import { defineConfig } from "@playwright/test";

// The server is started by ../.ci/test (fresh data dir, demo loaded) and its
// address passed in ATTEST_E2E_URL. Every spec runs twice: with JavaScript on
// (hydrated app) and off (plain HTML forms).
const launchOptions = {
  executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
  args: [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
  ],
};

export default defineConfig({
  testDir: "./tests",
  timeout: 60_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: [["list"]],
  use: {
    baseURL: process.env.ATTEST_E2E_URL ?? "http://127.0.0.1:3100",
    // the browser's zone becomes the reader's zone (with JavaScript): pin it
    timezoneId: "UTC",
    trace: "off",
  },
  projects: [
    { name: "js-on", use: { javaScriptEnabled: true, launchOptions } },
    { name: "js-off", use: { javaScriptEnabled: false, launchOptions } },
  ],
});
