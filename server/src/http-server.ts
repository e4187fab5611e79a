/**
 * The HTTP server around the app, with the deadlines that protect it from
 * slow clients: a client that opens connections and trickles its headers or
 * its body (slowloris, slow POST) would otherwise hold a socket and its
 * memory for as long as it likes. Malformed HTTP, which never reaches
 * Express, still gets the JSON error shape of every other answer.
 */
import { createServer, type RequestListener, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { ServerConfig } from './config.js';

export function createHttpServer(app: RequestListener, config: Pick<ServerConfig, 'clientTimeouts'>): Server {
  const { headersMs, requestMs } = config.clientTimeouts;
  const server = createServer(
    {
      // Counts from the connection's first byte (or its opening, for a socket that sends nothing).
      headersTimeout: headersMs,
      // Counts until the whole request, body included, has arrived; not the time the answer takes.
      requestTimeout: requestMs,
      // Node checks both deadlines on this beat (default 30 s, which would make short deadlines meaningless).
      connectionsCheckingInterval: Math.max(50, Math.min(1000, Math.floor(headersMs / 5))),
    },
    app,
  );
  server.on('clientError', answerClientError);
  return server;
}

const CLIENT_ERRORS: Record<string, [number, string, string]> = {
  ERR_HTTP_REQUEST_TIMEOUT: [
    408,
    'request_timeout',
    'The request did not arrive in time: send the headers and body without pausing.',
  ],
  HPE_HEADER_OVERFLOW: [431, 'headers_too_large', 'The request headers are too large.'],
};

/** Replaces Node's bare-text answer to unparseable or too-slow requests with the server's JSON error. */
function answerClientError(error: Error & { code?: string }, socket: Socket): void {
  // A response already under way on this socket must not be corrupted by a second status line.
  const inFlight = (socket as Socket & { _httpMessage?: ServerResponse })._httpMessage;
  if (error.code !== 'ECONNRESET' && socket.writable && !inFlight?.headersSent) {
    const [status, code, message] = CLIENT_ERRORS[error.code ?? ''] ?? [
      400,
      'bad_request',
      'The request is not valid HTTP.',
    ];
    const body = JSON.stringify({ error: { code, message } });
    socket.write(
      `HTTP/1.1 ${status} ${status === 408 ? 'Request Timeout' : status === 431 ? 'Request Header Fields Too Large' : 'Bad Request'}\r\n` +
        `Content-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy();
}
