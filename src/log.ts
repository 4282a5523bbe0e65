/**
 * The server's log: one JSON object per line on stderr. Customer text is never a field unless `SWITCHBOARD_LOG_TEXT`
 * is on (the caller passes `text` and this module drops it otherwise): by default a line carries ids, sizes, codes.
 */
export interface Logger {
  info(event: string, fields?: Record<string, unknown>): void;
  warn(event: string, fields?: Record<string, unknown>): void;
  error(event: string, fields?: Record<string, unknown>): void;
}

export interface LoggerOptions {
  /** Keep `text` fields (customer text); default false. */
  logText?: boolean;
  /** Where lines go (default stderr). */
  write?: (line: string) => void;
}

/** A JSON-lines logger that drops `text` fields unless told otherwise. */
export function createLogger(options: LoggerOptions = {}): Logger {
  const write = options.write ?? ((line: string) => process.stderr.write(line));
  const emit = (level: string, event: string, fields: Record<string, unknown> = {}) => {
    const { text, ...rest } = fields;
    const line: Record<string, unknown> = { ...rest, t: new Date().toISOString(), level, event };
    if (text !== undefined) {
      if (options.logText) line.text = text;
      else if (typeof text === 'string') line.text_chars = text.length;
    }
    write(`${JSON.stringify(line)}\n`);
  };
  return {
    info: (e, f) => emit('info', e, f),
    warn: (e, f) => emit('warn', e, f),
    error: (e, f) => emit('error', e, f),
  };
}

/** A logger that keeps its lines (tests). */
export function memoryLogger(): Logger & { lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  return Object.assign(createLogger({ write: (l) => void lines.push(JSON.parse(l) as Record<string, unknown>) }), {
    lines,
  });
}
