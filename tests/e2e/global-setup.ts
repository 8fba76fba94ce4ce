// Copies the built renderer (and customer page) to a private folder for the run, so a rebuild of dist/renderer during the run
// (another terminal, another npm run build:renderer) cannot pull the page out from under a test.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export default function globalSetup(): () => void {
  const built = path.resolve(import.meta.dirname, '../../dist/renderer');
  if (!fs.existsSync(path.join(built, 'index.html'))) {
    throw new Error(`The renderer is not built (${built}/index.html is missing): run npm run build:renderer, or npm run test:e2e.`);
  }
  const copy = fs.mkdtempSync(path.join(os.tmpdir(), 'baton-e2e-renderer-'));
  fs.cpSync(built, copy, { recursive: true, filter: (source) => !source.endsWith('.map') });
  // the customer chat page and widget likewise (built by the same npm run build:renderer)
  const customerBuilt = path.resolve(import.meta.dirname, '../../dist/customer-page');
  if (!fs.existsSync(path.join(customerBuilt, 'build.json'))) {
    throw new Error(`The customer page is not built (${customerBuilt}/build.json is missing): run npm run build:renderer.`);
  }
  const customerCopy = fs.mkdtempSync(path.join(os.tmpdir(), 'baton-e2e-customer-page-'));
  fs.cpSync(customerBuilt, customerCopy, { recursive: true, filter: (source) => !source.endsWith('.map') });
  // Workers inherit the environment the global setup leaves behind.
  process.env.BATON_E2E_RENDERER_DIR = copy;
  process.env.BATON_E2E_CUSTOMER_PAGE_DIR = customerCopy;
  return () => {
    fs.rmSync(copy, { recursive: true, force: true });
    fs.rmSync(customerCopy, { recursive: true, force: true });
  };
}
