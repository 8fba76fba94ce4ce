// The Transfer chat dialog: a live list of teams and of Present (or Busy) agents to transfer to, an optional note,
// Transfer/Cancel. An offer to a team goes to its Present members with room; the first to accept gets the chat.
import { type KeyboardEvent, useId } from 'react';
import type { AgentInfo, Team } from '../../common/domain';
import { initials } from '../lib/format';
import { offerSubmitted, transferDialogClosed, transferNoteChanged, transferTargetChosen, transferTeamChosen } from '../store/actions';
import { selectOnline } from '../store/connection';
import { useAppDispatch, useAppSelector } from '../store/hooks';
import { selectSessionById } from '../store/sessions';
import {
  atCapacity,
  selectChosenTarget,
  selectChosenTeam,
  selectTransferDialog,
  selectTransferTargets,
  selectTransferTeams,
} from '../store/transfers';
import { selectBusy, selectError } from '../store/ui';
import { chatMenuButton, Dialog, ErrorNote } from './Dialog';

type Choice = { kind: 'team'; team: Team; ready: number } | { kind: 'agent'; agent: AgentInfo };
const choiceId = (c: Choice) => (c.kind === 'team' ? `target-team-${c.team.id}` : `target-${c.agent.id}`);
const chats = (n: number) => (n === 1 ? '1 open chat' : `${n} open chats`);

export function TransferDialog() {
  const dispatch = useAppDispatch();
  const dialog = useAppSelector(selectTransferDialog);
  const session = useAppSelector((s) => selectSessionById(s, dialog?.sessionId));
  const targets = useAppSelector(selectTransferTargets);
  const teams = useAppSelector(selectTransferTeams);
  const chosen = useAppSelector(selectChosenTarget);
  const chosenTeam = useAppSelector(selectChosenTeam);
  const busy = useAppSelector((s) => selectBusy(s, 'transferDialog'));
  const error = useAppSelector((s) => selectError(s, 'transferDialog'));
  const online = useAppSelector(selectOnline);
  const listLabelId = useId();
  const noteId = useId();
  const warningId = useId();
  if (!dialog || !session) return null;

  const choices: Choice[] = [
    ...teams.filter((t) => t.ready > 0).map((t) => ({ kind: 'team' as const, ...t })),
    ...targets.map((agent) => ({ kind: 'agent' as const, agent })),
  ];
  const current = chosen ? `target-${chosen.id}` : chosenTeam ? `target-team-${chosenTeam.id}` : undefined;
  const choose = (c: Choice) => dispatch(c.kind === 'team' ? transferTeamChosen(c.team.id) : transferTargetChosen(c.agent.id));
  const note = dialog.note.trim() ? { note: dialog.note } : {};
  const submitTo = (c: Choice) =>
    dispatch(offerSubmitted({ sessionId: session.id, ...(c.kind === 'team' ? { team: c.team.id } : { to: c.agent.id }), ...note }));
  const close = () => dispatch(transferDialogClosed());
  const onListKeyDown = (event: KeyboardEvent) => {
    if (event.key !== 'ArrowDown' && event.key !== 'ArrowUp') return;
    event.preventDefault();
    const at = choices.findIndex((c) => choiceId(c) === current);
    const next = choices[event.key === 'ArrowDown' ? Math.min(choices.length - 1, at + 1) : Math.max(0, at - 1)];
    if (next) choose(next);
  };
  const submit = () => {
    const c = choices.find((x) => choiceId(x) === current);
    if (c) submitTo(c);
  };
  const full = chosen && atCapacity(chosen) ? chosen : null;
  const unavailableTeams = teams.filter((t) => t.ready === 0);

  const option = (c: Choice) => {
    const selected = choiceId(c) === current;
    const avatar = c.kind === 'team' ? c.team.name : c.agent.name;
    return (
      <div
        key={choiceId(c)}
        id={choiceId(c)}
        role="option"
        tabIndex={-1}
        aria-selected={selected}
        className={`target ${c.kind === 'team' ? 'team-target' : ''} ${selected ? 'selected' : ''}`}
        onClick={() => choose(c)}
        onKeyDown={(e) => {
          if (e.key === 'Enter' || e.key === ' ') choose(c);
        }}
        onDoubleClick={() => submitTo(c)}
      >
        <span className="avatar" aria-hidden="true">
          {initials(avatar)}
        </span>
        <bdi className="target-name">{avatar}</bdi>
        {c.kind === 'team' ? (
          <span className="target-meta">Team · {c.ready === 1 ? '1 member Present' : `${c.ready} members Present`}</span>
        ) : (
          <span className="target-meta">
            <span className={`presence-dot status-${c.agent.status}`} aria-hidden="true" /> {c.agent.status === 'busy' ? 'Busy' : 'Present'} ·{' '}
            {c.agent.capacity ? `${c.agent.openChats} of ${c.agent.capacity} chats` : chats(c.agent.openChats)}
            {atCapacity(c.agent) ? ' · at capacity' : ''}
          </span>
        )}
      </div>
    );
  };

  return (
    <Dialog title="Transfer chat" onClose={close} fallbackFocus={chatMenuButton} className="transfer-dialog">
      <p className="dialog-lead">
        Hand the chat with <bdi>{session.customerName}</bdi> to a colleague or a team. Only agents who are Present or Busy are listed.
      </p>
      <div className="field">
        <span id={listLabelId}>Transfer to</span>
        <div
          role="listbox"
          aria-labelledby={listLabelId}
          aria-describedby={full ? warningId : undefined}
          tabIndex={0}
          data-autofocus
          className="target-list"
          aria-activedescendant={current}
          onKeyDown={onListKeyDown}
        >
          {choices.some((c) => c.kind === 'team') ? (
            <div role="group" aria-label="Teams" className="target-group">
              {choices.filter((c) => c.kind === 'team').map(option)}
            </div>
          ) : null}
          {choices.some((c) => c.kind === 'agent') ? (
            <div role="group" aria-label="Agents" className="target-group">
              {choices.filter((c) => c.kind === 'agent').map(option)}
            </div>
          ) : null}
        </div>
        {!online ? (
          <p className="empty">You are offline, so Baton cannot tell who is Present. The list comes back when the relay answers.</p>
        ) : targets.length === 0 ? (
          <p className="empty">No other agent is Present</p>
        ) : null}
        {online && unavailableTeams.length ? (
          <p className="hint">
            {unavailableTeams.length === 1 ? 'Nobody in ' : 'Nobody in these teams is Present with room for a chat: '}
            {unavailableTeams.map((t, i) => (
              <span key={t.team.id}>
                {i ? ', ' : ''}
                <bdi>{t.team.name}</bdi>
              </span>
            ))}
            {unavailableTeams.length === 1 ? ' is Present with room for a chat.' : '.'}
          </p>
        ) : null}
        {full ? (
          <p id={warningId} className="capacity-warning" role="status">
            <bdi>{full.name}</bdi> is at capacity ({full.openChats} of {full.capacity} chats). They can still accept the transfer.
          </p>
        ) : null}
      </div>
      <label className="field" htmlFor={noteId}>
        <span>Note (optional)</span>
      </label>
      <textarea
        id={noteId}
        rows={3}
        maxLength={1000}
        value={dialog.note}
        placeholder="What should your colleague know?"
        onChange={(e) => dispatch(transferNoteChanged(e.target.value))}
      />
      <ErrorNote text={error} />
      <div className="dialog-actions">
        <button type="button" className="secondary" onClick={close}>
          Cancel
        </button>
        <button type="button" className="primary" disabled={!current || busy} aria-busy={busy} onClick={submit}>
          Transfer
        </button>
      </div>
    </Dialog>
  );
}
