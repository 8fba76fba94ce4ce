// Every row of the transfer state machine in DESIGN.md, driven over real sockets against one embedded relay.
import { startTestRelay } from './helpers';
import { transferSuite } from './suites/transfer';

transferSuite(startTestRelay);
