// Automated accessibility audit (axe-core, WCAG 2 A/AA rules) of the screens an agent and a customer use:
// the help page's flow must be usable with a screen reader and a keyboard, so serious findings fail the suite.
import type { Page } from '@playwright/test';
import { seriousViolations } from './axe';
import {
  chatOwnedBy,
  chooseFromChatMenu,
  conversation,
  expect,
  offerTransfer,
  openSession,
  test,
  transferDialog,
} from './fixtures';

test('the workspace, the transfer dialog, an offered chat, listening mode, Dashboard, the Team view, History and sign-in pass axe', async ({
  signIn,
  startChat,
}) => {
  test.setTimeout(180_000); // seven axe scans over two workspaces: 90 s ran out on a loaded two-core machine
  const alice = await signIn('alice');
  await chatOwnedBy(alice, startChat, 'Dana Whitfield', 'My invoice shows the wrong amount.');
  const bob = await signIn('bob');
  await openSession(alice, 'Dana Whitfield');
  expect(await seriousViolations(alice.page), 'workspace').toEqual([]);
  await alice.page.emulateMedia({ colorScheme: 'dark' });
  // the dark palette is really in use (#0f1117), so this pass audits it
  expect(await alice.page.evaluate(() => getComputedStyle(document.body).backgroundColor)).toBe('rgb(15, 17, 23)');
  expect(await seriousViolations(alice.page), 'workspace, dark theme').toEqual([]);
  await alice.page.emulateMedia({ colorScheme: 'light' });

  await chooseFromChatMenu(alice, 'Dana Whitfield', 'Transfer');
  await expect(transferDialog(alice.page)).toBeVisible();
  expect(await seriousViolations(alice.page), 'transfer dialog').toEqual([]);
  await transferDialog(alice.page).getByRole('button', { name: 'Cancel' }).click();

  await offerTransfer(alice, 'Dana Whitfield', bob, 'Billing question');
  const offered = conversation(bob.page, 'Dana Whitfield');
  await expect(offered.getByRole('button', { name: 'Accept transfer' })).toBeVisible();
  expect(await seriousViolations(bob.page), 'offered chat').toEqual([]);
  await offered.getByRole('button', { name: 'Accept transfer' }).click();
  await expect(conversation(alice.page, 'Dana Whitfield')).toContainText('You are listening to this chat.');
  expect(await seriousViolations(alice.page), 'listening mode').toEqual([]);

  const maria = await signIn('maria');
  await maria.page.getByRole('tab', { name: 'Dashboard' }).click();
  await expect(maria.page.getByRole('table', { name: 'Live chats' })).toContainText('Dana Whitfield');
  expect(await seriousViolations(maria.page), 'dashboard').toEqual([]);

  await maria.page.getByRole('tab', { name: 'Team' }).click();
  await expect(maria.page.getByRole('table', { name: 'People' })).toContainText('Carol White');
  expect(await seriousViolations(maria.page), 'team view').toEqual([]);
  await maria.page.getByRole('table', { name: 'People' }).getByRole('button', { name: 'Edit Carol White' }).click();
  await expect(maria.page.getByRole('dialog', { name: 'Edit Carol White' })).toBeVisible();
  expect(await seriousViolations(maria.page), 'team edit dialog').toEqual([]);
  await maria.page.getByRole('dialog', { name: 'Edit Carol White' }).getByRole('button', { name: 'Cancel' }).click();

  await bob.page.getByRole('tab', { name: 'History' }).click();
  await expect(bob.page.getByRole('searchbox', { name: 'Search history' })).toBeVisible();
  expect(await seriousViolations(bob.page), 'history').toEqual([]);

  await bob.page.getByRole('button', { name: 'Sign out' }).click();
  await expect(bob.page.getByRole('button', { name: 'Sign in' })).toBeVisible();
  expect(await seriousViolations(bob.page), 'sign-in').toEqual([]);
});

test('the customer chat page passes axe before and during a chat', async ({ openCustomerPage, signIn, startChat }) => {
  const page = await openCustomerPage();
  expect(await seriousViolations(page), 'customer page, start').toEqual([]);
  await signIn('alice');
  const customer = await startChat('Lena Berg', 'Hello there');
  await expect(customer.page.getByRole('log')).toContainText('joined the chat');
  expect(await seriousViolations(customer.page), 'customer page, chatting').toEqual([]);
});

test('Settings, an offer shown on another tab and the offline banner pass axe', async ({ relay, signIn, startChat }) => {
  const alice = await signIn('alice');
  await chatOwnedBy(alice, startChat, 'Dana Whitfield', 'My invoice shows the wrong amount.');
  const bob = await signIn('bob');
  const both = async (page: Page, what: string) => {
    expect(await seriousViolations(page), what).toEqual([]);
    await page.emulateMedia({ colorScheme: 'dark' });
    expect(await seriousViolations(page), `${what}, dark theme`).toEqual([]);
    await page.emulateMedia({ colorScheme: 'light' });
  };

  await bob.page.getByRole('button', { name: 'Settings' }).click();
  await expect(bob.page.getByRole('region', { name: 'Settings' })).toBeVisible();
  await both(bob.page, 'settings');

  await bob.page.getByRole('tab', { name: 'History' }).click();
  await offerTransfer(alice, 'Dana Whitfield', bob);
  await expect(bob.page.getByRole('region', { name: 'Transfers offered to you' })).toBeVisible();
  // the bar uses the transfer colours the banner below is audited in, dark included
  expect(await seriousViolations(bob.page), 'offer bar on History').toEqual([]);

  await relay.stop();
  await expect(alice.page.getByRole('region', { name: 'You are offline' })).toBeVisible();
  await both(alice.page, 'offline banner');
});
