/**
 * Error catalogue of the admin API. Every problem the API answers comes from `PROBLEMS`: a stable `code`, a
 * fixed `title` and an HTTP status. Bodies are RFC 9457 `application/problem+json`:
 * `{ type, title, status, code, detail, instance?, errors? }`.
 */

export const PROBLEMS = {
  VALIDATION_FAILED: { status: 400, title: 'The request is not valid' },
  MALFORMED_BODY: { status: 400, title: 'The request body cannot be read' },
  UNAUTHORIZED: { status: 401, title: 'Authentication is required' },
  FORBIDDEN: { status: 403, title: 'The key lacks the scope this route needs' },
  NOT_FOUND: { status: 404, title: 'No such resource' },
  METHOD_NOT_ALLOWED: { status: 405, title: 'Method not allowed' },
  CONFLICT: { status: 409, title: 'The resource is not in a state that allows this' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, title: 'Unsupported media type' },
  PAYLOAD_TOO_LARGE: { status: 413, title: 'The request body is too large' },
  URL_REFUSED: { status: 422, title: 'The webhook URL is refused' },
  RATE_LIMITED: { status: 429, title: 'Too many requests' },
  SERVICE_UNAVAILABLE: { status: 503, title: 'The service is temporarily unavailable' },
  INTERNAL: { status: 500, title: 'Internal error' },
} as const satisfies Record<string, { status: number; title: string }>;

export type ProblemCode = keyof typeof PROBLEMS;

/** One problem of a request (a validation issue): where, and what is wrong. */
export interface ProblemItem {
  readonly location: string;
  readonly message: string;
}

/** An error the API answers as a problem body. Throw it from handlers; the error handler renders it. */
export class ApiError extends Error {
  readonly code: ProblemCode;
  readonly status: number;
  readonly title: string;
  readonly errors: readonly ProblemItem[] | undefined;

  constructor(
    code: ProblemCode,
    detail: string,
    options?: { errors?: readonly ProblemItem[]; cause?: unknown },
  ) {
    super(detail, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ApiError';
    this.code = code;
    this.status = PROBLEMS[code].status;
    this.title = PROBLEMS[code].title;
    this.errors = options?.errors;
  }
}

/** The configuration is invalid. `problems` lists EVERY problem found (`VARIABLE: message`). */
export class ConfigError extends Error {
  readonly code = 'ADMIN_API_CONFIG_INVALID';
  readonly problems: readonly string[];

  constructor(problems: readonly string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
    this.problems = Object.freeze([...problems]);
  }
}
