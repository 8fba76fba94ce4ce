// The sign-in screen: relay address, user name, password, Remember me; errors as sentences. Prefilled from the last
// account; what was typed stays when a sign-in fails; ws:// to another machine asks for a confirmation first.
import { type FormEvent, useEffect, useId, useRef, useState } from 'react';
import { isUnencryptedRemoteRelay } from '../../common/bridge';
import { signInSubmitted } from '../store/actions';
import { selectConnection } from '../store/connection';
import { useAppDispatch, useAppSelector } from '../store/hooks';
import { selectSaved } from '../store/session';
import { selectBusy, selectError } from '../store/ui';

const userPattern = /^[a-z][a-z0-9._-]{0,31}$/;

/** Checks the form before it goes anywhere, so the common slips get a sentence at once. */
export function checkSignInForm(form: { relayUrl: string; user: string; password: string }): string | null {
  if (!/^wss?:\/\/[^\s/]+/i.test(form.relayUrl.trim())) return 'The relay address starts with ws:// or wss://, for example ws://localhost:8080.';
  if (!userPattern.test(form.user.trim()))
    return 'A user name is 1 to 32 lower-case letters, digits, ".", "_" or "-", starting with a letter.';
  if (!form.password) return 'Enter your password.';
  return null;
}

export function SignIn() {
  const dispatch = useAppDispatch();
  const saved = useAppSelector(selectSaved);
  const busy = useAppSelector((s) => selectBusy(s, 'signIn'));
  const relayError = useAppSelector((s) => selectError(s, 'signIn'));
  const connection = useAppSelector(selectConnection);
  const [relayUrl, setRelayUrl] = useState('');
  const [user, setUser] = useState('');
  const [password, setPassword] = useState('');
  const [remember, setRemember] = useState(true);
  const [formError, setFormError] = useState<string | null>(null);
  /** the ws:// address the agent is being asked about, and the one they confirmed */
  const [askUnencrypted, setAskUnencrypted] = useState<string | null>(null);
  const [confirmedUnencrypted, setConfirmedUnencrypted] = useState<string | null>(null);
  const relayRef = useRef<HTMLInputElement>(null);
  const headingId = useId();
  const warningId = useId();

  useEffect(() => {
    if (!saved) return;
    setRelayUrl((v) => v || saved.relayUrl || '');
    setUser((v) => v || saved.user || '');
  }, [saved]);

  const connectionError =
    connection.status === 'auth-failed' || connection.status === 'version-mismatch' ? connection.message : null;
  const error = formError ?? relayError ?? connectionError;

  const send = (allowUnencrypted: boolean) =>
    dispatch(signInSubmitted({ relayUrl: relayUrl.trim(), user: user.trim(), password, remember, ...(allowUnencrypted ? { allowUnencrypted } : {}) }));

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const problem = checkSignInForm({ relayUrl, user, password });
    setFormError(problem);
    if (problem) return;
    const address = relayUrl.trim();
    const unencrypted = isUnencryptedRemoteRelay(address);
    if (unencrypted && confirmedUnencrypted !== address) {
      setAskUnencrypted(address);
      return;
    }
    send(unencrypted);
  };

  const confirmUnencrypted = () => {
    if (!askUnencrypted) return;
    setConfirmedUnencrypted(askUnencrypted);
    setAskUnencrypted(null);
    send(true);
  };

  return (
    <main className="signin">
      <form className="signin-card" aria-labelledby={headingId} onSubmit={submit} noValidate>
        <div className="signin-logo" aria-hidden="true">
          B
        </div>
        <h1 id={headingId}>Sign in to Baton</h1>
        <label className="field">
          <span>Relay address</span>
          <input
            type="url"
            value={relayUrl}
            ref={relayRef}
            onChange={(e) => {
              setRelayUrl(e.target.value);
              setAskUnencrypted(null);
            }}
            placeholder="ws://localhost:8080"
            autoComplete="url"
          />
        </label>
        <label className="field">
          <span>User name</span>
          <input value={user} onChange={(e) => setUser(e.target.value)} autoComplete="username" autoCapitalize="none" />
        </label>
        <label className="field">
          <span>Password</span>
          <input
            type="password"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            autoComplete="current-password"
          />
        </label>
        <label className="check">
          <input type="checkbox" checked={remember} onChange={(e) => setRemember(e.target.checked)} />
          <span>Remember me</span>
        </label>
        {error ? (
          <p role="alert" className="error-note">
            {error}
          </p>
        ) : null}
        {askUnencrypted ? (
          <div className="warning-note" role="alert" aria-labelledby={warningId}>
            <p id={warningId}>
              <strong>{`${askUnencrypted} is not encrypted.`}</strong>
              {' Your password and every chat would cross the network readable by anyone on the way. Ask for a wss:// address if the relay has one.'}
            </p>
            <div className="warning-actions">
              <button
                type="button"
                className="secondary"
                onClick={() => {
                  setAskUnencrypted(null);
                  relayRef.current?.focus();
                }}
              >
                Change the address
              </button>
              <button type="button" className="danger" onClick={confirmUnencrypted}>
                Sign in without encryption
              </button>
            </div>
          </div>
        ) : (
          <button type="submit" className="primary wide" disabled={busy} aria-busy={busy}>
            {busy ? 'Signing in…' : 'Sign in'}
          </button>
        )}
      </form>
    </main>
  );
}
