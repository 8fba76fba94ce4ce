// User and team administration by a manager's relay commands, against one embedded relay.
import { startTestRelay } from './helpers';
import { adminSuite } from './suites/admin';

adminSuite(startTestRelay);
