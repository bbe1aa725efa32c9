import type { SwaggerTransformObject } from '@fastify/swagger';
import { jsonSchemaTransformObject } from 'fastify-type-provider-zod';

type Responses = Record<string, { content?: Record<string, unknown> } | undefined>;
type RequestBody = {
  required?: boolean;
  content?: Record<string, { schema?: { anyOf?: { type?: unknown }[] } }>;
};
type Paths = Record<
  string,
  Record<string, { responses?: Responses; requestBody?: RequestBody } | undefined> | undefined
>;

/**
 * The zod transform of the whole document, then every problem answer (status 4xx/5xx with the Problem schema)
 * documented with the media type it is sent with: `application/problem+json` (RFC 9457). A body whose schema
 * accepts `null` may be left out entirely (Fastify hands the route `null`), so it is documented as optional.
 */
export const transformObject: SwaggerTransformObject = (input) => {
  const doc = jsonSchemaTransformObject(input) as { paths?: Paths };
  for (const ops of Object.values(doc.paths ?? {})) {
    for (const op of Object.values(ops ?? {})) {
      const bodySchema = op?.requestBody?.content?.['application/json']?.schema;
      if (op?.requestBody !== undefined && bodySchema?.anyOf?.some((s) => s.type === 'null') === true) {
        op.requestBody.required = false;
      }
      for (const [status, response] of Object.entries(op?.responses ?? {})) {
        const json = response?.content?.['application/json'] as { schema?: { $ref?: string } } | undefined;
        const isProblem = json?.schema?.$ref?.endsWith('/Problem') === true;
        if (Number(status) < 400 || response?.content === undefined || !isProblem) continue;
        response.content = { 'application/problem+json': json };
      }
    }
  }
  return doc as ReturnType<SwaggerTransformObject>;
};
