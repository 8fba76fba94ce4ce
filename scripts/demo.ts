// `npm run demo`: one relay with the demo accounts plus signed-in web-mode hosts for alice, bob and maria on
// localhost, so the whole transfer flow can be tried in a browser; stays up until Ctrl-C.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { startWebHost, type WebHost } from '../main/web/host';
import { startRelay } from '../relay/server';

const usage = `Usage: npm run demo -- [--temp] [--data <dir>] [--agents alice,bob,maria]

  --temp            keep everything in a fresh temporary folder (deleted on exit)
  --data <dir>      where the relay and the agents keep their data (default ./.baton-data/demo)
  --agents <list>   which demo agents get a signed-in browser page (alice, bob, carol, maria)`;

const demoAgents = ['alice', 'bob', 'carol', 'maria'];

async function main(): Promise<void> {
  let values: { temp?: boolean; data?: string; agents?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: process.argv.slice(2),
      options: {
        temp: { type: 'boolean' },
        data: { type: 'string' },
        agents: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    console.error(`baton demo: ${error instanceof Error ? error.message : String(error)}\n\n${usage}`);
    process.exitCode = 2;
    return;
  }
  if (values.help) {
    console.log(usage);
    return;
  }
  const agents = (values.agents ?? 'alice,bob,maria').split(',').map((name) => name.trim()).filter(Boolean);
  const unknown = agents.filter((name) => !demoAgents.includes(name));
  if (unknown.length > 0) {
    console.error(`baton demo: no demo account named ${unknown.join(', ')} (there are ${demoAgents.join(', ')})`);
    process.exitCode = 2;
    return;
  }
  const root = values.temp
    ? fs.mkdtempSync(path.join(os.tmpdir(), 'baton-demo-'))
    : path.resolve(values.data ?? path.join('.baton-data', 'demo'));
  fs.mkdirSync(path.join(root, 'relay'), { recursive: true });

  // Quiet by default so the URLs stay readable; BATON_DEBUG=1 shows every relay and host log line.
  const debug = Boolean(process.env.BATON_DEBUG);
  const log = (line: string) => {
    if (debug) console.error(line);
  };
  const routine = new Set(['relay-started', 'relay-stopped', 'demo-accounts-created', 'connection-open', 'connection-close', 'customer-joined']);
  const relayLog = (entry: object) => {
    const event = (entry as { event?: unknown }).event;
    if (debug || typeof event !== 'string' || !routine.has(event)) console.error(JSON.stringify(entry));
  };
  const relay = await withPortFallback(
    (port) => startRelay({ dataDir: path.join(root, 'relay'), port, demo: true, log: relayLog }),
    7420,
  );
  const hosts: Array<{ name: string; host: WebHost }> = [];
  let stopping = false;
  const stop = async (code: number) => {
    if (stopping) return;
    stopping = true;
    console.log('\nStopping the demo…');
    for (const { host } of hosts) await host.close().catch(() => {});
    await relay.close().catch(() => {});
    if (values.temp) fs.rmSync(root, { recursive: true, force: true });
    process.exit(code);
  };
  process.on('SIGINT', () => void stop(0));
  process.on('SIGTERM', () => void stop(0));

  try {
    for (const [index, name] of agents.entries()) {
      const dataDir = path.join(root, name);
      fs.mkdirSync(dataDir, { recursive: true });
      const host = await withPortFallback(
        (port) => startWebHost({ relayUrl: relay.wsUrl, user: name, password: 'demo', port, dataDir, log }),
        5174 + index,
      );
      hosts.push({ name, host });
    }
  } catch (error) {
    console.error(`baton demo: ${error instanceof Error ? error.message : String(error)}`);
    await stop(1);
    return;
  }

  console.log(`Baton demo is running (data in ${root}).\n`);
  console.log(`  relay            ${relay.wsUrl}`);
  console.log(`  customer chat    ${relay.httpUrl.replace(/\/$/, '')}/chat\n`);
  for (const { name, host } of hosts) console.log(`  ${name.padEnd(16)} ${host.url}`);
  console.log('\nOpen the customer chat page, start a chat, then transfer it between agents.');
  console.log('Every demo account (alice, bob, carol, maria) has the password "demo". Press Ctrl-C to stop.');
}

/** Prefer the well-known port; when something else holds it, take any free one. */
async function withPortFallback<T>(start: (port: number) => Promise<T>, preferred: number): Promise<T> {
  try {
    return await start(preferred);
  } catch (error) {
    if ((error as NodeJS.ErrnoException | undefined)?.code !== 'EADDRINUSE') throw error;
    return start(0);
  }
}

void main();
