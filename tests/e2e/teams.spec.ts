// End-to-end: teams and supervision in Chromium. A chat transferred to a team and accepted by one of its two members;
// the Dashboard's agents panel following statuses live; a manager disabling an agent from the Team view, who is then
// signed out with a sentence; and today's figures for a scripted day, with their CSV.
import fs from 'node:fs';
import type { Page } from '@playwright/test';
import type { RelayFrame } from '../../common/protocol';
import {
  type Agent,
  chatOwnedBy,
  chooseFromChatMenu,
  conversation,
  expect,
  sendAsAgent,
  sessionOption,
  test,
  transcriptOf,
  transferDialog,
} from './fixtures';
import { connectScriptedAgent, type ScriptedAgent } from './scripted-agent';
import { connectScriptedCustomer } from './scripted-customer';

/** Billing = bob and carol, set up by maria over the wire before anyone signs in to the web app. */
async function billingTeam(wsUrl: string): Promise<ScriptedAgent> {
  const maria = await connectScriptedAgent(wsUrl, 'maria');
  await maria.command({ type: 'team-add', team: 'billing', name: 'Billing' });
  await maria.command({ type: 'user-set-teams', user: 'bob', teams: ['billing'] });
  await maria.command({ type: 'user-set-teams', user: 'carol', teams: ['billing'] });
  return maria;
}

const agentsPanel = (page: Page) => page.getByRole('table', { name: 'Agents' });
const agentRow = (page: Page, name: string) => agentsPanel(page).getByRole('row').filter({ hasText: name });

/** A new owner is sent the summary and a replay of the whole log, which holds its `assigned` event. */
const assignedTo = (sessionId: string) => (f: RelayFrame) =>
  f.type === 'session' && f.session.id === sessionId && f.session.state === 'active';

const setStatus = (agent: Agent, status: 'Present' | 'Busy' | 'Away') =>
  agent.page.getByRole('banner').getByLabel('Status').selectOption({ label: status });

test('a chat transferred to a team is accepted by one of its two members; the other sees it disappear', async ({
  relay,
  signIn,
  startChat,
}) => {
  const maria = await billingTeam(relay.wsUrl);
  const alice = await signIn('alice');
  const customer = await chatOwnedBy(alice, startChat, 'Dana Whitfield', 'My invoice shows the wrong amount.');
  const bob = await signIn('bob');
  const carol = await signIn('carol');

  await chooseFromChatMenu(alice, 'Dana Whitfield', 'Transfer');
  const dialog = transferDialog(alice.page);
  const team = dialog.getByRole('group', { name: 'Teams' }).getByRole('option', { name: /Billing/ });
  await expect(team).toContainText('2 members Present');
  await team.click();
  await dialog.getByLabel('Note (optional)').fill('Invoice 4471');
  await dialog.getByRole('button', { name: 'Transfer', exact: true }).click();
  await expect(dialog).toBeHidden();
  await expect(conversation(alice.page, 'Dana Whitfield')).toContainText('Waiting for Billing to accept the transfer');

  for (const member of [bob, carol]) {
    const offered = conversation(member.page, 'Dana Whitfield');
    await expect(offered).toContainText(`${alice.name} wants to transfer this chat to your team Billing; the first to accept gets it.`);
    await expect(transcriptOf(member.page, 'Dana Whitfield')).toContainText('My invoice shows the wrong amount.');
  }

  await conversation(carol.page, 'Dana Whitfield').getByRole('button', { name: 'Accept transfer' }).click();

  await expect(transcriptOf(carol.page, 'Dana Whitfield')).toContainText(`Transferred from ${alice.name} to ${carol.name}`);
  await expect(conversation(carol.page, 'Dana Whitfield').getByRole('textbox', { name: 'Message' })).toBeVisible();
  // bob's offer is gone: no chat left in his list, no buttons
  await expect(sessionOption(bob.page, 'Dana Whitfield')).toHaveCount(0);
  await expect(bob.page.getByRole('button', { name: 'Accept transfer' })).toHaveCount(0);
  await expect(conversation(alice.page, 'Dana Whitfield')).toContainText('You are listening to this chat. You cannot write.');
  await expect(customer.page.getByRole('log')).toContainText(`You are now chatting with ${carol.name}`);
  await sendAsAgent(carol, 'Dana Whitfield', 'Hi Dana, Carol from billing here.');
  await expect(customer.page.getByRole('log')).toContainText('Carol from billing here');
  await maria.close();
});

test('the agents panel follows statuses and chats live', async ({ relay, signIn, startChat }) => {
  const script = await billingTeam(relay.wsUrl);
  await script.close();
  const maria = await signIn('maria');
  await maria.page.getByRole('tab', { name: 'Dashboard' }).click();
  await expect(agentRow(maria.page, 'Bob Jones')).toContainText('Offline');

  const bob = await signIn('bob');
  await expect(agentRow(maria.page, 'Bob Jones')).toContainText('Present');
  await expect(agentRow(maria.page, 'Bob Jones')).toContainText('Billing');
  await expect(agentRow(maria.page, 'Bob Jones')).toContainText('0 / 4');

  await setStatus(bob, 'Busy');
  await expect(agentRow(maria.page, 'Bob Jones')).toContainText('Busy');
  await setStatus(bob, 'Present');
  await expect(agentRow(maria.page, 'Bob Jones')).toContainText('Present');

  await startChat('Ravi Patel', 'Can I change my delivery address?');
  await expect(agentRow(maria.page, 'Bob Jones')).toContainText('1 / 4');
  const queues = maria.page.getByRole('table', { name: 'Queues' });
  await expect(queues.getByRole('row', { name: /^Billing/ })).toContainText('1 of 2');
});

test('a manager disables an agent in the Team view; the agent is signed out with a sentence', async ({ signIn }) => {
  const bob = await signIn('bob');
  const maria = await signIn('maria');
  await maria.page.getByRole('tab', { name: 'Team' }).click();
  const people = maria.page.getByRole('table', { name: 'People' });
  await people.getByRole('button', { name: 'Disable Bob Jones' }).click();

  await expect(bob.page.getByRole('heading', { name: 'Sign in to Baton' })).toBeVisible();
  await expect(bob.page.getByRole('main')).toContainText('Your account was disabled by a manager.');
  await expect(people.getByRole('row').filter({ hasText: 'Bob Jones' })).toContainText('Disabled');
  await expect(people.getByRole('button', { name: 'Enable Bob Jones' })).toBeVisible();
});

test("today's figures for a scripted day are shown on the Dashboard and exported as CSV", async ({ relay, signIn }) => {
  const maria = await billingTeam(relay.wsUrl);
  const alice = await connectScriptedAgent(relay.wsUrl, 'alice');
  const bob = await connectScriptedAgent(relay.wsUrl, 'bob');
  const carol = await connectScriptedAgent(relay.wsUrl, 'carol');

  // The day: Ann's chat goes to Billing (bob passes, carol accepts and closes it); Ben's chat bob handles and closes
  await carol.command({ type: 'set-status', status: 'away' });
  await bob.command({ type: 'set-status', status: 'away' });
  const ann = await connectScriptedCustomer(relay.wsUrl, 'Ann');
  await alice.waitFor(assignedTo(ann.sessionId));
  await alice.command({ type: 'send', sessionId: ann.sessionId, messageId: 'm-ann-000001', text: 'Hello Ann' });
  await bob.command({ type: 'set-status', status: 'present' });
  await carol.command({ type: 'set-status', status: 'present' });
  const { transferId } = (await alice.command({ type: 'offer-transfer', sessionId: ann.sessionId, team: 'billing' })) as { transferId: string };
  await bob.command({ type: 'reject-transfer', sessionId: ann.sessionId, transferId });
  await carol.command({ type: 'accept-transfer', sessionId: ann.sessionId, transferId });
  await carol.command({ type: 'close-chat', sessionId: ann.sessionId });
  await alice.command({ type: 'set-status', status: 'away' });
  await carol.command({ type: 'set-status', status: 'away' });
  const ben = await connectScriptedCustomer(relay.wsUrl, 'Ben');
  await bob.waitFor(assignedTo(ben.sessionId));
  await bob.command({ type: 'send', sessionId: ben.sessionId, messageId: 'm-ben-000001', text: 'Hello Ben' });
  await bob.command({ type: 'close-chat', sessionId: ben.sessionId });

  const manager = await signIn('maria');
  await manager.page.getByRole('tab', { name: 'Dashboard' }).click();
  const perAgent = manager.page.getByRole('table', { name: 'Today per agent' });
  const cells = async (name: string) => (await perAgent.getByRole('row').filter({ hasText: name }).getByRole('cell').allTextContents());
  // columns: handled, first response, handle time, made, accepted, rejected, timed out
  await expect.poll(() => cells('Carol')).toEqual(['1', '—', expect.stringMatching(/^\d+:\d\d$/), '0', '1', '0', '0']);
  expect(await cells('Alice Smith')).toEqual(['0', expect.stringMatching(/^\d+:\d\d$/), '—', '1', '0', '0', '0']);
  expect(await cells('Bob Jones')).toEqual(['1', expect.stringMatching(/^\d+:\d\d$/), expect.stringMatching(/^\d+:\d\d$/), '0', '0', '1', '0']);
  const perTeam = manager.page.getByRole('table', { name: 'Today per team' });
  await expect(perTeam.getByRole('row').filter({ hasText: 'Billing' }).getByRole('cell').first()).toHaveText('1');

  const download = manager.page.waitForEvent('download');
  await manager.page.getByRole('button', { name: 'Export CSV' }).click();
  const file = await (await download).path();
  const csv = fs.readFileSync(file, 'utf8');
  expect(csv.split('\r\n')[0]).toBe(
    'scope,id,name,chats handled,first response (s),average handle time (s),transfers made,transfers accepted,transfers rejected,transfers timed out',
  );
  expect(csv).toMatch(/\r\nagent,carol,Carol [^,]*,1,,[\d.]+,0,1,0,0\r\n/);
  expect(csv).toMatch(/\r\nteam,billing,Billing,1,/);
  for (const party of [maria, alice, bob, carol, ann, ben]) await party.close();
});
