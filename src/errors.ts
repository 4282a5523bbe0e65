/**
 * The project's one error class, {@link SwitchboardError}: a catalogued code (error-codes.ts), the kind of failure
 * and, for API errors, the HTTP status.
 */
import type { ErrorCode, ErrorKind } from './error-codes.ts';

export type { ErrorCode, ErrorKind } from './error-codes.ts';

/**
 * The one error class of the project. `code` is stable (`E_MODEL_CHECKSUM`, `E_ONNX_FEED`, …) so that callers, logs and
 * tests can match on it; the message is for humans and never contains user text.
 *
 * @example
 * throw new SwitchboardError('E_MODEL_MISSING', 'input', 'model file not found: models/x/model.onnx');
 */
export class SwitchboardError extends Error {
  /** Stable, machine-readable code, e.g. `E_MODEL_CHECKSUM` (catalogued in error-codes.ts). */
  readonly code: ErrorCode;
  /** Which side failed. */
  readonly kind: ErrorKind;
  /** The HTTP status an API answers with this error (input errors: 4xx), when it has one. */
  readonly status?: number;

  constructor(code: ErrorCode, kind: ErrorKind, message: string, options?: { cause?: unknown; status?: number }) {
    super(message, options);
    this.name = 'SwitchboardError';
    this.code = code;
    this.kind = kind;
    if (options?.status !== undefined) this.status = options.status;
  }
}

/**
 * Type guard for {@link SwitchboardError}, optionally for one code.
 * @example if (isSwitchboardError(e, 'E_MODEL_CHECKSUM')) process.exit(2);
 */
export function isSwitchboardError(e: unknown, code?: ErrorCode): e is SwitchboardError {
  return e instanceof SwitchboardError && (code === undefined || e.code === code);
}
