// Limits per party, connection caps, the hello timeout and the sign-in throttle, against one embedded relay.
import { startTestRelay } from './helpers';
import { limitsSuite } from './suites/limits';

limitsSuite(startTestRelay);
