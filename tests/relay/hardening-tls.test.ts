// TLS on the relay: --tls-cert / --tls-key serve https and wss with a certificate made here by openssl; a missing,
// unreadable or mismatched file stops the start with a sentence.
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AGENT_PATH, CUSTOMER_PATH, PROTOCOL_VERSION } from '../../common/protocol';
import { basicAuthHeader } from '../../relay/auth';
import { startRelay } from '../../relay/server';
import { removeDir, repoRoot, startTestRelay, TestClient, type TestRelay, tempDir } from './helpers';

let dir: string;
let cert: string;
let key: string;
let otherKey: string;

/** A self-signed certificate for 127.0.0.1 and localhost, valid for a day. */
function makeCertificate(name: string): { cert: string; key: string } {
  const files = { cert: path.join(dir, `${name}.crt`), key: path.join(dir, `${name}.key`) };
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1',
    '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost',
    '-keyout', files.key, '-out', files.cert,
  ], { stdio: 'ignore' });
  return files;
}

beforeAll(() => {
  dir = tempDir();
  ({ cert, key } = makeCertificate('relay'));
  otherKey = makeCertificate('other').key;
});
afterAll(() => removeDir(dir));

function open(url: string, headers: Record<string, string> = {}): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers, ca: fs.readFileSync(cert) });
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

function get(url: string): Promise<{ status: number; body: string; headers: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    https
      .get(url, { ca: fs.readFileSync(cert) }, (res) => {
        let body = '';
        res.on('data', (chunk) => {
          body += chunk;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
      })
      .on('error', reject);
  });
}

describe('the relay over TLS', () => {
  let relay: TestRelay;
  beforeAll(async () => {
    relay = await startTestRelay({ tls: { certFile: cert, keyFile: key } });
  });
  afterAll(async () => {
    await relay.close();
    removeDir(relay.dataDir);
  });

  it('serves wss:// to agents and customers, and https:// for health and the chat page', async () => {
    expect(relay.wsUrl).toMatch(/^wss:\/\/127\.0\.0\.1:\d+$/);
    expect(relay.httpUrl).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const agent = new TestClient(await open(`${relay.wsUrl}${AGENT_PATH}`, { Authorization: basicAuthHeader('alice', 'demo') }), 'alice');
    const id = agent.fire({ type: 'hello', protocol: PROTOCOL_VERSION, resume: {} });
    expect(await agent.next((f) => f.id === id)).toMatchObject({ type: 'welcome', me: { id: 'alice' } });
    // a browser on the relay's own https origin may connect
    const customer = new TestClient(await open(`${relay.wsUrl}${CUSTOMER_PATH}`, { Origin: relay.httpUrl }), 'customer');
    const hello = customer.fire({ type: 'customer-hello', protocol: PROTOCOL_VERSION, name: 'Dana' });
    expect(await customer.next((f) => f.id === hello)).toMatchObject({ type: 'customer-welcome' });
    await agent.event('assigned');
    const health = await get(`${relay.httpUrl}/health`);
    expect(health.status).toBe(200);
    expect(JSON.parse(health.body)).toMatchObject({ status: 'ok', connections: 2 });
    const page = await get(`${relay.httpUrl}/chat`);
    expect(page.status).toBe(200);
    expect(page.headers['content-security-policy']).toContain(`wss://${new URL(relay.httpUrl).host}`);
    await agent.close();
    await customer.close();
  });

  it('a plain ws:// connection to the TLS port gets nowhere', async () => {
    const plain = relay.wsUrl.replace('wss://', 'ws://');
    await expect(
      new Promise((resolve, reject) => {
        const ws = new WebSocket(`${plain}${CUSTOMER_PATH}`);
        ws.once('open', () => resolve(ws));
        ws.once('error', reject);
      }),
    ).rejects.toBeTruthy();
  });
});

describe('bad TLS files stop the start with a sentence', () => {
  const attempt = (tls: { certFile: string; keyFile: string }) => {
    const dataDir = tempDir();
    return startRelay({ dataDir, tls, log: () => {} }).finally(() => removeDir(dataDir));
  };

  it.each([
    ['a missing certificate', () => ({ certFile: path.join(dir, 'nope.crt'), keyFile: key }), /^--tls-cert .*nope\.crt cannot be read: there is no such file\.$/],
    ['a folder as the key', () => ({ certFile: cert, keyFile: dir }), /^--tls-key .* cannot be read: it is a folder\.$/],
    ['a key given as the certificate', () => ({ certFile: key, keyFile: key }), /is not a PEM certificate/],
    ['a certificate given as the key', () => ({ certFile: cert, keyFile: cert }), /is not a PEM private key/],
    ['the key of another certificate', () => ({ certFile: cert, keyFile: otherKey }), /is not the key of the certificate in/],
  ])('%s', async (_what, tls, sentence) => {
    await expect(attempt(tls())).rejects.toThrow(sentence);
  });

  it('the CLI wants both flags, and says what is wrong with a file (exit 1) without a stack trace', () => {
    const cli = (args: string[]) =>
      spawnSync(process.execPath, ['--import', 'tsx', 'relay/cli.ts', '--port', '0', '--data', dir, ...args], {
        cwd: repoRoot,
        encoding: 'utf8',
        timeout: 20_000,
      });
    const half = cli(['--tls-cert', cert]);
    expect(half.status).toBe(2);
    expect(half.stderr).toContain('--tls-cert and --tls-key go together');
    const missing = cli(['--tls-cert', path.join(dir, 'nope.crt'), '--tls-key', key]);
    expect(missing.status).toBe(1);
    expect(missing.stderr.trim()).toBe(`baton relay: --tls-cert ${path.join(dir, 'nope.crt')} cannot be read: there is no such file.`);
  });
});
