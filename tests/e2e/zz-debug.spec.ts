import { chatOwnedBy, expect, test } from './fixtures';
test('debug listen', async ({ signIn, startChat, relay }) => {
  const alice = await signIn('alice');
  await chatOwnedBy(alice, startChat, 'Ines Duarte', 'How do I reset my password?');
  const carol = await signIn('carol');
  await carol.page.getByRole('tab', { name: 'Dashboard' }).click();
  const row = carol.page.getByRole('table', { name: 'Live chats' }).getByRole('row').filter({ hasText: 'Ines Duarte' });
  await carol.page.evaluate(() => { document.addEventListener('dblclick', (e) => console.log('DBL on', (e.target as Element).outerHTML.slice(0, 80)), true); });
  carol.page.on('console', (m) => console.log('console:', m.text()));
  await row.dblclick();
  await carol.page.waitForTimeout(1500);
  console.log('tab after dblclick:', await carol.page.getByRole('tab', { selected: true }).textContent());
  await row.focus();
  await carol.page.keyboard.press('Enter');
  await carol.page.waitForTimeout(1500);
  console.log('tab after Enter:', await carol.page.getByRole('tab', { selected: true }).textContent());
  console.log(await carol.page.locator('body').ariaSnapshot());
});
