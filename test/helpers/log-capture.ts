// A pino destination that keeps every line, so tests can assert on what was (and was not) logged.
import { Writable } from 'node:stream';
import { createLogger } from '../../server/platform/logger.ts';

export function captureLogs(level = 'debug') {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _enc, cb) {
      lines.push(...String(chunk).split('\n').filter(Boolean));
      cb();
    },
  });
  const logger = createLogger({ level, destination });
  return { logger, lines, text: () => lines.join('\n'), records: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>) };
}
