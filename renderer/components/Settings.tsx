// The Settings view: theme, notifications, a sound per kind of attention (on/off, volume, a Play button to try it),
// the reminder while an offer or a new chat is unanswered, and (desktop) the taskbar flash. Settings are the
// account's own: the core keeps them in its cache and answers each change with a `settings` event.
import { type ReactNode, useId } from 'react';
import type { AttentionKind, Settings as SettingsValue, SoundSetting } from '../../common/bridge';
import { settingsChanged, soundTested, type ThemeChoice, themeChosen } from '../store/actions';
import { useAppDispatch, useAppSelector } from '../store/hooks';
import { selectCanSeeDashboard, selectSettings } from '../store/session';
import { selectError, selectPlatform, selectTheme } from '../store/ui';
import { ErrorNote } from './Dialog';

const soundRows: Array<{ kind: AttentionKind; title: string; when: string; short: string }> = [
  { kind: 'new-chat', title: 'New chat', when: 'A new chat is given to you', short: 'new chat' },
  { kind: 'transfer-offer', title: 'Transfer offered to you', when: 'A colleague wants to transfer a chat to you', short: 'transfer' },
  { kind: 'message', title: 'New customer message', when: 'A customer writes in one of your chats that you are not reading', short: 'message' },
];

export const reminderChoices = [15, 30, 60, 120, 300] as const;
export const autoAwayChoices = [2, 5, 10, 15, 30, 60] as const;
export const waitTargetChoices = [30, 60, 120, 180, 300, 600] as const;
const everyLabel = (seconds: number) => (seconds < 60 ? `${seconds} seconds` : seconds === 60 ? 'minute' : `${seconds / 60} minutes`);

function SoundRow({ row, sounds }: { row: (typeof soundRows)[number]; sounds: SettingsValue['sounds'] }) {
  const dispatch = useAppDispatch();
  const volumeId = useId();
  const sound = sounds[row.kind];
  const change = (patch: Partial<SoundSetting>) => dispatch(settingsChanged({ sounds: { ...sounds, [row.kind]: { ...sound, ...patch } } }));
  const percent = Math.round(sound.volume * 100);
  return (
    <div className="sound-row">
      <label className="check">
        <input type="checkbox" checked={sound.on} onChange={(e) => change({ on: e.target.checked })} />
        <span>
          <strong>{row.title}</strong>
          <span className="hint">{row.when}</span>
        </span>
      </label>
      <div className="sound-controls">
        <label htmlFor={volumeId} className="volume-label">
          {`Volume: ${row.short}`}
        </label>
        <input
          id={volumeId}
          type="range"
          min={0}
          max={100}
          step={5}
          value={percent}
          disabled={!sound.on}
          aria-valuetext={`${percent}%`}
          onChange={(e) => change({ volume: Number(e.target.value) / 100 })}
        />
        <span className="volume-value" aria-hidden="true">{`${percent}%`}</span>
        <button type="button" className="secondary small" aria-label={`Play the ${row.short} sound`} onClick={() => dispatch(soundTested(row.kind))}>
          Play
        </button>
      </div>
    </div>
  );
}

/** One on/off setting: a checkbox whose change is sent to the core as `patch(checked)`. */
function SettingCheck({ checked, patch, children }: { checked: boolean; patch: (on: boolean) => Partial<SettingsValue>; children: ReactNode }) {
  const dispatch = useAppDispatch();
  return (
    <label className="check">
      <input type="checkbox" checked={checked} onChange={(e) => dispatch(settingsChanged(patch(e.target.checked)))} />
      <span>{children}</span>
    </label>
  );
}

export function SettingsView() {
  const dispatch = useAppDispatch();
  const titleId = useId();
  const everyId = useId();
  const awayId = useId();
  const targetId = useId();
  const dashboard = useAppSelector(selectCanSeeDashboard);
  const theme = useAppSelector(selectTheme);
  const settings = useAppSelector(selectSettings);
  const platform = useAppSelector(selectPlatform);
  const error = useAppSelector((s) => selectError(s, 'settings'));
  return (
    <section className="page settings-page" aria-labelledby={titleId}>
      <div className="page-head">
        <h2 id={titleId}>Settings</h2>
        <p className="subtitle">Kept for your account on this computer.</p>
      </div>
      <ErrorNote text={error} />
      <fieldset className="settings-group">
        <legend>Theme</legend>
        {(['system', 'light', 'dark'] as ThemeChoice[]).map((choice) => (
          <label key={choice} className="check">
            <input type="radio" name="theme" checked={theme === choice} onChange={() => dispatch(themeChosen(choice))} />
            <span>{choice === 'system' ? 'Follow the system' : choice === 'light' ? 'Light' : 'Dark'}</span>
          </label>
        ))}
      </fieldset>
      {settings ? (
        <>
          <fieldset className="settings-group">
            <legend>Notifications</legend>
            <SettingCheck checked={settings.notifyNewChats} patch={(on) => ({ notifyNewChats: on })}>
              New chats
            </SettingCheck>
            <SettingCheck checked={settings.notifyMessages} patch={(on) => ({ notifyMessages: on })}>
              New messages in chats I am not looking at
            </SettingCheck>
            <p className="hint">Transfers offered to you always notify.</p>
          </fieldset>
          <fieldset className="settings-group">
            <legend>Sounds</legend>
            {soundRows.map((row) => (
              <SoundRow key={row.kind} row={row} sounds={settings.sounds} />
            ))}
          </fieldset>
          <fieldset className="settings-group">
            <legend>Reminders</legend>
            <SettingCheck checked={settings.reminder.on} patch={(on) => ({ reminder: { ...settings.reminder, on } })}>
              Play the sound again while a transfer offer or a new chat waits for your answer
            </SettingCheck>
            <div className="inline-field">
              <label htmlFor={everyId}>Remind me every</label>
              <select
                id={everyId}
                value={settings.reminder.everySeconds}
                disabled={!settings.reminder.on}
                onChange={(e) => dispatch(settingsChanged({ reminder: { ...settings.reminder, everySeconds: Number(e.target.value) } }))}
              >
                {[...new Set([...reminderChoices, settings.reminder.everySeconds])].sort((a, b) => a - b).map((seconds) => (
                  <option key={seconds} value={seconds}>
                    {everyLabel(seconds)}
                  </option>
                ))}
              </select>
            </div>
          </fieldset>
          <fieldset className="settings-group">
            <legend>Status</legend>
            <SettingCheck checked={settings.autoAway.on} patch={(on) => ({ autoAway: { ...settings.autoAway, on } })}>
              Show me Away when I am not at the {platform === 'desktop' ? 'computer' : 'page'}
            </SettingCheck>
            <div className="inline-field">
              <label htmlFor={awayId}>Away after</label>
              <select
                id={awayId}
                value={settings.autoAway.minutes}
                disabled={!settings.autoAway.on}
                onChange={(e) => dispatch(settingsChanged({ autoAway: { ...settings.autoAway, minutes: Number(e.target.value) } }))}
              >
                {[...new Set([...autoAwayChoices, settings.autoAway.minutes])].sort((a, b) => a - b).map((minutes) => (
                  <option key={minutes} value={minutes}>
                    {minutes === 1 ? '1 minute' : `${minutes} minutes`} without activity
                  </option>
                ))}
              </select>
            </div>
            <p className="hint">
              {platform === 'desktop'
                ? 'Activity anywhere on this computer counts; a locked screen counts as away. Your own status comes back when you are active again.'
                : 'Only activity on this page counts in a browser. Your own status comes back when you are active again.'}
            </p>
          </fieldset>
          {dashboard ? (
            <fieldset className="settings-group">
              <legend>Dashboard</legend>
              <div className="inline-field">
                <label htmlFor={targetId}>Waiting time target</label>
                <select
                  id={targetId}
                  value={settings.waitTargetSeconds}
                  onChange={(e) => dispatch(settingsChanged({ waitTargetSeconds: Number(e.target.value) }))}
                >
                  {[...new Set([...waitTargetChoices, settings.waitTargetSeconds])].sort((a, b) => a - b).map((seconds) => (
                    <option key={seconds} value={seconds}>
                      {everyLabel(seconds).replace(/^minute$/, '1 minute')}
                    </option>
                  ))}
                </select>
              </div>
              <p className="hint">Waiting times past the target are shown in red, and amber from three quarters of it.</p>
            </fieldset>
          ) : null}
          {platform === 'desktop' ? (
            <fieldset className="settings-group">
              <legend>Taskbar</legend>
              <SettingCheck checked={settings.flashWindow} patch={(on) => ({ flashWindow: on })}>
                Flash the taskbar button (bounce the Dock icon on a Mac) when something needs you and Baton is not in front
              </SettingCheck>
            </fieldset>
          ) : null}
        </>
      ) : null}
    </section>
  );
}
