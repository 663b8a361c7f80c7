import type { LoggerService } from '@nestjs/common';
import pino, { type Logger } from 'pino';

/** Keys whose values never reach a log line. */
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["access-token"]',
  'headers.authorization',
  'access_token',
  'refresh_token',
  '*.access_token',
  '*.refresh_token',
  '*.accessToken',
  '*.refreshToken',
  'accessToken',
  'refreshToken',
  'secret',
  'client_secret',
];

export function createRootLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'echo-tiktok' },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      formatters: { level: (label) => ({ level: label }) },
    },
    destination,
  );
}

/** Nest's framework contexts that narrate start-up: about 70 lines at `info` otherwise. */
const NEST_START_UP = new Set(['NestFactory', 'InstanceLoader', 'RoutesResolver', 'RouterExplorer', 'NestApplication']);

/** Nest's logger interface on top of pino: one JSON line per entry. */
export class PinoNestLogger implements LoggerService {
  constructor(private readonly root: Logger) {}

  private write(level: 'info' | 'error' | 'warn' | 'debug' | 'trace', message: unknown, context?: unknown, extra?: Record<string, unknown>): void {
    const ctx = typeof context === 'string' ? context : undefined;
    if (message instanceof Error) {
      this.root[level]({ context: ctx, err: { name: message.name, message: message.message, stack: message.stack }, ...extra }, message.message);
    } else if (typeof message === 'object' && message !== null) {
      this.root[level]({ context: ctx, ...(message as Record<string, unknown>), ...extra });
    } else {
      this.root[level]({ context: ctx, ...extra }, String(message));
    }
  }

  log(message: unknown, context?: unknown): void {
    // Nest's own start-up chatter (a line per module and per route) is for debugging, not for a person
    this.write(typeof context === 'string' && NEST_START_UP.has(context) ? 'debug' : 'info', message, context);
  }
  error(message: unknown, stackOrContext?: unknown, context?: unknown): void {
    const ctx = context ?? stackOrContext;
    const stack = context !== undefined && typeof stackOrContext === 'string' ? stackOrContext : undefined;
    this.write('error', message, ctx, stack ? { stack } : undefined);
  }
  warn(message: unknown, context?: unknown): void {
    this.write('warn', message, context);
  }
  debug(message: unknown, context?: unknown): void {
    this.write('debug', message, context);
  }
  verbose(message: unknown, context?: unknown): void {
    this.write('trace', message, context);
  }
}
