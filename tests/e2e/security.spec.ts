// End-to-end: the page loads clean under its strict CSP (no eval probe, no violation, no console error), serves no
// source map, and strings people typed cannot reorder the text around them on the customer's page either.
import {
  chatOwnedBy,
  chooseFromChatMenu,
  connectionIndicator,
  expect,
  test,
  transcriptOf,
} from './fixtures';

/** Collects Content-Security-Policy violations the page reports (zod's eval probe used to raise one per load). */
function recordCspViolations() {
  const seen: string[] = [];
  (window as unknown as { __csp: string[] }).__csp = seen;
  document.addEventListener('securitypolicyviolation', (event) => seen.push(`${event.effectiveDirective} ${event.blockedURI}`));
}

test('the workspace loads with no CSP violation and no console error, and its source map is not served', async ({ signIn }) => {
  const alice = await signIn('alice', { initScript: recordCspViolations });
  const page = await alice.context.newPage();
  const problems: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning') problems.push(`${message.type()}: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
  await page.goto(alice.host.url);
  await expect(connectionIndicator(page)).toContainText('Online');
  // walk the views so every lazily parsed schema and every stylesheet rule has had its chance to complain
  for (const tab of ['History', 'Requests', 'Chats']) await page.getByRole('tab', { name: tab }).click();
  await page.getByRole('button', { name: 'Settings' }).click();
  await expect(page.getByRole('region', { name: 'Settings' })).toBeVisible();
  expect(await page.evaluate(() => (window as unknown as { __csp: string[] }).__csp)).toEqual([]);
  expect(problems).toEqual([]);

  const script = await page.locator('script[src]').first().getAttribute('src');
  expect(script).toMatch(/assets\/index-.*\.js$/);
  const scriptUrl = new URL(script ?? '', alice.host.url);
  expect((await page.request.get(scriptUrl.href)).status()).toBe(200);
  const map = await page.request.get(`${scriptUrl.origin}${scriptUrl.pathname}.map`);
  expect(map.status()).toBe(404);
});

test('a right-to-left override in a request title stays inside it on the customer page', async ({ signIn, startChat }) => {
  const alice = await signIn('alice');
  const customer = await chatOwnedBy(alice, startChat, 'Ahmed Karim', 'My washing machine leaks.');
  const title = 'Leak \u202Efdp.exe';
  await chooseFromChatMenu(alice, 'Ahmed Karim', 'Create request');
  const dialog = alice.page.getByRole('dialog', { name: 'Create request' });
  await dialog.getByLabel('Title').fill(title);
  await dialog.getByRole('button', { name: 'Create request' }).click();
  await expect(transcriptOf(alice.page, 'Ahmed Karim')).toContainText('Request created: Leak');

  const line = customer.page.getByRole('log').locator('.line.system').filter({ hasText: 'A request was created' });
  await expect(line).toBeVisible();
  // the title is its own isolate; our words around it are not inside one
  await expect(line.locator('bdi')).toHaveText(title);
  expect(await line.locator('.system-text').evaluate((node) => node.firstChild?.textContent)).toBe('A request was created: ');
  await expect(customer.page.getByRole('log').locator('.line.system bdi').filter({ hasText: alice.name })).toHaveCount(1);
  // and in the agent's own transcript too
  await expect(transcriptOf(alice.page, 'Ahmed Karim').locator('bdi').filter({ hasText: 'fdp.exe' })).toHaveText(title);
});
