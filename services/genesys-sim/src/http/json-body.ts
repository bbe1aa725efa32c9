import { apiError } from './errors.js';

/** Deepest nesting of arrays and objects a JSON body may have. Real request bodies nest a few levels. */
export const MAX_JSON_DEPTH = 64;

/**
 * The charset of a JSON `Content-Type`, lower-cased and unquoted; `utf-8` when none is given (RFC 8259: JSON
 * exchanged between systems is UTF-8). 415 `unsupported.media.type` for any other charset.
 */
export function requireUtf8(contentType: string | undefined): void {
  const m = /;\s*charset\s*=\s*("?)([^";\s]*)\1/i.exec(contentType ?? '');
  const charset = (m?.[2] ?? 'utf-8').toLowerCase();
  if (charset !== 'utf-8' && charset !== 'utf8') {
    throw apiError(415, 'unsupported.media.type', 'JSON bodies must be UTF-8; got charset {charset}.', {
      charset,
    });
  }
}

/**
 * Parses a JSON body. `undefined` for an empty body; 400 `bad.request` for text that is not JSON or nests deeper
 * than `MAX_JSON_DEPTH` (checked in one pass before parsing, so no later step recurses into a hostile body).
 */
export function parseJsonBody(text: string): unknown {
  if (text.trim() === '') return undefined;
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) {
      inString = true;
    } else if (c === 0x5b || c === 0x7b) {
      if (++depth > MAX_JSON_DEPTH) {
        throw apiError(400, 'bad.request', 'The request body nests deeper than {max} levels.', {
          max: String(MAX_JSON_DEPTH),
        });
      }
    } else if (c === 0x5d || c === 0x7d) {
      depth--;
    }
  }
  try {
    return JSON.parse(text);
  } catch {
    throw apiError(400, 'bad.request', 'The request body is not valid JSON.');
  }
}
