import { createReadStream } from 'node:fs';

export interface FileLine {
  /** The line without its newline. */
  text: string;
  /** Byte offset of the line in the file. */
  offset: number;
  /** Bytes including the newline (when terminated). */
  length: number;
  /** False for a last line without a newline (a write in progress, or cut short by a crash). */
  terminated: boolean;
}

/** Reads a file line by line with byte offsets, up to `endOffset` (exclusive) when given. */
export async function* readFileLines(path: string, options: { endOffset?: number } = {}): AsyncGenerator<FileLine> {
  if (options.endOffset === 0) return;
  const stream = createReadStream(path, {
    highWaterMark: 1 << 20,
    ...(options.endOffset !== undefined ? { end: options.endOffset - 1 } : {}),
  });
  let carry: Buffer = Buffer.alloc(0);
  let carryOffset = 0;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    const buffer = carry.length > 0 ? Buffer.concat([carry, chunk]) : chunk;
    let start = 0;
    for (;;) {
      const newline = buffer.indexOf(10, start);
      if (newline < 0) break;
      yield { text: buffer.toString('utf8', start, newline), offset: carryOffset + start, length: newline + 1 - start, terminated: true };
      start = newline + 1;
    }
    carryOffset += start;
    carry = buffer.subarray(start);
  }
  if (carry.length > 0) yield { text: carry.toString('utf8'), offset: carryOffset, length: carry.length, terminated: false };
}
