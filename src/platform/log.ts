import pino from 'pino';

/**
 * Structured JSON logs. Personal data never reaches them: request bodies, cookies, authorization
 * headers and query strings are not logged, and the redact list removes the fields that could
 * carry an ID number, a phone or a password if someone logs an object by mistake.
 */
export type Logger = pino.Logger;

export const REDACT_PATHS = [
  'password',
  '*.password',
  'idNumber',
  '*.idNumber',
  'mobile',
  '*.mobile',
  'phone',
  '*.phone',
  'req.headers.authorization',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  'secretKey',
  '*.secretKey',
];

/**
 * `node` names the process in every line (main: `<host name>:<port>`), so that the lines of several
 * nodes behind one proxy can be told apart when collected together; a request's lines carry its
 * `reqId`, which behind trusted proxies is the proxy's X-Request-Id (http/server.ts), the same on
 * whichever node answered.
 */
export function createLogger(level: string, destination?: pino.DestinationStream, node?: string): Logger {
  const opts: pino.LoggerOptions = {
    level,
    redact: { paths: REDACT_PATHS, censor: '[masked]' },
    base: node ? { app: 'tongban', node } : { app: 'tongban' },
    // Query strings can carry personal data (a search for an ID number): log the path only.
    serializers: {
      req: (req: { id?: unknown; method?: string; url?: string }) => ({
        id: req.id,
        method: req.method,
        path: (req.url ?? '').split('?')[0],
      }),
      res: (res: { statusCode?: number }) => ({ statusCode: res.statusCode }),
      err: pino.stdSerializers.err,
    },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  return destination ? pino(opts, destination) : pino(opts);
}
