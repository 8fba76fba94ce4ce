// Queue counters per team: how many chats wait, the longest wait against the target, who could take them now.
import { useId } from 'react';
import { selectQueues } from '../../store/dashboard';
import { useAppSelector } from '../../store/hooks';
import { Waited } from './Waited';

export function QueuesPanel({ now, targetSeconds }: { now: number; targetSeconds: number }) {
  const queues = useAppSelector(selectQueues);
  const queuesTitle = useId();
  return (
    <div className="panel">
      <h3 id={queuesTitle}>Queues</h3>
      <table aria-labelledby={queuesTitle} className="queue-table">
        <thead>
          <tr>
            <th scope="col">Team</th>
            <th scope="col" className="num">
              Waiting
            </th>
            <th scope="col" className="num">
              Longest wait
            </th>
            <th scope="col" className="num">
              Ready
            </th>
          </tr>
        </thead>
        <tbody>
          {queues.map((q) => (
            <tr key={q.team?.id ?? ''} className={q.waiting ? 'has-waiting' : ''}>
              <th scope="row">{q.team ? <bdi>{q.team.name}</bdi> : 'No team'}</th>
              <td className="num">{q.waiting}</td>
              <td className="num">
                <Waited ms={q.oldest === null ? null : now - q.oldest} targetSeconds={targetSeconds} />
              </td>
              <td className="num" title="Members Present with room for a chat, of all members">
                {q.ready} of {q.members}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
