import type { FastifyInstance, FastifyReply, FastifyRequest, HTTPMethods } from 'fastify';

export type Handler = (req: FastifyRequest, reply: FastifyReply) => unknown;

/** Registers routes and remembers which methods each path pattern has, to answer 405 instead of 404. */
export interface RouteTable {
  /** Registers a JSON route: the handler's return value is sent with 200, `undefined` as 204. */
  add(method: HTTPMethods, path: string, handler: Handler, status?: number): void;
  /** Methods registered for a concrete path (empty when the path is unknown). */
  methodsFor(path: string): string[];
}

export function createRouteTable(app: FastifyInstance): RouteTable {
  const patterns: Array<{ re: RegExp; methods: Set<string> }> = [];
  const byPath = new Map<string, Set<string>>();
  return {
    add(method, path, handler, status = 200) {
      let methods = byPath.get(path);
      if (!methods) {
        methods = new Set();
        byPath.set(path, methods);
        const re = new RegExp(`^${path.replace(/[.]/g, '\\.').replace(/:[A-Za-z]+/g, '[^/]+')}/?$`);
        patterns.push({ re, methods });
      }
      methods.add(method);
      app.route({
        method,
        url: path,
        handler: async (req, reply) => {
          const body = await handler(req, reply);
          if (reply.sent) return reply;
          if (body === undefined) return reply.code(status === 200 ? 204 : status).send();
          return reply.code(status).send(body);
        },
      });
    },
    methodsFor(path) {
      const out = new Set<string>();
      for (const p of patterns) if (p.re.test(path)) for (const m of p.methods) out.add(m);
      return [...out];
    },
  };
}
