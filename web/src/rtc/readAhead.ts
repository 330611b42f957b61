// Reading a Blob (or File) slice by slice without waiting on each read: the next slice is already
// being read while the caller works on this one. Used by the file sender and the hash worker.

/** The Blob's bytes in slices of `slice` bytes, in order, at most two slices in memory. */
export async function* readAhead(blob: Blob, slice: number): AsyncGenerator<ArrayBuffer> {
  const read = (off: number) => {
    const p = blob.slice(off, off + slice).arrayBuffer();
    p.catch(() => undefined); // a read left behind when the caller stops early must not go unhandled
    return p;
  };
  let next = blob.size > 0 ? read(0) : null;
  for (let off = 0; next; off += slice) {
    const buf = await next;
    next = off + slice < blob.size ? read(off + slice) : null;
    yield buf;
  }
}
