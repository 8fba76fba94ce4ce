// End-to-end: closed chats stay readable and searchable from the local cache after the relay has gone away.
import { chatOwnedBy, closeChat, connectionIndicator, expect, sendAsAgent, sendAsCustomer, test } from './fixtures';

test('History shows and searches a closed chat after the relay is stopped', async ({ relay, signIn, startChat }) => {
  const alice = await signIn('alice');
  const customer = await chatOwnedBy(alice, startChat, 'Greta Holm', 'My refrigerator makes a humming noise.');
  await sendAsAgent(alice, 'Greta Holm', 'Please unplug it for ten minutes and try again.');
  await sendAsCustomer(customer, 'That worked, thank you!');
  await expect(alice.page.getByRole('log')).toContainText('That worked, thank you!');

  await closeChat(alice, 'Greta Holm');
  await expect(customer.page.getByRole('log')).toContainText('The chat has ended.');

  await relay.stop();
  await expect(connectionIndicator(alice.page)).not.toContainText('Online');

  await alice.page.getByRole('tab', { name: 'History' }).click();
  const closedChats = alice.page.getByRole('list', { name: 'Closed chats' });
  await expect(closedChats).toContainText('Greta Holm');
  await closedChats.getByRole('listitem').filter({ hasText: 'Greta Holm' }).click();
  const panel = alice.page.getByRole('tabpanel');
  await expect(panel).toContainText('Please unplug it for ten minutes and try again.');
  await expect(panel).toContainText(`Chat closed by ${alice.name}`);
  await expect(panel.getByRole('textbox', { name: 'Message' })).toHaveCount(0);

  await alice.page.getByRole('searchbox', { name: 'Search history' }).fill('refrigerator');
  const mark = panel.locator('mark').filter({ hasText: /refrigerator/i });
  await expect(mark.first()).toBeVisible();
  await expect(panel).toContainText('Greta Holm');
});
