// Notes, attachments, canned replies, requests and written times against one embedded relay.
import { startTestRelay } from './helpers';
import { toolsSuite } from './suites/tools';

toolsSuite(startTestRelay);
