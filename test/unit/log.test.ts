import { describe, expect, it } from 'vitest';
import { createLogger, memoryLogger } from '../../src/log.ts';

describe('logger', () => {
  it('never writes customer text unless told to; keeps its own keys', () => {
    const log = memoryLogger();
    log.info('turn', { text: 'my card 4111 1111 1111 1111', channel: 'slack', event: 'spoofed' });
    expect(log.lines[0]).toMatchObject({ event: 'turn', level: 'info', channel: 'slack', text_chars: 27 });
    expect(JSON.stringify(log.lines[0])).not.toContain('4111');
    const lines: string[] = [];
    createLogger({ logText: true, write: (l) => void lines.push(l) }).warn('turn', { text: 'hello' });
    expect(JSON.parse(lines[0])).toMatchObject({ level: 'warn', text: 'hello' });
  });
});
