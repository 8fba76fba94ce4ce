// Backups of the embedded relay: `relay backup` taken while the relay writes gives one file that opens, passes its
// integrity check and matches the live database as of one moment; `relay restore` checks a backup first (refusing
// what is not a relay database, a newer schema, a damaged file, or a database in use) and then puts it in place.
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { LATEST_VERSION } from '../../relay/store/migrations';
import { connectAgent, connectCustomer, messageId, removeDir, startTestRelay, tempDir } from './helpers';
import { cli, testScope } from './ops-helpers';

const { later, track, relay } = testScope();

function folder(): string {
  const dir = tempDir();
  later(() => removeDir(dir));
  return dir;
}

type Row = { session_id: string; seq: number; kind: string; message_id: string | null; body: string };

function readEvents(file: string): Row[] {
  const db = new Database(file, { readonly: true });
  try {
    return db.prepare('SELECT session_id, seq, kind, message_id, body FROM events ORDER BY session_id, seq').all() as Row[];
  } finally {
    db.close();
  }
}

describe('relay backup and restore', () => {
  it('a backup taken while the relay writes opens, passes its check and matches the live database as of one moment', async () => {
    const r = await relay({ synchronous: 'FULL' });
    const alice = track(await connectAgent(r, 'alice'));
    const customers = [track(await connectCustomer(r, { name: 'Dana' })), track(await connectCustomer(r, { name: 'Eli' }))];
    for (const c of customers) await alice.event('assigned', c.sessionId);
    const acked: string[] = [];
    let writing = true;
    const writer = (async () => {
      for (let i = 0; writing; i++) {
        const c = customers[i % 2]!;
        const id = messageId();
        await c.okPaced({ type: 'customer-send', messageId: id, text: `message ${i} ${'x'.repeat(200)}` });
        acked.push(id);
        await alice.okPaced({ type: 'send', sessionId: c.sessionId, messageId: messageId(), text: `answer ${i}` });
      }
    })();
    let failed: unknown = null;
    writer.catch((error: unknown) => {
      failed = error;
    });
    const until = async (done: () => boolean) => {
      while (!done()) {
        if (failed) throw failed;
        await new Promise((res) => setTimeout(res, 10));
      }
    };
    await until(() => acked.length >= 50);
    const before = [...acked];
    const file = path.join(folder(), 'relay-backup.sqlite');
    const backup = await cli(['backup', file, '--data', r.dataDir]);
    const during = acked.length - before.length;
    await until(() => acked.length >= before.length + during + 20);
    writing = false;
    await writer;
    expect(backup.stderr).toBe('');
    expect(backup.status).toBe(0);
    expect(backup.stdout).toMatch(new RegExp(`Backed up .* to ${file}: schema ${LATEST_VERSION}, 4 accounts, 2 chats, \\d+ events, .*; integrity check ok\\.`));
    // one file, nothing beside it
    expect(fs.readdirSync(path.dirname(file))).toEqual(['relay-backup.sqlite']);
    expect(during, 'the relay kept writing while the backup ran').toBeGreaterThan(0);
    await r.close();

    const copy = new Database(file, { readonly: true });
    expect(copy.pragma('integrity_check', { simple: true })).toBe('ok');
    expect(copy.pragma('user_version', { simple: true })).toBe(LATEST_VERSION);
    expect(copy.pragma('journal_mode', { simple: true })).toBe('delete');
    copy.close();
    const saved = readEvents(file);
    const live = readEvents(path.join(r.dataDir, 'relay.sqlite'));
    // everything acknowledged before the backup began is in it
    const savedIds = new Set(saved.map((e) => e.message_id));
    for (const id of before) expect(savedIds.has(id), id).toBe(true);
    // each chat's log in the backup is whole (1, 2, 3, … with no gap) and is exactly the start of the live one
    const liveByKey = new Map(live.map((e) => [`${e.session_id}#${e.seq}`, e]));
    for (const sessionId of new Set(saved.map((e) => e.session_id))) {
      const seqs = saved.filter((e) => e.session_id === sessionId).map((e) => e.seq);
      expect(seqs).toEqual(seqs.map((_, i) => i + 1));
    }
    for (const event of saved) expect(liveByKey.get(`${event.session_id}#${event.seq}`)).toEqual(event);
    expect(saved.length).toBeLessThan(live.length);
  }, 60_000);

  it('a backup never overwrites a file, and a cluster is told to use pg_dump', async () => {
    const r = await relay();
    const existing = path.join(folder(), 'taken.sqlite');
    fs.writeFileSync(existing, 'keep me');
    const refused = await cli(['backup', existing, '--data', r.dataDir]);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toContain(`baton relay: backup: ${existing} exists already; a backup never overwrites: choose a new name.`);
    expect(fs.readFileSync(existing, 'utf8')).toBe('keep me');
    const cluster = await cli(['backup', path.join(folder(), 'x.sqlite'), '--data', r.dataDir, '--postgres', 'postgres://db/baton']);
    expect(cluster.status).toBe(2);
    const missing = await cli(['backup', path.join(folder(), 'y.sqlite'), '--data', folder()]);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain('there is no relay database in');
  }, 60_000);

  it('restore refuses what is not a whole relay database of a schema it knows, and a database in use', async () => {
    const r = await relay();
    const alice = track(await connectAgent(r, 'alice'));
    const customer = track(await connectCustomer(r, { name: 'Dana' }));
    await alice.event('assigned', customer.sessionId);
    await customer.ok({ type: 'customer-send', messageId: messageId(), text: 'in the backup' });
    const dir = folder();
    const good = path.join(dir, 'good.sqlite');
    expect((await cli(['backup', good, '--data', r.dataDir])).status).toBe(0);

    const garbage = path.join(dir, 'garbage.sqlite');
    fs.writeFileSync(garbage, 'this is not a database, just some text that is long enough to have a header'.repeat(20));
    const newer = path.join(dir, 'newer.sqlite');
    fs.copyFileSync(good, newer);
    const bump = new Database(newer);
    bump.pragma(`user_version = ${LATEST_VERSION + 1}`);
    bump.close();
    const other = path.join(dir, 'other.sqlite');
    const unrelated = new Database(other);
    unrelated.exec('CREATE TABLE notes (text TEXT); PRAGMA user_version = 3');
    unrelated.close();
    const damaged = path.join(dir, 'damaged.sqlite');
    fs.copyFileSync(good, damaged);
    damageAnIndex(damaged);

    const target = folder();
    for (const [file, sentence] of [
      [garbage, 'is not a SQLite database'],
      [newer, `was written by a newer relay (schema version ${LATEST_VERSION + 1}; this relay knows up to ${LATEST_VERSION})`],
      [other, 'is not a Baton relay database (no accounts, sessions, events, participants, customer_tokens, requests table)'],
      [damaged, 'failed its integrity check'],
      [path.join(dir, 'nothing.sqlite'), 'does not exist'],
    ] as const) {
      const result = await cli(['restore', file, '--data', target]);
      expect(result.status, file).toBe(1);
      expect(result.stderr).toContain(sentence);
      expect(fs.readdirSync(target), 'nothing was put in place').toEqual([]);
    }
    // the running relay's database is not pulled from under it
    const busy = await cli(['restore', good, '--data', r.dataDir]);
    expect(busy.status).toBe(1);
    expect(busy.stderr).toContain('is in use (is the relay running on');
  }, 60_000);

  it('restore puts the backup in place, keeps the database it replaced, and the relay runs on it', async () => {
    const r = await relay();
    const alice = track(await connectAgent(r, 'alice'));
    const customer = track(await connectCustomer(r, { name: 'Dana' }));
    const sessionId = customer.sessionId;
    await alice.event('assigned', sessionId);
    await customer.ok({ type: 'customer-send', messageId: messageId(), text: 'before the backup' });
    const file = path.join(folder(), 'backup.sqlite');
    expect((await cli(['backup', file, '--data', r.dataDir])).status).toBe(0);
    await customer.ok({ type: 'customer-send', messageId: messageId(), text: 'after the backup' });
    await alice.close();
    await customer.close();
    await r.close();

    const restored = await cli(['restore', file, '--data', r.dataDir]);
    expect(restored.stderr).toBe('');
    expect(restored.status).toBe(0);
    expect(restored.stdout).toMatch(/Restored .*backup\.sqlite \(schema \d+, 4 accounts, 1 chats, \d+ events; integrity check ok\) to .*relay\.sqlite\. The database it replaced is kept as .*relay\.sqlite\.before-restore-/);
    const kept = fs.readdirSync(r.dataDir).filter((name) => name.includes('before-restore'));
    expect(kept).toHaveLength(1);
    expect(readEvents(path.join(r.dataDir, kept[0]!)).some((e) => e.body.includes('after the backup'))).toBe(true);

    const again = await startTestRelay({ dataDir: r.dataDir });
    later(() => again.close());
    const back = track(await connectAgent(again, 'alice', { resume: { [sessionId]: 0 } }));
    const { events } = await back.ok({ type: 'fetch-events', sessionId, afterSeq: 0 });
    const texts = events.filter((e: { kind: string }) => e.kind === 'message').map((e: { text: string }) => e.text);
    expect(texts).toEqual(['before the backup']);
  }, 60_000);
});

/** Swaps two entries' order in an index page of the copy, so integrity_check finds the index out of order. */
function damageAnIndex(file: string): void {
  const db = new Database(file);
  const { rootpage } = db.prepare("SELECT rootpage FROM sqlite_master WHERE name = 'sqlite_autoindex_accounts_1'").get() as { rootpage: number };
  const pageSize = db.pragma('page_size', { simple: true }) as number;
  db.close();
  const fd = fs.openSync(file, 'r+');
  try {
    const page = Buffer.alloc(pageSize);
    fs.readSync(fd, page, 0, pageSize, (rootpage - 1) * pageSize);
    // the index keys are the account ids (alice, bob, carol, maria): rename "alice" to "zzzzz" in place, out of order
    const at = page.indexOf('alice');
    if (at < 0) throw new Error('no key to damage');
    page.write('zzzzz', at);
    fs.writeSync(fd, page, 0, pageSize, (rootpage - 1) * pageSize);
  } finally {
    fs.closeSync(fd);
  }
}
