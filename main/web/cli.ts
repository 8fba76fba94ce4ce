// `npm run web`: command-line entry of web mode; parses flags, starts the web host and prints the page URL.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { defaultRendererDir, startWebHost } from './host';

const usage = `Usage: npm run web -- [options]

  --relay <ws-url>     relay to use, e.g. ws://127.0.0.1:7420 (prefills the sign-in screen)
  --user <name>        sign in at start as this agent (needs --relay); the password is asked for, or read
                       from stdin when it is piped in
  --password-file <f>  read the password for --user from this file (its first line)
  --password <secret>  the password on the command line: avoid it, every user of this machine can read it
                       with ps
  --allow-unencrypted  sign in over ws:// to another machine (the password and chats cross the network
                       unencrypted; prefer wss://)
  --host <address>     interface to listen on (default 127.0.0.1; anything else exposes the page on the network)
  --port <number>      port to listen on (default 5174; 0 picks any free port)
  --data <dir>         folder for the local chat cache (default ./.baton-data/web-<user or "agent">)
  --renderer <dir>     built renderer folder (default dist/renderer)
  -h, --help           show this help`;

export interface WebCliConfig {
  relayUrl?: string;
  user?: string;
  /** given with --password (discouraged: visible in ps) */
  password?: string;
  /** --password-file */
  passwordFile?: string;
  /** --user without a password flag: the password comes from stdin (typed, or piped) */
  passwordFromStdin: boolean;
  allowUnencrypted: boolean;
  /** sentences to print before starting (e.g. the --password warning) */
  warnings: string[];
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
        'password-file': { type: 'string' },
        'allow-unencrypted': { type: 'boolean' },
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
  const passwordFile = str('password-file');
  if (password !== undefined && user === undefined) return { ok: false, message: '--password needs --user' };
  if (passwordFile !== undefined && user === undefined) return { ok: false, message: '--password-file needs --user' };
  if (password !== undefined && passwordFile !== undefined) return { ok: false, message: 'give --password or --password-file, not both' };
  const warnings =
    password === undefined
      ? []
      : ['--password puts your password in the process list, where every user of this machine can read it (ps). Use --password-file <file>, or leave both out and type it when asked.'];
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
  return {
    ok: true,
    config: {
      relayUrl,
      user,
      password,
      passwordFile,
      passwordFromStdin: user !== undefined && password === undefined && passwordFile === undefined,
      allowUnencrypted: values['allow-unencrypted'] === true,
      warnings,
      host,
      port: Number(portText),
      dataDir,
      rendererDir,
    },
  };
}

export interface PasswordInput {
  stdin: NodeJS.ReadableStream & { isTTY?: boolean; setRawMode?: (raw: boolean) => unknown };
  /** where the prompt is written (never stdout, which may be piped) */
  prompt: NodeJS.WritableStream;
  readFile: (file: string) => string;
}

const MAX_PASSWORD = 256;

/** The password for --user: from --password, from --password-file's first line, or from stdin (hidden when typed). */
export async function resolvePassword(config: WebCliConfig, input: PasswordInput): Promise<{ ok: true; password: string | undefined } | { ok: false; message: string }> {
  if (config.user === undefined) return { ok: true, password: undefined };
  let password: string;
  if (config.password !== undefined) password = config.password;
  else if (config.passwordFile !== undefined) {
    try {
      password = firstLine(input.readFile(config.passwordFile));
    } catch (error) {
      return { ok: false, message: `could not read --password-file ${config.passwordFile}: ${(error as NodeJS.ErrnoException).code ?? String(error)}` };
    }
  } else if (input.stdin.isTTY && input.stdin.setRawMode) password = await typedPassword(`Password for ${config.user}: `, input);
  else password = firstLine(await readAll(input.stdin, MAX_PASSWORD * 4));
  if (!password) return { ok: false, message: `no password for ${config.user} (empty ${config.passwordFile ? '--password-file' : 'input'})` };
  if (password.length > MAX_PASSWORD) return { ok: false, message: `the password for ${config.user} is longer than ${MAX_PASSWORD} characters` };
  return { ok: true, password };
}

const firstLine = (text: string) => text.split(/\r?\n/, 1)[0] ?? '';

function readAll(stream: NodeJS.ReadableStream, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      text += chunk;
      // the first line is all that is used; stop reading a stream that never ends
      if (text.includes('\n') || text.length > limit) {
        stream.pause();
        resolve(text.slice(0, limit));
      }
    });
    stream.on('end', () => resolve(text));
    stream.on('error', reject);
  });
}

/** Reads a line from a terminal without echoing it. */
function typedPassword(prompt: string, input: PasswordInput): Promise<string> {
  const { stdin } = input;
  return new Promise((resolve) => {
    input.prompt.write(prompt);
    stdin.setRawMode?.(true);
    stdin.setEncoding('utf8');
    stdin.resume();
    let typed = '';
    const finish = (value: string | null) => {
      stdin.removeListener('data', onData);
      stdin.setRawMode?.(false);
      stdin.pause();
      input.prompt.write('\n');
      if (value === null) process.exit(130);
      resolve(value);
    };
    const onData = (chunk: string) => {
      for (const ch of chunk) {
        if (ch === '\r' || ch === '\n') return finish(typed);
        if (ch === '\u0003') return finish(null);
        if (ch === '\u007f' || ch === '\b') typed = typed.slice(0, -1);
        else if (ch >= ' ') typed += ch;
      }
    };
    stdin.on('data', onData);
  });
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
  for (const warning of config.warnings) console.warn(`baton web: ${warning}`);
  if (!fs.existsSync(path.join(config.rendererDir, 'index.html'))) {
    console.error(`baton web: ${path.join(config.rendererDir, 'index.html')} is missing: run npm run build:renderer first.`);
    process.exitCode = 1;
    return;
  }
  fs.mkdirSync(config.dataDir, { recursive: true });
  if (config.host !== '127.0.0.1' && config.host !== 'localhost' && config.host !== '::1') {
    console.warn(`baton web: listening on ${config.host}: anyone who can reach it and learns the page URL acts as you.`);
  }
  const password = await resolvePassword(config, { stdin: process.stdin, prompt: process.stderr, readFile: (file) => fs.readFileSync(file, 'utf8') });
  if (!password.ok) {
    console.error(`baton web: ${password.message}`);
    process.exitCode = 2;
    return;
  }
  let host: Awaited<ReturnType<typeof startWebHost>>;
  try {
    host = await startWebHost({
      relayUrl: config.relayUrl,
      user: config.user,
      password: password.password,
      allowUnencrypted: config.allowUnencrypted,
      host: config.host,
      port: config.port,
      dataDir: config.dataDir,
      rendererDir: config.rendererDir,
      log: (line) => console.error(line),
    });
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
