import { createServer, type RequestListener, type Server } from 'node:http';
import type { Duplex } from 'node:stream';

/** Errors Node's HTTP parser reports before a request reaches Express, and how each is answered. */
const CLIENT_ERRORS: Record<string, { status: number; reason: string; code: string; message: string }> = {
  HPE_HEADER_OVERFLOW: {
    status: 431,
    reason: 'Request Header Fields Too Large',
    code: 'headers_too_large',
    message: 'Request headers are too large (at most 16 KB in all)',
  },
  ERR_HTTP_REQUEST_TIMEOUT: {
    status: 408,
    reason: 'Request Timeout',
    code: 'request_timeout',
    message: 'The request was not received in time',
  },
  ERR_HTTP_HEADERS_TIMEOUT: {
    status: 408,
    reason: 'Request Timeout',
    code: 'request_timeout',
    message: 'The request headers were not received in time',
  },
};
const BAD_REQUEST = { status: 400, reason: 'Bad Request', code: 'bad_request', message: 'Malformed HTTP request' };

function rawJson(socket: Duplex, status: number, reason: string, body: Record<string, unknown>): void {
  const payload = JSON.stringify(body);
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(payload)}\r\nConnection: close\r\n\r\n${payload}`,
  );
}

/**
 * Make the errors Node's HTTP server answers by itself JSON like every other
 * error: 400 for a malformed request, 408, 431 for oversized headers, and
 * 417 for an `Expect` other than 100-continue, 405 for CONNECT.
 */
export function jsonProtocolErrors(server: Server): void {
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
    // A reset or half-written connection cannot take an answer.
    if (err.code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
      return;
    }
    const e = (err.code && CLIENT_ERRORS[err.code]) || BAD_REQUEST;
    rawJson(socket, e.status, e.reason, { error: e.message, code: e.code });
  });
  // This is not a proxy: without a listener Node would close the connection with no answer.
  server.on('connect', (req: { method?: string }, socket: Duplex) => {
    rawJson(socket, 405, 'Method Not Allowed', {
      error: `${req.method ?? 'CONNECT'} is not supported: this service is not a proxy`,
      code: 'method_not_allowed',
      allowed: ['GET', 'HEAD', 'POST', 'PUT', 'DELETE'],
    });
  });
  server.on('checkExpectation', (req, res) => {
    const body = JSON.stringify({
      error: `Unsupported Expect header ${JSON.stringify(String(req.headers.expect).slice(0, 100))}: only 100-continue is supported`,
      code: 'expectation_failed',
      allowed: ['100-continue'],
    });
    res.writeHead(417, {
      'Content-Type': 'application/json; charset=utf-8',
      'Content-Length': Buffer.byteLength(body),
      Connection: 'close',
    });
    res.end(body);
  });
}

/**
 * The API's HTTP server for `app` (not listening yet: the caller decides where). A request without
 * a Host header reaches the app, which answers it in JSON (Node's own answer is an empty 400).
 */
export function createHttpServer(app: RequestListener): Server {
  return createServer({ requireHostHeader: false }, app);
}
