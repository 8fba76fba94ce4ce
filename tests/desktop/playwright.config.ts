// Playwright setup for the desktop smoke suite (`npm run test:desktop`, which builds the app and finds Electron
// first): the built app under Playwright's _electron, one test at a time, and Debian's Chromium for the customer
// chat page the suite opens beside it.
import { defineConfig } from '@playwright/test';
import base from '../../playwright.config';

export default defineConfig({
  ...base,
  testDir: '.',
  testMatch: '*.spec.ts',
  globalSetup: undefined,
  // Electron's start (window, cache, bundled relay attempt) comes on top of the e2e flow.
  timeout: 120_000,
  globalTimeout: 10 * 60_000,
  outputDir: '../../test-results/desktop',
});
