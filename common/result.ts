// The result envelope used across every process boundary (wire answers, IPC, web bridge).
import type { ErrorCode } from './errors';

export interface BatonError {
  code: ErrorCode;
  message: string;
}

export type Result<T> = { ok: true; value: T } | { ok: false; error: BatonError };

export const ok = <T>(value: T): Result<T> => ({ ok: true, value });
export const fail = (code: ErrorCode, message: string): Result<never> => ({
  ok: false,
  error: { code, message },
});
