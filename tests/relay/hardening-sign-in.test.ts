// Failed sign-ins must not stall acknowledgements: scrypt runs on a few low-priority threads of its own (libuv's pool,
// which the WAL fsync needs, is left alone), in a bounded queue where the most trusted go first; unknown and known
// user names cost the same.
import { performance } from 'node:perf_hooks';
import { afterEach, describe, expect, it } from 'vitest';
import { AGENT_PATH } from '../../common/protocol';
import { basicAuthHeader, hashPassword } from '../../relay/auth';
import { PasswordChecker, SignInThrottle } from '../../relay/sign-in';
import { cheapHash, connectAgent, connectCustomer, messageId, openSocket, removeDir, startTestRelay, type TestRelay } from './helpers';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function relayWith(options: Parameters<typeof startTestRelay>[0] = {}): Promise<TestRelay> {
  const relay = await startTestRelay({ trustedProxyHeader: 'x-forwarded-for', ...options });
  cleanups.push(async () => {
    await relay.close();
    removeDir(relay.dataDir);
  });
  return relay;
}

const quantile = (values: number[], q: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
};

let guesses = 0;
/** One wrong password from an address and user name never seen before, so no throttle spares the relay the scrypt. */
function guess(relay: TestRelay, user = `guess${++guesses}`): Promise<number> {
  return openSocket(`${relay.wsUrl}${AGENT_PATH}`, {
    Authorization: basicAuthHeader(user, 'not-the-password'),
    'X-Forwarded-For': `10.${(guesses >> 16) & 255}.${(guesses >> 8) & 255}.${guesses & 255}`,
  }).then(
    (ws) => {
      ws.terminate();
      return 101;
    },
    (error: { status: number }) => error.status,
  );
}

describe('failed sign-ins and acknowledgements', () => {
  it('96 wrong passwords in parallel, again and again, leave the acknowledgement of a message (fsync on) close to its quiet time', async () => {
    const relay = await relayWith({ synchronous: 'FULL', rateLimit: { perSecond: 10_000, burst: 10_000 } });
    const alice = await connectAgent(relay, 'alice');
    const customer = await connectCustomer(relay, { name: 'Canary' });
    cleanups.push(() => alice.close(), () => customer.close());
    await alice.event('assigned', customer.sessionId);
    /** One canary message every 20 ms for `ms`, each timed from send to ok. */
    const ackTimes = async (ms: number) => {
      const times: number[] = [];
      const until = performance.now() + ms;
      for (let i = 0; performance.now() < until; i++) {
        const started = performance.now();
        await alice.ok({ type: 'send', sessionId: customer.sessionId, messageId: messageId(), text: `canary ${i}` });
        times.push(performance.now() - started);
        await new Promise((resolve) => setTimeout(resolve, Math.max(0, 20 - (performance.now() - started))));
      }
      return times;
    };
    await ackTimes(500);
    const quiet = await ackTimes(4000);

    let attacking = true;
    const statuses = new Map<number, number>();
    // each of the 96 guesses again as soon as it is answered, at most once a second: up to 96 guesses a second, the
    // rate that took p50 from 2 ms to 1,288 ms when scrypt ran on libuv's pool
    const attacker = async () => {
      while (attacking) {
        const started = performance.now();
        const status = await guess(relay);
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
        await new Promise((resolve) => setTimeout(resolve, Math.max(0, 1000 - (performance.now() - started))));
      }
    };
    const attackers = Array.from({ length: 96 }, attacker);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const loaded = await ackTimes(6000);
    attacking = false;
    await Promise.all(attackers);

    const figures = {
      quietP50: quantile(quiet, 0.5),
      quietP95: quantile(quiet, 0.95),
      quietP99: quantile(quiet, 0.99),
      loadedP50: quantile(loaded, 0.5),
      loadedP95: quantile(loaded, 0.95),
      loadedP99: quantile(loaded, 0.99),
      refusals: Object.fromEntries(statuses),
    };
    console.log('canary ack ms under 96 parallel wrong passwords', JSON.stringify(figures));
    // the attack was real: many guesses were checked (401), the rest told the relay was busy (503)
    expect(statuses.get(401) ?? 0).toBeGreaterThan(5);
    // before, the guesses took every thread of libuv's pool and p50 went from 2 ms to over a second (1,288 ms): every
    // bound below fails by far on that. The tail is bounded loosely: the suite runs other files on the same two cores
    // beside this one, and the p99 of ~300 acknowledgements is their third-slowest, which one stall of a neighbouring
    // file sets (a CI run saw 101 ms loaded against 14 ms quiet, with p50 unchanged).
    expect(figures.loadedP50).toBeLessThan(Math.max(3 * figures.quietP50, figures.quietP50 + 10));
    expect(figures.loadedP95).toBeLessThan(Math.max(4 * figures.quietP95, figures.quietP95 + 50));
    expect(figures.loadedP99).toBeLessThan(figures.quietP99 + 250);
  }, 60_000);

  it('an unknown user name takes as long to refuse as a wrong password for a real one', async () => {
    const relay = await relayWith({ signIn: { freeFailures: 1000, lockoutAfter: 1000 } });
    const time = async (user: () => string) => {
      const started = performance.now();
      expect(await guess(relay, user())).toBe(401);
      return performance.now() - started;
    };
    const known: number[] = [];
    const unknown: number[] = [];
    for (let i = 0; i < 12; i++) {
      known.push(await time(() => 'alice'));
      unknown.push(await time(() => `nobody${i}`));
    }
    const ratio = quantile(unknown, 0.5) / quantile(known, 0.5);
    console.log('sign-in refusal ms, known vs unknown user', quantile(known, 0.5).toFixed(1), quantile(unknown, 0.5).toFixed(1));
    expect(ratio).toBeGreaterThan(0.7);
    expect(ratio).toBeLessThan(1.4);
  }, 60_000);
});

describe('the scrypt threads', () => {
  const stored = cheapHash('demo');

  it('checks passwords on a thread of its own', async () => {
    const checker = new PasswordChecker({ concurrent: 1, waiting: 4 });
    cleanups.push(() => checker.close());
    expect(await checker.check('demo', stored, 1)).toBe('match');
    expect(await checker.check('nope', stored, 1)).toBe('mismatch');
    expect(await checker.check('demo', 'not a hash', 1)).toBe('mismatch');
    expect(await checker.check('demo', hashPassword('demo'), 1)).toBe('match');
  });

  it('a full queue answers busy to the least trusted, and the most trusted are checked first', async () => {
    const checker = new PasswordChecker({ concurrent: 1, waiting: 2 });
    cleanups.push(() => checker.close());
    const done: string[] = [];
    const submit = (name: string, trust: 0 | 1 | 2) =>
      checker.check('demo', stored, trust).then((outcome) => {
        done.push(`${name}:${outcome}`);
      });
    const all = [submit('running', 2), submit('suspect-1', 2), submit('suspect-2', 2), submit('suspect-3', 2)];
    all.push(submit('clean', 1), submit('returning', 0));
    await Promise.all(all);
    expect(done).toEqual([
      'suspect-3:busy',
      'suspect-2:busy',
      'suspect-1:busy',
      'running:match',
      'returning:match',
      'clean:match',
    ]);
  });
});

describe('the throttle', () => {
  it('free failures, then 1 s, 2 s, 4 s between tries, then a lockout; forgotten after the lockout time', () => {
    let now = 1_000_000;
    const throttle = new SignInThrottle({ freeFailures: 2, lockoutAfter: 5, lockoutMs: 60_000 }, () => now);
    const fail = () => {
      throttle.begin('bob', `a${now}`);
      return throttle.end('bob', `a${now}`, 'failure');
    };
    const waitOf = () => {
      const verdict = throttle.check('bob', `b${now}`);
      return verdict.ok ? 0 : verdict.retryAfterMs;
    };
    fail();
    fail();
    expect(waitOf()).toBe(0);
    fail();
    expect(waitOf()).toBe(1000);
    now += 1000;
    fail();
    expect(waitOf()).toBe(2000);
    now += 2000;
    expect(fail().locked).toEqual(['user']);
    expect(waitOf()).toBe(60_000);
    now += 60_001;
    expect(waitOf()).toBe(0);
  });

  it('a name that has failed gets one check at a time, so parallel guesses cannot slip past the count', () => {
    const throttle = new SignInThrottle({ freeFailures: 5, lockoutAfter: 10, lockoutMs: 60_000 });
    throttle.begin('bob', 'x');
    throttle.end('bob', 'x', 'failure');
    expect(throttle.check('bob', 'y')).toMatchObject({ ok: true, trust: 2 });
    throttle.begin('bob', 'y');
    expect(throttle.check('bob', 'z')).toMatchObject({ ok: false });
    // a clean name and address are not held back by anyone else's checks
    expect(throttle.check('carol', 'w')).toEqual({ ok: true, trust: 1 });
  });
});
