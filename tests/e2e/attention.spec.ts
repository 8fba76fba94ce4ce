// End-to-end: getting the agent's attention truly. The window title counts offers and unread chats from state (no
// phantom after a cancelled, rejected or accepted offer, a transfer away or a relay restart), an offer shows on
// every tab with Accept transfer / Reject transfer, and the sounds play the real files.
import fs from 'node:fs';
import path from 'node:path';
import type { Page } from '@playwright/test';
import {
  type Agent,
  chatOwnedBy,
  connectionIndicator,
  conversation,
  expect,
  offerTransfer,
  sendAsCustomer,
  test,
  transcriptOf,
} from './fixtures';

const offerBar = (page: Page) => page.getByRole('region', { name: 'Transfers offered to you' });

async function cancelOffer(alice: Agent, customerName: string) {
  await conversation(alice.page, customerName).getByRole('button', { name: 'Cancel transfer' }).click();
  await expect(conversation(alice.page, customerName).getByRole('button', { name: 'Cancel transfer' })).toHaveCount(0);
}

test('the title counts a pending offer and unread chats truly: nothing left after cancel, reject, accept, transfer away or a relay restart', async ({
  relay,
  signIn,
  startChat,
}) => {
  test.setTimeout(90_000);
  const alice = await signIn('alice');
  const dana = await chatOwnedBy(alice, startChat, 'Dana Whitfield', 'Hi! My invoice shows the wrong amount.');
  await sendAsCustomer(dana, 'It is invoice 4471.');
  await sendAsCustomer(dana, 'From March.');
  await expect(transcriptOf(alice.page, 'Dana Whitfield')).toContainText('From March.');
  await expect(alice.page).toHaveTitle('Baton');
  const bob = await signIn('bob');
  // Bob is reading History: the offered chat's three unread lines are not three things waiting, the offer is one
  await bob.page.getByRole('tab', { name: 'History' }).click();

  await offerTransfer(alice, 'Dana Whitfield', bob);
  await expect(offerBar(bob.page)).toContainText(`${alice.name} wants to transfer the chat with Dana Whitfield to you.`);
  await expect(bob.page).toHaveTitle('(1) Baton');
  await cancelOffer(alice, 'Dana Whitfield');
  await expect(offerBar(bob.page)).toHaveCount(0);
  await expect(bob.page).toHaveTitle('Baton');

  await offerTransfer(alice, 'Dana Whitfield', bob);
  await expect(bob.page).toHaveTitle('(1) Baton');
  await offerBar(bob.page).getByRole('button', { name: 'Reject transfer' }).click();
  await expect(offerBar(bob.page)).toHaveCount(0);
  await expect(bob.page).toHaveTitle('Baton');
  await expect(transcriptOf(alice.page, 'Dana Whitfield')).toContainText(`Transfer rejected by ${bob.name}`);

  // accepted from the Requests tab: the chat opens for Bob, and leaves Alice (now listening) with nothing to count
  await bob.page.getByRole('tab', { name: 'Requests' }).click();
  await offerTransfer(alice, 'Dana Whitfield', bob);
  await expect(bob.page).toHaveTitle('(1) Baton');
  await offerBar(bob.page).getByRole('button', { name: 'Accept transfer' }).click();
  await expect(conversation(bob.page, 'Dana Whitfield').getByRole('textbox', { name: 'Message' })).toBeVisible();
  await expect(bob.page).toHaveTitle('Baton');
  await expect(conversation(alice.page, 'Dana Whitfield')).toContainText('You are listening to this chat. You cannot write.');
  await expect(alice.page).toHaveTitle('Baton');

  // a new line while Bob is elsewhere: one chat waits for him, nothing for the listener
  await bob.page.getByRole('tab', { name: 'History' }).click();
  await alice.page.getByRole('tab', { name: 'History' }).click();
  await sendAsCustomer(dana, 'Are you still there?');
  await expect(bob.page).toHaveTitle('(1) Baton');
  await expect(bob.page.getByRole('tab', { name: 'Chats' })).toContainText('1');
  await expect(alice.page).toHaveTitle('Baton');

  await relay.restart();
  await expect(connectionIndicator(bob.page)).toContainText('Online', { timeout: 40_000 });
  await expect(connectionIndicator(alice.page)).toContainText('Online', { timeout: 40_000 });
  await expect(bob.page).toHaveTitle('(1) Baton');
  await expect(alice.page).toHaveTitle('Baton');

  await bob.page.getByRole('tab', { name: 'Chats' }).click();
  await expect(transcriptOf(bob.page, 'Dana Whitfield')).toContainText('Are you still there?');
  await expect(bob.page).toHaveTitle('Baton');
});

test('an offer shows on the Dashboard with Accept transfer, and accepting there opens the chat', async ({ signIn, startChat }) => {
  const alice = await signIn('alice');
  await chatOwnedBy(alice, startChat, 'Ravi Patel', 'Can I change my delivery address?');
  const carol = await signIn('carol');
  await carol.page.getByRole('tab', { name: 'Dashboard' }).click();
  await expect(carol.page.getByRole('table', { name: 'Live chats' })).toContainText('Ravi Patel');
  await offerTransfer(alice, 'Ravi Patel', carol, 'Address change, needs the warehouse');
  const bar = offerBar(carol.page);
  await expect(bar).toContainText(`${alice.name} wants to transfer the chat with Ravi Patel to you.`);
  await expect(bar).toContainText('Note: Address change, needs the warehouse');
  await expect(bar.getByRole('button', { name: 'Reject transfer' })).toBeVisible();
  await bar.getByRole('button', { name: 'Accept transfer' }).click();
  await expect(transcriptOf(carol.page, 'Ravi Patel')).toContainText('Can I change my delivery address?');
  await expect(conversation(carol.page, 'Ravi Patel').getByRole('textbox', { name: 'Message' })).toBeVisible();
  await expect(carol.page.getByRole('tab', { name: 'Chats' })).toHaveAttribute('aria-selected', 'true');
});

/** Records each play() of an <audio>: which sound, which file, and whether the browser started it. */
function recordPlays() {
  const plays: Array<{ sound: string | undefined; src: string; started: boolean | null }> = [];
  (window as unknown as { __plays: typeof plays }).__plays = plays;
  const play = HTMLMediaElement.prototype.play;
  HTMLMediaElement.prototype.play = function (this: HTMLMediaElement) {
    const entry = { sound: this.dataset.sound, src: this.currentSrc || this.src, started: null as boolean | null };
    plays.push(entry);
    const result = play.call(this);
    result.then(
      () => {
        entry.started = true;
      },
      () => {
        entry.started = false;
      },
    );
    return result;
  };
}

/** Waits until the page played `sound` to a real position, and returns the bytes of the file it played. */
async function playedSound(page: Page, sound: string): Promise<{ bytes: Buffer; contentType: string | null; duration: number }> {
  await expect.poll(() => page.evaluate((s) => (window as unknown as { __plays: Array<{ sound?: string; started: boolean | null }> }).__plays.some((p) => p.sound === s && p.started === true), sound)).toBe(true);
  const audio = page.locator(`audio[data-sound="${sound}"]`);
  // the element really played: its played ranges cover a stretch of the sound
  await expect.poll(() => audio.evaluate((a: HTMLAudioElement) => (a.played.length > 0 ? a.played.end(0) : 0))).toBeGreaterThan(0.05);
  const src = await audio.evaluate((a: HTMLAudioElement) => a.currentSrc);
  const duration = await audio.evaluate((a: HTMLAudioElement) => a.duration);
  const response = await page.request.get(src);
  expect(response.status()).toBe(200);
  return { bytes: await response.body(), contentType: response.headers()['content-type'] ?? null, duration };
}

const committed = (name: string) => fs.readFileSync(path.resolve(import.meta.dirname, '../../renderer/sounds', name));

test('sounds: a new chat and an offer play their real files', async ({ signIn, startChat }) => {
  const alice = await signIn('alice', { initScript: recordPlays });
  // a click in the page, as an agent's sign-in or any click would give: browsers let a page play sound after one
  await alice.page.getByRole('tab', { name: 'Chats' }).click();
  await chatOwnedBy(alice, startChat, 'Dana Whitfield', 'Hello, anyone there?');
  const newChat = await playedSound(alice.page, 'new-chat');
  expect(newChat.bytes.equals(committed('new-chat.wav'))).toBe(true);
  expect(newChat.contentType).toBe('audio/wav');
  expect(newChat.duration).toBeCloseTo(0.7, 1);

  const bob = await signIn('bob', { initScript: recordPlays });
  await bob.page.getByRole('tab', { name: 'History' }).click();
  await offerTransfer(alice, 'Dana Whitfield', bob);
  const transfer = await playedSound(bob.page, 'transfer-offer');
  expect(transfer.bytes.equals(committed('transfer.wav'))).toBe(true);
  expect(transfer.bytes.subarray(0, 4).toString('ascii')).toBe('RIFF');
  expect(transfer.bytes.subarray(8, 12).toString('ascii')).toBe('WAVE');
  expect(transfer.duration).toBeCloseTo(0.9, 1);
});
