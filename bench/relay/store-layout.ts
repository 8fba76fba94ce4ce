// What a message costs the SQLite store under other layouts of the event log than today's, measured standalone (no
// relay, no sockets): the store's share of docs/performance.md round 10, and the next change of shape it suggests.
//
// Every layout starts from the same history (1,600 chats of 60 messages), then appends `--messages` ~300-byte message
// events to random chats, `--batch` per COMMIT as group commit does, with a PASSIVE checkpoint from a second
// connection every 500 messages (50 ms at 10,000 msgs/s, the checkpoint worker's period). CPU includes the checkpoints
// and, for the staging layouts, the moves (what is still staged at the end is moved and counted too). Layouts:
//   index    today's: one table, a unique index on (session_id TEXT, seq); a message dirties a random leaf of it
//   intkey   the same with an integer chat key (smaller entries, fewer leaves)
//   staging  appended to a table with no secondary index, moved sorted into `events` every `--move` messages, in
//            one transaction (each chat's new entries then share a leaf); readers would need both tables
//   sliced   staging in `--slices` tables by chat, one of them moved every `--move`/slices messages: the same number
//            of entries per chat per move, a slice of the pause, but as many hot table tails as slices
// `--pragmas` runs every layout once per set of connection settings (`;`-separated sets of `,`-separated pragmas, e.g.
// `--pragmas "cache_size=-2000;cache_size=-65536,mmap_size=268435456"`): page size, cache and mmap, measured alike.
// Runs each layout `--rounds` times, alternated, on a fresh file each time, and prints medians and the ratio to the first variant (`index`, first set of settings).
// `npx tsx bench/relay/store-layout.ts [--messages 60000] [--batch 10] [--move 16000] [--rounds 3] [--slices 16] [--layouts index,…] [--pragmas "a=1,b=2;a=3"]`
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import { syscalls } from './server-stats';

const LAYOUTS = ['index', 'intkey', 'staging', 'sliced'] as const;
type Layout = (typeof LAYOUTS)[number];
const USAGE =
  'Usage: npx tsx bench/relay/store-layout.ts [--messages 60000] [--batch 10] [--move 16000] [--rounds 3] [--slices 16] [--layouts index,intkey,staging,sliced] [--pragmas "page_size=4096;page_size=1024"]';

let args: {
  messages: string;
  batch: string;
  move: string;
  rounds: string;
  slices: string;
  layouts: string;
  pragmas: string;
  help: boolean;
};
try {
  args = parseArgs({
    options: {
      messages: { type: 'string', default: '60000' },
      batch: { type: 'string', default: '10' },
      move: { type: 'string', default: '16000' },
      rounds: { type: 'string', default: '3' },
      slices: { type: 'string', default: '16' },
      layouts: { type: 'string', default: LAYOUTS.join(',') },
      pragmas: { type: 'string', default: '' },
      help: { type: 'boolean', default: false },
    },
  }).values as typeof args;
} catch (error) {
  console.error(`store-layout: ${(error as Error).message}\n${USAGE}`);
  process.exit(2);
}
if (args.help) {
  console.log(USAGE);
  process.exit(0);
}
const whole = (name: string, text: string, min: number) => {
  const value = Number(text);
  if (!Number.isInteger(value) || value < min) {
    console.error(`store-layout: --${name} takes a whole number of at least ${min}, not "${text}".\n${USAGE}`);
    process.exit(2);
  }
  return value;
};
const messages = whole('messages', args.messages, 1000);
const batch = whole('batch', args.batch, 1);
const move = whole('move', args.move, 16);
const rounds = whole('rounds', args.rounds, 1);
const SLICES = whole('slices', args.slices, 2);
const layouts = args.layouts.split(',').map((name) => {
  if (!(LAYOUTS as readonly string[]).includes(name)) {
    console.error(`store-layout: --layouts takes ${LAYOUTS.join(', ')}; not "${name}".\n${USAGE}`);
    process.exit(2);
  }
  return name as Layout;
});

// each set is applied to both connections before the schema is made (page_size only takes effect on a new file)
const PRAGMA = /^[a-z_]+ *= *-?[0-9A-Za-z_]+$/;
const pragmaSets = args.pragmas.split(';').map((set) => {
  const list = set.split(',').map((p) => p.trim()).filter(Boolean);
  for (const p of list) {
    if (!PRAGMA.test(p)) {
      console.error(`store-layout: --pragmas takes name=value settings such as cache_size=-65536, not "${p}".\n${USAGE}`);
      process.exit(2);
    }
  }
  return list;
});

const CHATS = 1600;
const HISTORY = 60;
const CHECKPOINT_EVERY = 500;

interface Figure {
  cpuMicros: number;
  systemMicros: number;
  wallMicros: number;
  reads: number;
  writes: number;
  /** bytes given to the storage layer (WAL and database file, the checkpoints' copies included) */
  storedBytes: number;
  /** the longest single transaction that moved staged events (the event loop would wait this long) */
  longestMoveMs: number;
}

function run(layout: Layout, pragmas: readonly string[]): Figure {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'baton-store-layout-'));
  const file = path.join(dir, 'relay.db');
  const db = new Database(file);
  const checkpointer = new Database(file);
  try {
    for (const pragma of pragmas) {
      db.pragma(pragma);
      if (!pragma.startsWith('page_size')) checkpointer.pragma(pragma);
    }
    db.pragma('journal_mode = WAL');
    // as the relay commits with group commit: NORMAL, its own fsync of the WAL off the loop (not measured here)
    db.pragma('synchronous = NORMAL');
    db.pragma('wal_autocheckpoint = 16000');
    const chatColumn = layout === 'intkey' ? 'chat INTEGER NOT NULL' : 'session_id TEXT NOT NULL';
    const chat = layout === 'intkey' ? 'chat' : 'session_id';
    const columns = `${chatColumn}, seq INTEGER NOT NULL, kind TEXT NOT NULL, message_id TEXT, body TEXT NOT NULL`;
    db.exec(`CREATE TABLE events (${columns}); CREATE UNIQUE INDEX events_session_seq ON events (${chat}, seq);`);
    db.exec(`CREATE TABLE events_recent (${columns})`);
    // sliced: a staging table per slice, so that moving one empties a table instead of picking rows out of all pages
    if (layout === 'sliced') for (let k = 0; k < SLICES; k++) db.exec(`CREATE TABLE events_recent_${k} (${columns})`);
    const ids: Array<string | number> = Array.from({ length: CHATS }, (_, i) =>
      layout === 'intkey' ? i + 1 : `ses_${crypto.randomBytes(12).toString('base64url')}`,
    );
    const seqs = new Array<number>(CHATS).fill(0);
    const body = (i: number, seq: number, messageId: string) =>
      JSON.stringify({
        sessionId: String(ids[i]),
        seq,
        at: Date.now(),
        kind: 'message',
        messageId,
        author: { kind: 'customer', id: null, name: `Customer ${i}` },
        text: 'hello there, '.repeat(12),
      });
    const history = db.prepare(`INSERT INTO events (${chat}, seq, kind, message_id, body) VALUES (?, ?, 'message', ?, ?)`);
    db.transaction(() => {
      for (let r = 0; r < HISTORY; r++) {
        for (let i = 0; i < CHATS; i++) {
          const seq = ++seqs[i]!;
          const id = `msg-${i}-${seq}-${crypto.randomBytes(4).toString('hex')}`;
          history.run(ids[i], seq, id, body(i, seq, id));
        }
      }
    })();
    db.pragma('wal_checkpoint(TRUNCATE)');

    const staged = layout === 'staging' || layout === 'sliced';
    const insertInto = (table: string) =>
      db.prepare(`INSERT INTO ${table} (${chat}, seq, kind, message_id, body) VALUES (?, ?, 'message', ?, ?)`);
    const insert = insertInto(staged ? 'events_recent' : 'events');
    const slices = Array.from({ length: layout === 'sliced' ? SLICES : 0 }, (_, k) => ({
      insert: insertInto(`events_recent_${k}`),
      move: db.prepare(`INSERT INTO events SELECT * FROM events_recent_${k} ORDER BY ${chat}, seq`),
      empty: db.prepare(`DELETE FROM events_recent_${k}`),
    }));
    const begin = db.prepare('BEGIN');
    const commit = db.prepare('COMMIT');
    const moveAll = db.prepare(`INSERT INTO events SELECT * FROM events_recent ORDER BY ${chat}, seq`);
    const deleteAll = db.prepare('DELETE FROM events_recent');
    const moveEvery = layout === 'sliced' ? Math.max(1, Math.floor(move / SLICES)) : move;

    let sinceMove = 0;
    let sinceCheckpoint = 0;
    let nextSlice = 0;
    let longestMoveMs = 0;
    const ioBefore = syscalls();
    const cpuBefore = process.cpuUsage();
    const started = performance.now();
    for (let n = 0; n < messages; ) {
      begin.run();
      for (let b = 0; b < batch && n < messages; b++, n++) {
        const i = crypto.randomInt(CHATS);
        const seq = ++seqs[i]!;
        const id = `msg-${i}-${seq}-abcd1234`;
        (layout === 'sliced' ? slices[i % SLICES]!.insert : insert).run(ids[i], seq, id, body(i, seq, id));
      }
      commit.run();
      sinceMove += batch;
      sinceCheckpoint += batch;
      if (staged && sinceMove >= moveEvery) {
        const moveStarted = performance.now();
        begin.run();
        if (slices.length) {
          slices[nextSlice]!.move.run();
          slices[nextSlice]!.empty.run();
          nextSlice = (nextSlice + 1) % SLICES;
        } else {
          moveAll.run();
          deleteAll.run();
        }
        commit.run();
        longestMoveMs = Math.max(longestMoveMs, performance.now() - moveStarted);
        sinceMove = 0;
      }
      if (sinceCheckpoint >= CHECKPOINT_EVERY) {
        checkpointer.pragma('wal_checkpoint(PASSIVE)');
        sinceCheckpoint = 0;
      }
    }
    // what is still staged is moved too, so every message pays for its move (not counted as a pause)
    if (staged) {
      begin.run();
      moveAll.run();
      deleteAll.run();
      for (const slice of slices) {
        slice.move.run();
        slice.empty.run();
      }
      commit.run();
    }
    const wall = performance.now() - started;
    const cpu = process.cpuUsage(cpuBefore);
    const ioAfter = syscalls();
    const per = (value: number) => value / messages;
    return {
      cpuMicros: per(cpu.user + cpu.system),
      systemMicros: per(cpu.system),
      wallMicros: per(wall * 1000),
      reads: ioBefore && ioAfter ? per(ioAfter.reads - ioBefore.reads) : Number.NaN,
      writes: ioBefore && ioAfter ? per(ioAfter.writes - ioBefore.writes) : Number.NaN,
      storedBytes: ioBefore && ioAfter ? per(ioAfter.storedBytes - ioBefore.storedBytes) : Number.NaN,
      longestMoveMs,
    };
  } finally {
    checkpointer.close();
    db.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

type Variant = { layout: Layout; pragmas: readonly string[]; name: string };
const variants: Variant[] = pragmaSets.flatMap((pragmas) =>
  layouts.map((layout) => ({ layout, pragmas, name: pragmas.length ? `${layout} ${pragmas.join(', ')}` : layout })),
);
const figures = new Map<string, Figure[]>(variants.map((v) => [v.name, []]));
for (let round = 0; round < rounds; round++) {
  for (const variant of variants) {
    process.stderr.write(`store-layout: round ${round + 1} of ${rounds}, ${variant.name}...\n`);
    figures.get(variant.name)!.push(run(variant.layout, variant.pragmas));
  }
}
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const of = (name: string, pick: (f: Figure) => number) => median(figures.get(name)!.map(pick));
const f1 = (n: number) => (Number.isFinite(n) ? n.toFixed(1) : '-');
const f2 = (n: number) => (Number.isFinite(n) ? n.toFixed(2) : '-');
console.log(
  `\nStore layouts, ${new Date().toISOString()}, ${os.cpus()[0]?.model ?? 'unknown CPU'}, Node ${process.version}: ${CHATS} chats of ${HISTORY} messages, then ${messages} more, ${batch} per COMMIT, a checkpoint every ${CHECKPOINT_EVERY}, staged moves every ${move} (sliced: one of ${SLICES} every ${Math.floor(move / SLICES)}); medians of ${rounds} alternated rounds\n`,
);
console.log(
  '| layout | CPU µs per message (system) | wall µs per message | read / write calls per message | KB to the disk per message | longest move ms | CPU ÷ first |',
);
console.log('|---|---:|---:|---:|---:|---:|---:|');
// the ratio is to the first variant: today's layout with the first set of settings, when it is measured
const baseline = of(variants[0]!.name, (f) => f.cpuMicros);
for (const { layout, name } of variants) {
  const cpu = of(name, (f) => f.cpuMicros);
  const moves = layout === 'staging' || layout === 'sliced' ? f1(of(name, (f) => f.longestMoveMs)) : '-';
  console.log(
    `| ${name} | ${f1(cpu)} (${f1(of(name, (f) => f.systemMicros))}) | ${f1(of(name, (f) => f.wallMicros))} | ${f2(of(name, (f) => f.reads))} / ${f2(of(name, (f) => f.writes))} | ${f2(of(name, (f) => f.storedBytes) / 1024)} | ${moves} | ${f2(cpu / baseline)} |`,
  );
}
