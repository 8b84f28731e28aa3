/**
 * The bank hash of `bankHash` (src/bank/bank.ts) computed while items stream past, in flat
 * memory: each parsed item's canonical JSON goes to a scratch file, only (id, offset,
 * length) stays in memory, and `hashBankItems` reads them back in id order at the end. A
 * test checks that it equals the hash the loader computes for the written bank.
 */
import { closeSync, openSync, readSync, rmSync, writeSync } from 'node:fs';
import { canonicalJson } from '../io/hash.js';
import { hashBankItems, type HashedHeader } from '../bank/bank.js';
import type { Item } from '../schema/bank.js';

export class StreamingBankHash {
  private readonly fd: number;
  private offset = 0;
  private open = true;
  private readonly index: { id: string; offset: number; length: number }[] = [];

  constructor(private readonly scratch: string) {
    this.fd = openSync(scratch, 'w+');
  }

  add(item: Item): void {
    const bytes = Buffer.from(canonicalJson(item));
    writeSync(this.fd, bytes, 0, bytes.length, this.offset);
    this.index.push({ id: item.id, offset: this.offset, length: bytes.length });
    this.offset += bytes.length;
  }

  /** Removes the scratch file without hashing (a failed import). */
  discard(): void {
    this.release();
  }

  private release(): void {
    if (this.open) closeSync(this.fd);
    this.open = false;
    rmSync(this.scratch, { force: true });
  }

  /** The hash, for the bank header fields given; removes the scratch file. */
  finish(header: HashedHeader): string {
    try {
      return hashBankItems(header, this.index, (entry) => {
        const buffer = Buffer.alloc(entry.length);
        readSync(this.fd, buffer, 0, entry.length, entry.offset);
        return buffer;
      });
    } finally {
      this.release();
    }
  }
}
