import { z } from 'zod';

/** RFC 9457 problem body, as every error answer carries it. */
export const problemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    code: z.string(),
    detail: z.string(),
    instance: z.string().optional(),
    errors: z.array(z.object({ location: z.string(), message: z.string() })).optional(),
  })
  .meta({ id: 'Problem' });

/** The problem answers every authenticated route may give. */
export const problemResponses = {
  400: problemSchema,
  401: problemSchema,
  403: problemSchema,
  404: problemSchema,
  413: problemSchema,
  415: problemSchema,
  429: problemSchema,
  503: problemSchema,
} as const;

/** An id as the store accepts it: 1-200 characters, no brace, '|', whitespace or control character. */
export const idSchema = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[^{}|\s\p{Cc}]+$/u, "must not contain braces, '|', whitespace or control characters");

export const agentParams = z.object({ id: idSchema });

export const isoTime = z.iso.datetime({ offset: true });

/** Opaque page cursor: base64url text. */
export const cursorSchema = z
  .string()
  .max(2_000)
  .regex(/^[A-Za-z0-9_-]+$/, 'must be a cursor returned by a previous page');

/** Encodes a page position as an opaque cursor. */
export function encodeCursor(value: unknown): string {
  return Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');
}

/** Decodes a cursor with `schema`; `undefined` when it is not one this API issued. */
export function decodeCursor<T>(cursor: string, schema: z.ZodType<T>): T | undefined {
  try {
    const parsed = schema.safeParse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}
