// A waiting time, coloured against the Dashboard's target and saying so in words (colour is never the only sign).
import { formatDuration } from '../../lib/format';
import { waitLevel } from '../../store/dashboard';

export function Waited({ ms, targetSeconds }: { ms: number | null; targetSeconds: number }) {
  if (ms === null) return '—';
  const level = waitLevel(ms, targetSeconds);
  return (
    <span className={`wait wait-${level}`}>
      {formatDuration(ms)}
      {level === 'over' ? <span className="visually-hidden"> (over the target)</span> : null}
      {level === 'near' ? <span className="visually-hidden"> (near the target)</span> : null}
    </span>
  );
}
