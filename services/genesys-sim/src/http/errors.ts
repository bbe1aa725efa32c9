import { SimApiError } from '../world/contract.js';

/** The platform's error body (reference §5.1). Every error the simulator answers has this shape. */
export interface ErrorBody {
  message: string;
  code: string;
  status: number;
  messageWithParams: string;
  messageParams: Record<string, string>;
  contextId: string;
  details: unknown[];
  errors: unknown[];
  [extra: string]: unknown;
}

/** Standard codes and messages per status (reference §5.1). */
const DEFAULTS: Record<number, { code: string; message: string }> = {
  400: {
    code: 'bad.request',
    message: 'The request could not be understood by the server due to malformed syntax.',
  },
  401: {
    code: 'authentication.required',
    message: 'No authentication bearer token specified in authorization header.',
  },
  403: { code: 'missing.permissions', message: 'You are not authorized to perform the requested action.' },
  404: { code: 'not.found', message: 'The requested resource was not found.' },
  405: { code: 'method.not.allowed', message: 'The requested method is not allowed on this resource.' },
  413: { code: 'request.entity.too.large', message: 'The request is larger than 512000 bytes.' },
  415: { code: 'unsupported.media.type', message: 'The request content type is not supported.' },
  429: { code: 'too.many.requests', message: 'Rate limit exceeded the maximum.' },
  500: { code: 'internal.server.error', message: 'The server encountered an unexpected condition.' },
  502: { code: 'bad.gateway', message: 'The server received an invalid response from an upstream server.' },
  503: { code: 'service.unavailable', message: 'Service Unavailable - The server is currently unavailable.' },
  504: { code: 'request.timeout', message: 'The request timed out.' },
};

/** A transport-level API error with a stable code; boundaries turn it into an `ErrorBody`. */
export function apiError(
  status: number,
  code?: string,
  message?: string,
  messageParams: Record<string, string> = {},
): SimApiError {
  const d = DEFAULTS[status] ?? DEFAULTS[500]!;
  return new SimApiError(status, code ?? d.code, message ?? d.message, messageParams);
}

/** Builds an `ErrorBody`; `messageWithParams` keeps `{name}` placeholders, `message` has them filled. */
export function errorBody(
  status: number,
  code: string,
  message: string,
  contextId: string,
  messageParams: Record<string, string> = {},
): ErrorBody {
  let filled = message;
  for (const [k, v] of Object.entries(messageParams)) filled = filled.split(`{${k}}`).join(v);
  return {
    message: filled,
    code,
    status,
    messageWithParams: message,
    messageParams,
    contextId,
    details: [],
    errors: [],
  };
}

/**
 * Maps anything thrown by a handler to `[status, ErrorBody]`. Never exposes a stack trace: unknown errors are 500.
 */
export function toErrorBody(err: unknown, contextId: string): ErrorBody {
  if (err instanceof SimApiError) {
    return errorBody(err.status, err.code, err.message, contextId, err.messageParams);
  }
  const fastifyCode = (err as { code?: unknown } | null)?.code;
  const statusCode = (err as { statusCode?: unknown } | null)?.statusCode;
  switch (fastifyCode) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return fromDefault(413, contextId);
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return fromDefault(415, contextId);
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return errorBody(400, 'bad.request', 'The request body is malformed.', contextId);
    default:
      break;
  }
  if (err instanceof SyntaxError || (typeof statusCode === 'number' && statusCode === 400)) {
    return errorBody(400, 'bad.request', 'The request body is not valid JSON.', contextId);
  }
  return fromDefault(500, contextId);
}

function fromDefault(status: number, contextId: string): ErrorBody {
  const d = DEFAULTS[status] ?? DEFAULTS[500]!;
  return errorBody(status, d.code, d.message, contextId);
}
