import { randomUUID } from 'node:crypto';
import type { Socket } from 'node:net';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { errorBody } from './errors.js';

/**
 * Answers a request Node's HTTP parser refused (bad request line, bad header, headers or URL over the size limit,
 * timeout) with an `ErrorBody` and `inin-correlation-id`, then closes the connection. Given to Fastify as
 * `clientErrorHandler`.
 */
export function answerClientError(err: Error & { code?: string }, socket: Socket): void {
  if (err.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy();
    return;
  }
  const [status, code, message] =
    err.code === 'HPE_HEADER_OVERFLOW'
      ? [431, 'request.header.fields.too.large', 'The request line or headers exceed the size limit.']
      : err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? [408, 'client.timeout', 'The request was not received in time.']
        : [400, 'bad.request', 'The request is not valid HTTP.'];
  const id = randomUUID();
  const body = JSON.stringify(errorBody(status, code, message, id));
  const reason = { 400: 'Bad Request', 408: 'Request Timeout', 431: 'Request Header Fields Too Large' }[
    status
  ];
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nconnection: close\r\ncontent-type: application/json; charset=utf-8\r\n` +
      `content-length: ${Buffer.byteLength(body)}\r\ninin-correlation-id: ${id}\r\n\r\n${body}`,
  );
}

/**
 * Answers errors Fastify raises before routing (a URL whose percent-encoding does not decode) with a 400
 * `ErrorBody`. Given to Fastify as `frameworkErrors`; the `onRequest` hooks have not run yet.
 */
export function answerFrameworkError(_err: Error, req: FastifyRequest, reply: FastifyReply): void {
  const id = req.correlationId || randomUUID();
  void reply
    .code(400)
    .header('inin-correlation-id', id)
    .send(errorBody(400, 'bad.request', 'The request URL is not valid (bad percent-encoding).', id));
}
