// Races on a pending transfer against one embedded relay: both frames are fired without waiting; exactly one wins.
import { startTestRelay } from './helpers';
import { racesSuite } from './suites/races';

racesSuite(startTestRelay);
