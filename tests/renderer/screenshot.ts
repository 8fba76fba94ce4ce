// Looks at the built renderer: serves dist/renderer, injects a scripted window.baton, and saves screenshots.
// Run: npm run build:renderer && npx tsx tests/renderer/screenshot.ts [outDir]   (default /tmp/baton-shots)
import { readFile } from 'node:fs/promises';
import { mkdirSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, resolve } from 'node:path';
import { chromium } from '@playwright/test';
import { type ClientSnapshot, defaultSettings } from '../../common/bridge';
import type { SessionEvent } from '../../common/domain';
import { agent, message, offer, session } from './fixtures';

const outDir = process.argv[2] ?? '/tmp/baton-shots';
const root = resolve('dist/renderer');
const now = Date.now();
const min = 60_000;

const me = agent('alice', { name: 'Alice Martin', role: 'manager', canListenIn: true });
const agents = [
  me,
  agent('bob', { name: 'Bob Stone', openChats: 2 }),
  agent('dave', { name: 'Dave Kim', openChats: 1 }),
  agent('erin', { name: 'Erin Walsh', openChats: 3 }),
  agent('carol', { name: 'Carol Diaz', status: 'away' }),
];
const last = (text: string, at: number, authorKind: 'customer' | 'agent' = 'customer', authorName = 'Customer') => ({
  text,
  at,
  authorKind,
  authorName,
});
const sessions = [
  session('s-offer', {
    customerName: 'Noah Berg',
    ownerId: 'bob',
    pendingTransfer: offer('s-offer', { fromId: 'bob', offeredBy: 'bob', toId: 'alice', note: 'Wants a refund on order 4471', createdAt: now - 2 * min }),
    lastMessage: last('Can I get my money back?', now - 3 * min),
    waitingSince: now - 3 * min,
  }),
  session('s-main', {
    customerName: 'Maria Lopez',
    lastMessage: last('Thanks, that helps a lot!', now - 1 * min),
    lastSeq: 40,
  }),
  session('s-pending', {
    customerName: 'Oliver Chen',
    pendingTransfer: offer('s-pending', { toId: 'dave', createdAt: now - 60_000 }),
    lastMessage: last('Is anyone there?', now - 5 * min),
    waitingSince: now - 5 * min,
  }),
  session('s-listen', {
    customerName: 'Priya Shah',
    ownerId: 'erin',
    listeners: ['alice'],
    lastMessage: last('Let me check that for you.', now - 9 * min, 'agent', 'Erin Walsh'),
  }),
  session('s-closed', { customerName: 'Tom Becker', state: 'closed', closedAt: now - 40 * min, lastMessage: last('Bye!', now - 41 * min) }),
];
const snap: ClientSnapshot = {
  me,
  connection: { status: 'online', since: now - 3600_000 },
  agents,
  sessions,
  outbox: [
    { messageId: 'out-00000001', sessionId: 's-main', kind: 'message', attachment: null, text: 'I have sent you the link by email as well.', createdAt: now - 20_000, state: 'pending', error: null },
  ],
  unread: { 's-offer': 2, 's-pending': 1 },
  requests: [],
  cannedReplies: [],
  attachmentLimits: null,
  settings: defaultSettings,
};

function transcript(id: string): SessionEvent[] {
  const start = now - 26 * min - 86_400_000;
  const customer = (seq: number, at: number, text: string) => ({ ...message(id, seq, text), at });
  const alice = (seq: number, at: number, text: string) => ({
    ...message(id, seq, text, 'alice'),
    at,
    author: { kind: 'agent' as const, id: 'alice', name: 'Alice Martin' },
  });
  const events: SessionEvent[] = [
    { kind: 'opened', sessionId: id, seq: 1, at: start, customerName: 'Maria Lopez' },
    { kind: 'assigned', sessionId: id, seq: 2, at: start + 5000, agentId: 'alice', agentName: 'Alice Martin' },
    customer(3, start + 20_000, 'Hi! My invoice shows the wrong address.'),
    alice(4, start + 60_000, 'Sorry about that. Could you tell me the invoice number?'),
  ];
  let seq = 5;
  let at = now - 25 * min;
  const lines = [
    ['c', 'It is INV-2025-0193.'],
    ['a', 'Thanks. I can see it. Which address should it show?'],
    ['c', 'Kongens gate 12, 0153 Oslo.\nThe old one is from before we moved.'],
    ['a', 'Got it — I have updated the address and issued a corrected invoice.'],
  ];
  for (const [who, text] of lines) {
    events.push(who === 'c' ? customer(seq, at, text ?? '') : alice(seq, at, text ?? ''));
    seq++;
    at += 2 * min;
  }
  events.push({ kind: 'transfer-offered', sessionId: id, seq: seq++, at, transfer: offer(id, { toId: 'bob' }) });
  events.push({ kind: 'transfer-rejected', sessionId: id, seq: seq++, at: at + 30_000, transferId: `tr-${id}`, byId: 'bob', reason: 'In a call for 20 minutes' });
  events.push({ kind: 'listener-joined', sessionId: id, seq: seq++, at: at + 60_000, agentId: 'erin', agentName: 'Erin Walsh' });
  events.push(customer(seq++, now - 1 * min, 'Thanks, that helps a lot!'));
  return events;
}
const transcripts: Record<string, SessionEvent[]> = {
  's-main': transcript('s-main'),
  's-offer': [
    { kind: 'opened', sessionId: 's-offer', seq: 1, at: now - 8 * min, customerName: 'Noah Berg' },
    { kind: 'assigned', sessionId: 's-offer', seq: 2, at: now - 7 * min, agentId: 'bob', agentName: 'Bob Stone' },
    { ...message('s-offer', 3, 'Hello, my order 4471 arrived broken.'), at: now - 6 * min },
    { ...message('s-offer', 4, 'Can I get my money back?'), at: now - 3 * min },
    { kind: 'transfer-offered', sessionId: 's-offer', seq: 5, at: now - 2 * min, transfer: offer('s-offer', { toId: 'alice' }) },
  ],
};

const types: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.map': 'application/json' };
const server = createServer(async (req, res) => {
  const path = normalize(decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname)).replace(/^(\.\.[/\\])+/, '');
  try {
    const body = await readFile(join(root, path === '/' ? 'index.html' : path));
    res.writeHead(200, { 'content-type': types[extname(path)] ?? 'text/html' }).end(body);
  } catch {
    res.writeHead(404).end();
  }
});
await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
});
mkdirSync(outDir, { recursive: true });
try {
  for (const scheme of ['light', 'dark'] as const) {
    const page = await browser.newPage({ viewport: { width: 1360, height: 820 }, colorScheme: scheme });
    await page.addInitScript(
      ({ snap, transcripts }) => {
        const listeners = new Set<(e: unknown) => void>();
        (window as unknown as { baton: unknown }).baton = {
          platform: 'web',
          async invoke(channel: string, args: { sessionId?: string }) {
            if (channel === 'app:snapshot') return { ok: true, value: snap };
            if (channel === 'chat:transcript') return { ok: true, value: { events: transcripts[args.sessionId ?? ''] ?? [], hasMore: false } };
            if (channel === 'transfer:offer') return { ok: false, error: { code: 'not-present', message: '' } };
            return { ok: true, value: null };
          },
          onEvent(listener: (e: unknown) => void) {
            listeners.add(listener);
            return () => listeners.delete(listener);
          },
        };
      },
      { snap, transcripts },
    );
    await page.goto(url);
    await page.getByRole('option', { name: /Maria Lopez/ }).click();
    await page.getByText('Thanks, that helps a lot!', { exact: true }).last().waitFor();
    await page.screenshot({ path: `${outDir}/workspace-${scheme}.png` });
    if (scheme === 'light') {
      await page.getByRole('button', { name: 'Chat menu' }).click();
      await page.screenshot({ path: `${outDir}/menu.png` });
      await page.getByRole('menuitem', { name: 'Transfer' }).click();
      await page.getByRole('dialog', { name: 'Transfer chat' }).getByRole('option', { name: /Bob Stone/ }).click();
      await page.getByLabel('Note (optional)').fill('Knows the billing system best');
      await page.screenshot({ path: `${outDir}/transfer-dialog.png` });
      await page.keyboard.press('Escape');
      await page.getByRole('option', { name: /Noah Berg/ }).click();
      await page.getByText('Bob Stone wants to transfer this chat to you.').waitFor();
      await page.screenshot({ path: `${outDir}/offer.png` });
      await page.getByRole('tab', { name: 'Dashboard' }).click();
      await page.screenshot({ path: `${outDir}/dashboard.png` });
    }
    await page.close();
  }
  console.log(`screenshots in ${outDir}`);
} finally {
  await browser.close();
  server.close();
}
