// Stable error codes shared by the relay, the client core and the UI, with the sentence a person reads. The table itself
// is in error-codes.ts (no zod, so the customer chat page bundles it); this module adds the schema.
import { z } from 'zod';
import { errorCodes } from './error-codes';

export { type ErrorCode, customerErrorSentence, errorCodes, errorSentences } from './error-codes';

export const ErrorCodeSchema = z.enum(errorCodes);
