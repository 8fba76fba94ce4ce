// The customer side (queue position, pre-chat form, rating, offline form) against one embedded relay.
import { startTestRelay } from './helpers';
import { customerSuite } from './suites/customer';

customerSuite(startTestRelay);
