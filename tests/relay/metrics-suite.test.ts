// Today's figures from a day scripted over sockets, against one embedded relay.
import { startTestRelay } from './helpers';
import { metricsSuite } from './suites/metrics';

metricsSuite(startTestRelay);
