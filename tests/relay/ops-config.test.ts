// The relay's settings: a flag beats a BATON_* variable, which beats the config file, which beats the default; every
// source is checked by the same schema and a mistake is named by where it came from; secrets never reach the output;
// docs/relay.md carries the same table as the code.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, describeConfig, envName, loadConfig, settings, settingsTable, toRelayOptions } from '../../relay/config';
import { connectAgent, removeDir, repoRoot, tempDir } from './helpers';
import { freePort, spawnRelay, testScope } from './ops-helpers';

const { later } = testScope();

function configFile(settings: unknown, name = 'relay.json'): string {
  const dir = tempDir();
  later(() => removeDir(dir));
  const file = path.join(dir, name);
  fs.writeFileSync(file, typeof settings === 'string' ? settings : JSON.stringify(settings));
  return file;
}

const errorOf = (run: () => unknown): string => {
  try {
    run();
  } catch (error) {
    if (error instanceof ConfigError) return error.message;
    throw error;
  }
  throw new Error('expected a ConfigError');
};

describe('relay settings', () => {
  it('a flag beats the environment, which beats the file, which beats the default', () => {
    const file = configFile({ port: 7001, host: '0.0.0.0', capacity: 7, offlineGrace: 30, demo: true });
    const env = { BATON_PORT: '7002', BATON_HOST: '10.0.0.1', BATON_CONFIG: file };
    const { config, sources } = loadConfig({ args: ['--port', '7003'], env });
    expect(config).toMatchObject({ port: 7003, host: '10.0.0.1', capacity: 7, offlineGrace: 30, demo: true, drainTimeout: 10 });
    expect(sources).toMatchObject({ port: 'flag', host: 'environment', capacity: 'file', demo: 'file', drainTimeout: 'default' });
    // each level alone
    expect(loadConfig({ args: [], env }).config.port).toBe(7002);
    expect(loadConfig({ args: [], env: { BATON_CONFIG: file } }).config.port).toBe(7001);
    expect(loadConfig({ args: [], env: {} }).config.port).toBe(7420);
    // --config beats BATON_CONFIG, as any flag beats its variable
    const other = configFile({ port: 7004 });
    expect(loadConfig({ args: ['--config', other], env: { BATON_CONFIG: file } }).config.port).toBe(7004);
    // an empty variable is as good as none
    expect(loadConfig({ args: [], env: { BATON_PORT: '', BATON_CONFIG: file } }).config.port).toBe(7001);
  });

  it('the environment gives every kind of setting: numbers, booleans, lists and URLs', () => {
    const { config } = loadConfig({
      args: [],
      env: {
        BATON_DEMO: 'true',
        BATON_ALLOWED_ORIGINS: 'https://a.example, https://b.example',
        BATON_POSTGRES_URL: 'postgres://baton:s3cret@db:5432/baton',
        BATON_REDIS_URL: 'redis://cache:6379',
        BATON_NODE_ID: 'relay-1',
        BATON_TRANSFER_TIMEOUT: '90',
        BATON_RETENTION_DAYS: '30',
        BATON_METRICS_PORT: '9464',
      },
      serving: true,
    });
    expect(config).toMatchObject({
      demo: true,
      allowedOrigins: ['https://a.example', 'https://b.example'],
      postgresUrl: 'postgres://baton:s3cret@db:5432/baton',
      nodeId: 'relay-1',
      transferTimeout: 90,
      retentionDays: 30,
      metricsPort: 9464,
    });
    expect(toRelayOptions(config)).toMatchObject({
      demo: true,
      transferTimeoutMs: 90_000,
      cluster: { postgresUrl: 'postgres://baton:s3cret@db:5432/baton', redisUrl: 'redis://cache:6379', nodeId: 'relay-1' },
      retention: { maxAgeMs: 30 * 86_400_000 },
      metrics: { port: 9464, host: '127.0.0.1' },
    });
    expect(toRelayOptions(loadConfig({ args: [], env: {} }).config)).toMatchObject({ transferTimeoutMs: null, port: 7420 });
    expect(toRelayOptions(loadConfig({ args: [], env: {} }).config).metrics).toBeUndefined();
  });

  it('the attachment size cap and types come from settings, default 10 MB and the allow-list; an unknown type is refused', () => {
    expect(toRelayOptions(loadConfig({ args: [], env: {} }).config).attachments).toEqual({ maxBytes: 10 * 1024 * 1024 });
    const options = toRelayOptions(
      loadConfig({ args: ['--attachment-type', 'image/png', '--attachment-type', 'application/pdf'], env: { BATON_ATTACHMENT_MAX_MB: '2.5' } }).config,
    );
    expect(options.attachments).toEqual({ maxBytes: 2.5 * 1024 * 1024, types: ['image/png', 'application/pdf'] });
    expect(errorOf(() => loadConfig({ args: ['--attachment-type', 'text/html'], env: {} }))).toContain(
      '--attachment-type must be one of image/png, image/jpeg, image/gif, image/webp, application/pdf, text/plain',
    );
    expect(errorOf(() => loadConfig({ args: ['--attachment-max-mb', '0'], env: {} }))).toContain('--attachment-max-mb must be a number of megabytes above 0');
  });

  it('a relative data folder in a config file is read from the file’s folder; on a flag, from the working folder', () => {
    const file = configFile({ data: 'state/relay' });
    expect(loadConfig({ args: ['--config', file], env: {} }).config.data).toBe(path.join(path.dirname(file), 'state/relay'));
    expect(toRelayOptions(loadConfig({ args: ['--data', 'here'], env: {} }).config).dataDir).toBe(path.resolve('here'));
  });

  it('a wrong value is named by where it came from, and by what it must be', () => {
    const file = configFile({ port: 70000, capacity: 0, allowedOrigins: ['evil'] });
    expect(errorOf(() => loadConfig({ args: ['--config', file], env: {} }))).toBe(
      [
        'relay.json: port: must be a whole number between 0 and 65535, not 70000.',
        'relay.json: capacity: must be a whole number of at least 1, not 0.',
        'relay.json: allowedOrigins: must look like https://example.com, not ["evil"].',
      ].join('\n'),
    );
    expect(errorOf(() => loadConfig({ args: [], env: { BATON_PORT: 'abc' } }))).toBe(
      'BATON_PORT must be a whole number between 0 and 65535, not "abc".',
    );
    expect(errorOf(() => loadConfig({ args: ['--port=-1'], env: {} }))).toBe('--port must be a whole number between 0 and 65535, not "-1".');
    expect(errorOf(() => loadConfig({ args: [], env: { BATON_DEMO: 'maybe' } }))).toBe('BATON_DEMO must be true or false, not "maybe".');
    // a string in the file is not a number, even if it looks like one
    expect(errorOf(() => loadConfig({ args: ['--config', configFile({ port: '7420' })], env: {} }))).toContain(
      'relay.json: port: must be a whole number between 0 and 65535, not "7420".',
    );
  });

  it('a config file with an unknown key, bad JSON or the wrong shape is refused with a sentence', () => {
    expect(errorOf(() => loadConfig({ args: ['--config', configFile({ prot: 1, Capacity: 2 })], env: {} }))).toBe(
      [
        'relay.json: prot: is not a setting; the settings are listed in docs/relay.md.',
        'relay.json: Capacity: is not a setting (did you mean capacity?); the settings are listed in docs/relay.md.',
      ].join('\n'),
    );
    expect(errorOf(() => loadConfig({ args: ['--config', configFile('{"port": 1,')], env: {} }))).toMatch(/^relay\.json: is not valid JSON/);
    expect(errorOf(() => loadConfig({ args: ['--config', configFile('[1]')], env: {} }))).toBe(
      'relay.json: must be a JSON object of settings, such as { "port": 7420 }.',
    );
    expect(errorOf(() => loadConfig({ args: ['--config', '/nonexistent/relay.json'], env: {} }))).toBe(
      '/nonexistent/relay.json: cannot be read (ENOENT).',
    );
  });

  it('checks that span settings apply when serving: a cluster needs both URLs', () => {
    expect(errorOf(() => loadConfig({ args: ['--postgres', 'postgres://db/baton'], env: {}, serving: true }))).toBe(
      '--redis goes with the other: a cluster node needs both --postgres and --redis (postgresUrl and redisUrl), or neither for the embedded relay.',
    );
    expect(errorOf(() => loadConfig({ args: ['--node-id', 'n1'], env: {}, serving: true }))).toBe(
      '--node-id needs --postgres and --redis (a cluster node).',
    );
    // `user add --postgres` needs no Redis
    expect(loadConfig({ args: ['--postgres', 'postgres://db/baton'], env: {}, flags: ['postgresUrl'] }).config.postgresUrl).toBe(
      'postgres://db/baton',
    );
  });

  it('the settings as printed mask passwords in URLs and tokens, and say where each value came from', () => {
    const loaded = loadConfig({
      args: ['--postgres', 'postgres://baton:hunter2-secret@db:5432/baton'],
      env: { BATON_REDIS_URL: 'redis://:redis-pass-9@cache:6379', BATON_METRICS_TOKEN: 'tok-0123456789abcdef' },
      serving: true,
    });
    const printed = describeConfig(loaded);
    expect(printed).not.toMatch(/hunter2-secret|redis-pass-9|tok-0123456789abcdef/);
    expect(printed).toContain('"postgres://baton:***@db:5432/baton"  (--postgres)');
    expect(printed).toContain('"redis://:***@cache:6379"  (BATON_REDIS_URL)');
    expect(printed).toMatch(/metricsToken +"\*\*\*" +\(BATON_METRICS_TOKEN\)/);
    expect(printed).toMatch(/port +7420 +\(default\)/);
    // a wrong secret is not echoed back either
    expect(errorOf(() => loadConfig({ args: [], env: { BATON_METRICS_TOKEN: 'short-secret' } }))).toBe(
      'BATON_METRICS_TOKEN must be at least 16 characters (for example: openssl rand -hex 32).',
    );
  });

  it('the limits and TLS are settings too: each becomes the relay option it names, from any source', () => {
    const file = configFile({ maxQueuedChats: 12, tlsCert: 'relay.crt', tlsKey: 'relay.key', signInLockout: 60 });
    const { config } = loadConfig({
      args: ['--rate-limit', '10', '--hello-timeout', '2.5', '--trust-proxy-header', 'x-real-ip'],
      env: { BATON_SIGN_IN_THREADS: '2', BATON_CHATS_PER_ADDRESS: '5', BATON_NEW_CHATS_PER_SECOND: '7', BATON_CONFIG: file },
      serving: true,
    });
    const options = toRelayOptions(config);
    expect(options).toMatchObject({
      rateLimit: { perSecond: 10, burst: 20 },
      addressRateLimit: { perSecond: 200, burst: 400 },
      newChatsPerSecond: 7,
      maxQueuedChats: 12,
      helloTimeoutMs: 2500,
      trustedProxyHeader: 'x-real-ip',
      signIn: { concurrent: 2, lockoutMs: 60_000, waiting: 64, freeFailures: 3, lockoutAfter: 10 },
      // relative to the file's folder, as the data folder is
      tls: { certFile: path.join(path.dirname(file), 'relay.crt'), keyFile: path.join(path.dirname(file), 'relay.key') },
    });
    expect(config.newChatsPerAddressPerMinute).toBe(30);
    expect(envName('newChatsPerAddressPerMinute')).toBe('BATON_NEW_CHATS_PER_ADDRESS_PER_MINUTE');
    // without TLS settings the relay serves plain http
    expect(toRelayOptions(loadConfig({ args: [], env: {} }).config).tls).toBeUndefined();
    expect(errorOf(() => loadConfig({ args: ['--tls-cert', 'a.crt'], env: {}, serving: true }))).toBe(
      '--tls-key is needed too: --tls-cert and --tls-key go together (tlsCert and tlsKey), give both files or neither.',
    );
  });

  it('every setting has its variable named after its key, and docs/relay.md has the table the code has', () => {
    expect(envName('postgresUrl')).toBe('BATON_POSTGRES_URL');
    expect(envName('data')).toBe('BATON_DATA');
    expect(envName('allowedOrigins')).toBe('BATON_ALLOWED_ORIGINS');
    const docs = fs.readFileSync(path.join(repoRoot, 'docs/relay.md'), 'utf8');
    expect(docs).toContain(settingsTable());
    for (const entry of Object.values(settings)) expect(settingsTable()).toContain(`--${entry.flag}`);
  });

  it('the relay started with settings from all three places listens where they say and prints them masked', async () => {
    const [flagPort, envPort, filePort] = [await freePort(), await freePort(), await freePort()];
    const dataDir = tempDir();
    later(() => removeDir(dataDir));
    const file = configFile({ port: filePort, data: dataDir, demo: true, capacity: 2, metricsToken: 'file-token-0123456789' });
    const started = async (args: string[], env: Record<string, string>) => {
      const relay = await spawnRelay(args, env);
      later(() => relay.stop());
      return relay;
    };
    const fromFile = await started(['--config', file], {});
    expect(fromFile.port).toBe(filePort);
    expect(fromFile.output()).toMatch(/capacity +2 +\(file\)/);
    expect(fromFile.output()).not.toContain('file-token-0123456789');
    const alice = await connectAgent(fromFile, 'alice');
    await alice.close();
    // the token from the file guards /metrics on the public port
    expect((await fetch(`${fromFile.httpUrl}/metrics`)).status).toBe(401);
    expect((await fetch(`${fromFile.httpUrl}/metrics`, { headers: { Authorization: 'Bearer file-token-0123456789' } })).status).toBe(200);
    await fromFile.stop();

    const fromEnv = await started(['--config', file], { BATON_PORT: String(envPort) });
    expect(fromEnv.port).toBe(envPort);
    expect(fromEnv.output()).toMatch(/port +\d+ +\(BATON_PORT\)/);
    await fromEnv.stop();

    const fromFlag = await started(['--config', file, '--port', String(flagPort)], { BATON_PORT: String(envPort) });
    expect(fromFlag.port).toBe(flagPort);
    await fromFlag.stop();
  }, 90_000);

  it('a bad setting from the environment stops the CLI with the sentence and exit code 2', async () => {
    const { spawnSync } = await import('node:child_process');
    const result = spawnSync(process.execPath, ['--import', 'tsx', 'relay/cli.ts'], {
      cwd: repoRoot,
      encoding: 'utf8',
      env: { ...process.env, BATON_CAPACITY: 'lots' },
      timeout: 20_000,
    });
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('baton relay: BATON_CAPACITY must be a whole number of at least 1, not "lots".');
  }, 30_000);
});
