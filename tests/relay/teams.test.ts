// Teams against one embedded relay: routing per team, capacity, Busy, auto-away, the team offer and its races.
import { startTestRelay } from './helpers';
import { teamsSuite } from './suites/teams';

teamsSuite(startTestRelay);
