// The relay a server runs: `npm run build:relay` makes a bundle that plain `node` runs with only the production
// dependency it cannot bundle (better-sqlite3) beside it: no tsx, no TypeScript, no dev dependencies.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { buildRelay, RELAY_BUNDLE } from '../../scripts/build-relay';
import { connectAgent, connectCustomer, removeDir, repoRoot, tempDir } from './helpers';

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) removeDir(dir);
});

/** A package and what it needs at run time, linked into `modules` (as `npm ci --omit=dev` would install them). */
function install(name: string, modules: string, from = repoRoot): void {
  const target = path.join(modules, name);
  if (fs.existsSync(target)) return;
  const manifest = createRequire(path.join(from, 'noop.js')).resolve(`${name}/package.json`);
  const dir = path.dirname(manifest);
  fs.mkdirSync(path.dirname(target), { recursive: true });
  fs.symlinkSync(dir, target, 'dir');
  const { dependencies = {} } = JSON.parse(fs.readFileSync(manifest, 'utf8')) as { dependencies?: Record<string, string> };
  // prebuild-install only runs at install time, to fetch a binary
  for (const dependency of Object.keys(dependencies)) if (dependency !== 'prebuild-install') install(dependency, modules, dir);
}

it('the built relay runs under plain node with only better-sqlite3 installed, and serves agents and customers', async () => {
  const server = tempDir();
  dirs.push(server);
  const { file } = await buildRelay(path.join(server, 'relay'));
  install('better-sqlite3', path.join(server, 'node_modules'));
  expect(fs.readdirSync(path.join(server, 'node_modules')).sort()).toEqual(['better-sqlite3', 'bindings', 'file-uri-to-path']);
  const data = tempDir();
  dirs.push(data);
  const child = spawn(process.execPath, [file, '--port', '0', '--data', data, '--demo'], {
    cwd: server,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { PATH: process.env.PATH ?? '' },
  });
  try {
    const httpUrl = await new Promise<string>((resolve, reject) => {
      let out = '';
      const timer = setTimeout(() => reject(new Error(`the bundle did not start: ${out}`)), 15_000);
      const read = (chunk: Buffer) => {
        out += chunk;
        const match = /listening on (http:\/\/[\d.]+:\d+)/.exec(out);
        if (match) {
          clearTimeout(timer);
          resolve(match[1]!);
        }
      };
      child.stdout.on('data', read);
      child.stderr.on('data', read);
      child.on('exit', (code) => reject(new Error(`the bundle exited with ${code}: ${out}`)));
    });
    const health = await fetch(`${httpUrl}/health`);
    expect(await health.json()).toMatchObject({ status: 'ok', engine: 'embedded' });
    const page = await fetch(`${httpUrl}/chat`);
    expect(page.status).toBe(200);
    // the page Vite built, with its script, and the widget's launcher beside it
    const script = /src="(\/chat\/assets\/index-[\w-]+\.js)"/.exec(await page.text())?.[1];
    expect(script).toBeDefined();
    expect((await fetch(`${httpUrl}${script}`)).headers.get('content-type')).toMatch(/javascript/);
    const widget = await fetch(`${httpUrl}/widget.js`);
    expect(widget.status).toBe(200);
    expect(await widget.text()).toContain('baton-widget');
    const relay = { nodeId: 'bundle', httpUrl, wsUrl: httpUrl.replace('http', 'ws'), port: 0, close: async () => {} };
    const alice = await connectAgent(relay, 'alice');
    const customer = await connectCustomer(relay, { name: 'Dana' });
    expect(await alice.event('assigned', customer.sessionId)).toMatchObject({ agentId: 'alice' });
    await Promise.all([alice.close(), customer.close()]);
    expect(path.basename(file)).toBe(RELAY_BUNDLE);
  } finally {
    child.kill('SIGTERM');
  }
}, 60_000);
