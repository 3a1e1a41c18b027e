/** Gzip recognised by content (the magic bytes 1f 8b), not by file name: rotated logs are often misnamed. */
import { closeSync, openSync, readSync } from 'node:fs';

/** Whether `bytes` start with the gzip magic bytes. */
export function startsAsGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/** Whether the file starts with the gzip magic bytes. */
export function isGzipFile(file: string): boolean {
  const fd = openSync(file, 'r');
  try {
    const head = Buffer.alloc(2);
    return readSync(fd, head, 0, 2, 0) === 2 && startsAsGzip(head);
  } finally {
    closeSync(fd);
  }
}
