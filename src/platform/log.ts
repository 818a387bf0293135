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

export function createLogger(level: string): Logger {
  return pino({
    level,
    redact: { paths: REDACT_PATHS, censor: '[masked]' },
    base: { app: 'tongban' },
    timestamp: pino.stdTimeFunctions.isoTime,
  });
}
