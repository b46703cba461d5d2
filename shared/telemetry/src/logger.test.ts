import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger, logFormat, serviceLogger } from './logger.ts';

function capture(): { lines: string[]; stream: Writable } {
  const lines: string[] = [];
  return { lines, stream: new Writable({ write(chunk: Buffer, _encoding, done) { lines.push(chunk.toString().trim()); done(); } }) };
}

describe('createLogger', () => {
  it('picks pretty for a terminal, JSON elsewhere, and TIDEWATER_LOG_FORMAT over the guess', () => {
    expect(logFormat({}, true)).toBe('pretty');
    expect(logFormat({}, false)).toBe('json');
    expect(logFormat({ TIDEWATER_LOG_FORMAT: 'json' }, true)).toBe('json');
    expect(logFormat({ TIDEWATER_LOG_FORMAT: 'pretty' }, false)).toBe('pretty');
  });

  it('writes each key once for a service inside tide all', () => {
    const { lines, stream } = capture();
    const root = createLogger('tide', {}, stream);
    serviceLogger(root, 'renderer').info({ app: 'guestbook' }, 'render finished');
    expect(lines).toHaveLength(1);
    expect(lines[0].match(/"service":/g)).toHaveLength(1);
    expect(JSON.parse(lines[0])).toMatchObject({ service: 'renderer', app: 'guestbook', msg: 'render finished' });
  });
});
