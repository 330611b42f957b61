// File-transfer feedback words (PROTOCOL.md §7.6 step 7): 4-byte big-endian byte counts, which may
// arrive split or coalesced, so the reader buffers a partial word across messages.

export class FeedbackWordReader {
  private partial = new Uint8Array(4);
  private partialLen = 0;

  /** Feeds one received message; returns the complete words it finished. */
  push(data: ArrayBuffer | Uint8Array): number[] {
    const b = data instanceof Uint8Array ? data : new Uint8Array(data);
    const words: number[] = [];
    for (let i = 0; i < b.length; i++) {
      this.partial[this.partialLen++] = b[i];
      if (this.partialLen === 4) {
        const p = this.partial;
        words.push(((p[0] << 24) >>> 0) + (p[1] << 16) + (p[2] << 8) + p[3]);
        this.partialLen = 0;
      }
    }
    return words;
  }
}

export function encodeWord(n: number): ArrayBuffer {
  return encodeWords([n]);
}

/** Several words in one message: senders read the replies as a stream of words (§7.6 rule 7). */
export function encodeWords(ns: readonly number[]): ArrayBuffer {
  const buf = new ArrayBuffer(4 * ns.length);
  const v = new DataView(buf);
  ns.forEach((n, i) => v.setUint32(4 * i, n >>> 0, false));
  return buf;
}
