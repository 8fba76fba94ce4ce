// @vitest-environment happy-dom
// The supervision side of the workspace on a FakeBridge: the Transfer dialog's teams and capacity warning, the
// Dashboard's queues, agents panel, filters and figures, the manager's Team view, Busy and idle in the header, and
// the web page's idle reports.
import { act, cleanup, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Metrics } from '../../common/metrics';
import { ok } from '../../common/result';
import { startIdleReports } from '../../renderer/lib/idle';
import { FakeBridge } from './fake-bridge';
import { agent, alice, maria, session, snapshot, T0 } from './fixtures';
import { renderApp } from './render-app';

afterEach(() => {
  cleanup();
  vi.useRealTimers();
});

const billing = { id: 'billing', name: 'Billing' };
const tech = { id: 'tech', name: 'Technical' };
const bob = agent('bob', { teams: ['billing'], capacity: 2, openChats: 2 });
const erin = agent('erin', { teams: ['billing'], capacity: 4, openChats: 1, statusSince: T0 });
const frank = agent('frank', { teams: ['tech'], status: 'busy', capacity: 4 });

describe('transfer dialog with teams', () => {
  it('lists the teams with someone Present who has room, offers to a team, and warns before offering to a full agent', async () => {
    const bridge = new FakeBridge(
      snapshot({ agents: [alice, bob, erin, frank], teams: [billing, tech], sessions: [session('s1', { customerName: 'Ann' })] }),
    );
    const { user } = await renderApp(bridge);
    await user.click(within(screen.getByRole('listbox', { name: 'Sessions' })).getByRole('option', { name: /Ann/ }));
    await user.click(screen.getByRole('button', { name: 'Chat menu' }));
    await user.click(screen.getByRole('menuitem', { name: 'Transfer' }));
    const dialog = screen.getByRole('dialog', { name: 'Transfer chat' });
    const teams = within(dialog).getByRole('group', { name: 'Teams' });
    // Technical's only member is Busy: not offered as a team, and said so
    expect(within(teams).getAllByRole('option').map((o) => o.textContent)).toEqual([expect.stringContaining('Billing')]);
    expect(within(dialog).getByText(/is Present with room for a chat/).textContent).toContain('Technical');
    // Busy agents take transfers, so frank is listed; bob is full and the sender is told before offering
    const agents = within(dialog).getByRole('group', { name: 'Agents' });
    expect(within(agents).getByRole('option', { name: /Frank/ }).textContent).toContain('Busy');
    await user.click(within(agents).getByRole('option', { name: /Bob/ }));
    expect(within(dialog).getByRole('status').textContent).toBe('Bob is at capacity (2 of 2 chats). They can still accept the transfer.');
    await user.click(within(teams).getByRole('option', { name: /Billing/ }));
    expect(within(dialog).queryByRole('status')).toBeNull();
    await user.click(within(dialog).getByRole('button', { name: 'Transfer' }));
    await waitFor(() => expect(bridge.callsTo('transfer:offer')).toEqual([{ sessionId: 's1', team: 'billing' }]));
  });
});

describe('Dashboard', () => {
  const queued = (id: string, team: string | null, createdAt: number) =>
    session(id, { state: 'queued', ownerId: null, team, createdAt, customerName: `Customer ${id}` });

  it('shows queues per team with the longest wait against the target, and the agents panel updates live', async () => {
    const now = Date.now();
    const bridge = new FakeBridge(
      snapshot({
        me: maria,
        agents: [maria, alice, bob, erin, frank],
        teams: [billing, tech],
        settings: { ...snapshot().settings, waitTargetSeconds: 60 },
        sessions: [queued('q1', 'billing', now - 95_000), queued('q2', 'billing', now - 10_000), queued('q3', 'tech', now - 50_000)],
      }),
    );
    const { user } = await renderApp(bridge);
    await user.click(screen.getByRole('tab', { name: 'Dashboard' }));
    const queues = screen.getByRole('table', { name: 'Queues' });
    const row = (name: string) => within(queues).getByRole('row', { name: new RegExp(`^${name}`) });
    expect(within(row('Billing')).getAllByRole('cell').map((c) => c.textContent)).toEqual(['2', expect.stringMatching(/^1:3\d \(over the target\)$/), '1 of 2']);
    expect(row('Billing').querySelector('.wait-over')).not.toBeNull();
    expect(row('Technical').querySelector('.wait-near')?.textContent).toMatch(/^0:5\d \(near the target\)$/);

    const agents = screen.getByRole('table', { name: 'Agents' });
    const erinRow = () => within(agents).getByRole('row', { name: /Erin/ });
    expect(within(erinRow()).getAllByRole('cell').map((c) => c.textContent)).toEqual(['Present', '1 / 4', 'Billing', expect.any(String)]);
    act(() => bridge.push({ type: 'presence', agent: { ...erin, status: 'away', idle: true, openChats: 2, statusSince: Date.now() } }));
    expect(within(erinRow()).getAllByRole('cell').map((c) => c.textContent).slice(0, 2)).toEqual(['Away (idle)', '2 / 4']);

    // the team filter narrows queues' chats, agents and live chats alike
    await user.selectOptions(screen.getByLabelText('Team'), 'tech');
    expect(within(agents).getAllByRole('row').slice(1).map((r) => r.querySelector('bdi')?.textContent)).toEqual(['Frank']);
    const live = screen.getByRole('table', { name: 'Live chats' });
    expect(within(live).getAllByRole('row').slice(1).map((r) => r.querySelector('bdi')?.textContent)).toEqual(['Customer q3']);
  });

  it('sorts live chats by waiting time or newest first, and filters them by state', async () => {
    const now = Date.now();
    const bridge = new FakeBridge(
      snapshot({
        me: maria,
        agents: [maria, alice],
        sessions: [
          session('a', { customerName: 'Old wait', createdAt: now - 600_000, waitingSince: now - 30_000 }),
          session('b', { customerName: 'Long wait', createdAt: now - 300_000, waitingSince: now - 200_000 }),
          session('c', { customerName: 'Queued', state: 'queued', ownerId: null, createdAt: now - 5_000 }),
        ],
      }),
    );
    const { user } = await renderApp(bridge);
    await user.click(screen.getByRole('tab', { name: 'Dashboard' }));
    const names = () =>
      within(screen.getByRole('table', { name: 'Live chats' }))
        .getAllByRole('row')
        .slice(1)
        .map((r) => r.querySelector('bdi')?.textContent);
    expect(names()).toEqual(['Long wait', 'Old wait', 'Queued']);
    await user.selectOptions(screen.getByLabelText('Sort chats by'), 'newest');
    expect(names()).toEqual(['Queued', 'Long wait', 'Old wait']);
    await user.selectOptions(screen.getByLabelText('State'), 'queued');
    expect(names()).toEqual(['Queued']);
  });

  it("asks for today's figures when it opens, shows them per agent and team, and exports them as CSV", async () => {
    const metrics: Metrics = {
      since: T0,
      until: T0 + 86_400_000,
      agents: [
        {
          agentId: 'alice',
          name: 'Alice',
          chatsHandled: 3,
          firstResponseMs: 45_000,
          handleMs: 600_000,
          transfersMade: 1,
          transfersAccepted: 0,
          transfersRejected: 2,
          transfersTimedOut: 1,
        },
      ],
      teams: [
        {
          teamId: 'billing',
          name: 'Billing',
          chatsHandled: 3,
          firstResponseMs: null,
          handleMs: 600_000,
          transfersMade: 4,
          transfersAccepted: 3,
          transfersRejected: 0,
          transfersTimedOut: 1,
        },
      ],
    };
    const bridge = new FakeBridge(snapshot({ me: maria, agents: [maria, alice], teams: [billing] }));
    bridge.respond('metrics:get', ok(metrics));
    const clicked: string[] = [];
    const created = vi.spyOn(URL, 'createObjectURL').mockImplementation(() => 'blob:figures');
    vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
      clicked.push(this.download);
    });
    const { user } = await renderApp(bridge);
    await user.click(screen.getByRole('tab', { name: 'Dashboard' }));
    const perAgent = await screen.findByRole('table', { name: 'Today per agent' });
    const { since, until } = bridge.callsTo('metrics:get')[0] as { since: number; until: number };
    expect(new Date(since).getHours()).toBe(0);
    expect(until - since).toBeGreaterThanOrEqual(23 * 3600_000);
    expect(within(perAgent).getByRole('row', { name: /Alice/ }).textContent).toBe('Alice30:4510:001021');
    expect(within(screen.getByRole('table', { name: 'Today per team' })).getByRole('row', { name: /Billing/ }).textContent).toBe(
      'Billing3—10:004301',
    );
    await user.click(screen.getByRole('button', { name: 'Export CSV' }));
    expect(clicked).toEqual([expect.stringMatching(/^baton-today-\d{4}-\d\d-\d\d\.csv$/)]);
    const blob = created.mock.calls[0]![0] as Blob;
    expect(await blob.text()).toContain('agent,alice,Alice,3,45,600,1,0,2,1');
  });
});

describe('Team view', () => {
  it('is a tab for managers only', async () => {
    const agentView = await renderApp(new FakeBridge(snapshot({ me: alice })));
    expect(screen.queryByRole('tab', { name: 'Team' })).toBeNull();
    agentView.unmount();
    await renderApp(new FakeBridge(snapshot({ me: agent('carol', { canListenIn: true }), agents: [alice] })));
    expect(screen.queryByRole('tab', { name: 'Team' })).toBeNull();
    expect(screen.getByRole('tab', { name: 'Dashboard' })).toBeTruthy();
  });

  it('disables, edits (role, teams, capacity), removes after a confirmation, and adds a team, through relay commands', async () => {
    const bridge = new FakeBridge(snapshot({ me: maria, agents: [maria, alice, bob], teams: [billing, tech] }));
    const { user } = await renderApp(bridge);
    await user.click(screen.getByRole('tab', { name: 'Team' }));
    const people = screen.getByRole('table', { name: 'People' });
    // no way to disable or remove oneself
    expect(within(people).queryByRole('button', { name: 'Disable Maria' })).toBeNull();
    await user.click(within(people).getByRole('button', { name: 'Disable Bob' }));
    await waitFor(() => expect(bridge.callsTo('admin:command')).toEqual([{ type: 'user-set-disabled', user: 'bob', disabled: true }]));

    await user.click(within(people).getByRole('button', { name: 'Edit Alice' }));
    const edit = screen.getByRole('dialog', { name: 'Edit Alice' });
    await user.click(within(edit).getByRole('checkbox', { name: 'Can listen in (sees the Dashboard)' }));
    await user.click(within(edit).getByRole('checkbox', { name: 'Technical' }));
    await user.selectOptions(within(edit).getByLabelText(/Capacity/), '6');
    await user.click(within(edit).getByRole('button', { name: 'Save' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(bridge.callsTo('admin:command').slice(1)).toEqual([
      { type: 'user-set-role', user: 'alice', role: 'agent', canListenIn: true },
      { type: 'user-set-teams', user: 'alice', teams: ['tech'] },
      { type: 'user-set-capacity', user: 'alice', capacity: 6 },
    ]);

    await user.click(within(people).getByRole('button', { name: 'Remove Bob' }));
    const confirm = screen.getByRole('dialog', { name: 'Remove Bob?' });
    bridge.respond('admin:command', { ok: false, error: { code: 'forbidden', message: 'You cannot remove your own account.' } });
    await user.click(within(confirm).getByRole('button', { name: 'Remove' }));
    expect((await within(confirm).findByRole('alert')).textContent).toBe('You cannot remove your own account.');
    bridge.respond('admin:command', ok(null));
    await user.click(within(confirm).getByRole('button', { name: 'Remove' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    act(() => bridge.push({ type: 'agent-removed', agentId: 'bob' }));
    expect(within(people).queryByRole('row', { name: /Bob/ })).toBeNull();

    await user.type(screen.getByLabelText('New team'), 'Returns & Refunds');
    await user.click(screen.getByRole('button', { name: 'Add team' }));
    await waitFor(() =>
      expect(bridge.callsTo('admin:command').at(-1)).toEqual({ type: 'team-add', team: 'returns-refunds', name: 'Returns & Refunds' }),
    );
    act(() => bridge.push({ type: 'teams', teams: [billing, tech, { id: 'returns-refunds', name: 'Returns & Refunds' }] }));
    expect(within(screen.getByRole('list', { name: 'Teams' })).getAllByRole('listitem')).toHaveLength(3);
  });
});

describe('status', () => {
  it('offers Present, Busy and Away, and says Away (idle) while auto-away holds', async () => {
    const bridge = new FakeBridge(snapshot());
    const { user } = await renderApp(bridge);
    const select = screen.getByRole('combobox', { name: 'Status' }) as HTMLSelectElement;
    expect([...select.options].map((o) => o.textContent)).toEqual(['Present', 'Busy', 'Away']);
    await user.selectOptions(select, 'busy');
    await waitFor(() => expect(bridge.callsTo('agent:setStatus')).toEqual([{ status: 'busy' }]));
    act(() => bridge.push({ type: 'presence', agent: { ...alice, status: 'away', idle: true } }));
    expect(select.value).toBe('idle');
    expect(select.selectedOptions[0]?.textContent).toBe('Away (idle)');
  });
});

describe('idle reports in a browser', () => {
  it('reports the seconds without input on a timer, and at once when input comes back after a quiet spell', () => {
    vi.useFakeTimers();
    let now = 1_000_000;
    const calls: Array<{ idleSeconds: number }> = [];
    const bridge = {
      invoke: vi.fn(async (_c: string, args: unknown) => {
        calls.push(args as { idleSeconds: number });
        return ok(null);
      }),
    };
    const stop = startIdleReports(window, bridge as never, { everyMs: 15_000, now: () => now });
    now += 15_000;
    vi.advanceTimersByTime(15_000);
    now += 15_000;
    vi.advanceTimersByTime(15_000);
    expect(calls.map((c) => c.idleSeconds)).toEqual([15, 30]);
    window.dispatchEvent(new KeyboardEvent('keydown', { key: 'a' }));
    expect(calls.map((c) => c.idleSeconds)).toEqual([15, 30, 0]);
    // busy typing: no report between timer ticks
    window.dispatchEvent(new KeyboardEvent('keydown', { key: 'b' }));
    expect(calls).toHaveLength(3);
    stop();
    vi.advanceTimersByTime(60_000);
    expect(calls).toHaveLength(3);
  });
});
