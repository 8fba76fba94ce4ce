// Big answers in pages and slow consumers judged over time, against one embedded relay.
import { startTestRelay } from './helpers';
import { backlogSuite } from './suites/backlog';

backlogSuite(startTestRelay);
