// The behaviours mutation testing found unpinned, against one embedded relay (see suites/guards.ts).
import { startTestRelay } from './helpers';
import { guardsSuite } from './suites/guards';

guardsSuite(startTestRelay);
