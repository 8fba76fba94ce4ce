// Vitest global setup: the relay serves the customer page from dist/customer-page, which Vite builds (the relay's
// own tests load /chat and its files). Built once per run, so a clean checkout passes and a stale build is replaced.
import { buildCustomerPage } from '../scripts/build-customer-page';

export default async function setup(): Promise<void> {
  await buildCustomerPage();
}
