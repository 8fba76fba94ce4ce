// Stryker's global setup (vitest.stryker.config.ts): the relay's tests load the customer page, which `dist/` holds
// and Stryker's sandbox leaves out. Every test runner process runs this when it starts, some while another runs tests,
// so the page is built once per sandbox, into a folder of its own and then moved into place: rebuilding the folder
// (Vite empties it first) under a running test would answer it 404 and count a survivor as killed.
import fs from 'node:fs';
import path from 'node:path';
import { buildCustomerPage } from '../scripts/build-customer-page';
import { CUSTOMER_PAGE_OUT } from '../vite.customer.config';

export default async function setup(): Promise<void> {
  if (fs.existsSync(path.join(CUSTOMER_PAGE_OUT, 'build.json'))) return;
  const own = `${CUSTOMER_PAGE_OUT}.${process.pid}`;
  await buildCustomerPage(own);
  try {
    fs.renameSync(own, CUSTOMER_PAGE_OUT);
  } catch (error) {
    // another runner moved its build into place first: the same sources, the same page
    fs.rmSync(own, { recursive: true, force: true });
    if (!fs.existsSync(path.join(CUSTOMER_PAGE_OUT, 'build.json'))) throw error;
  }
}
