// `npm run web`: command-line entry of web mode; parses flags, starts the web host and prints the page URL.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { defaultRendererDir, startWebHost } from './host';

const usage = `Usage: npm run web -- [options]

  --relay <ws-url>     relay to use, e.g. ws://127.0.0.1:7420 (prefills the sign-in screen)
  --user <name>        sign in at start as this agent (needs --relay and --password)
  --password <secret>  password for --user
  --host <address>     interface to listen on (default 127.0.0.1; anything else exposes the page on the network)
  --port <number>      port to listen on (default 5174; 0 picks any free port)
  --data <dir>         folder for the local chat cache (default ./.baton-data/web-<user or "agent">)
  --renderer <dir>     built renderer folder (default dist/renderer)
  -h, --help           show this help`;

export interface WebCliConfig {
  relayUrl?: string;
  user?: string;
  password?: string;
  host: string;
  port: number;
  dataDir: string;
  rendererDir: string;
}

/** Turns argv into a config or a sentence saying what is wrong; never exits by itself. */
export function parseWebCliArgs(argv: string[]): { ok: true; config: WebCliConfig } | { ok: false; message: string } | { ok: 'help' } {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        relay: { type: 'string' },
        user: { type: 'string' },
        password: { type: 'string' },
        host: { type: 'string' },
        port: { type: 'string' },
        data: { type: 'string' },
        renderer: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    return { ok: false, message: error instanceof Error ? error.message : String(error) };
  }
  if (values.help) return { ok: 'help' };
  const str = (name: string) => (typeof values[name] === 'string' ? (values[name] as string) : undefined);

  const relayUrl = str('relay');
  if (relayUrl !== undefined && !/^wss?:\/\/[^\s/]+/i.test(relayUrl)) {
    return { ok: false, message: `--relay must be a ws:// or wss:// address, not "${relayUrl}"` };
  }
  const user = str('user');
  const password = str('password');
  if (user !== undefined && password === undefined) return { ok: false, message: '--user needs --password' };
  if (password !== undefined && user === undefined) return { ok: false, message: '--password needs --user' };
  if (user !== undefined && relayUrl === undefined) return { ok: false, message: '--user needs --relay' };
  if (user !== undefined && !/^[a-z][a-z0-9._-]{0,31}$/.test(user)) {
    return { ok: false, message: `--user "${user}" is not a valid user name (lower-case letters, digits, ".", "_", "-")` };
  }
  const portText = str('port') ?? '5174';
  if (!/^\d{1,5}$/.test(portText) || Number(portText) > 65535) {
    return { ok: false, message: `--port must be a number from 0 to 65535, not "${portText}"` };
  }
  const host = str('host') ?? '127.0.0.1';
  if (!/^[A-Za-z0-9.:[\]-]{1,253}$/.test(host)) return { ok: false, message: `--host "${host}" is not a host name or address` };
  const dataDir = path.resolve(str('data') ?? path.join('.baton-data', `web-${user ?? 'agent'}`));
  const rendererDir = path.resolve(str('renderer') ?? defaultRendererDir);
  return { ok: true, config: { relayUrl, user, password, host, port: Number(portText), dataDir, rendererDir } };
}

async function main(): Promise<void> {
  const parsed = parseWebCliArgs(process.argv.slice(2));
  if (parsed.ok === 'help') {
    console.log(usage);
    return;
  }
  if (!parsed.ok) {
    console.error(`baton web: ${parsed.message}\n\n${usage}`);
    process.exitCode = 2;
    return;
  }
  const { config } = parsed;
  if (!fs.existsSync(path.join(config.rendererDir, 'index.html'))) {
    console.error(`baton web: ${path.join(config.rendererDir, 'index.html')} is missing: run npm run build:renderer first.`);
    process.exitCode = 1;
    return;
  }
  fs.mkdirSync(config.dataDir, { recursive: true });
  if (config.host !== '127.0.0.1' && config.host !== 'localhost' && config.host !== '::1') {
    console.warn(`baton web: listening on ${config.host}: anyone who can reach it and learns the page URL acts as you.`);
  }
  let host: Awaited<ReturnType<typeof startWebHost>>;
  try {
    host = await startWebHost({ ...config, log: (line) => console.error(line) });
  } catch (error) {
    console.error(`baton web: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
    return;
  }
  console.log(`Baton web mode is running${config.user ? ` for ${config.user}` : ''}. Open:\n\n  ${host.url}\n`);
  console.log('Press Ctrl-C to stop.');
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    void host.close().then(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

const invokedDirectly = process.argv[1] !== undefined && path.resolve(process.argv[1]) === path.resolve(fileURLToPath(import.meta.url));
if (invokedDirectly) void main();
