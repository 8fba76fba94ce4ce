// Races against one embedded relay: on a pending transfer (both frames fired without waiting, exactly one wins), and
// commands read in one turn.
import { startTestRelay } from './helpers';
import { racesSuite } from './suites/races';

racesSuite(startTestRelay);
