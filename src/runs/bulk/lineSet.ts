/** A set of line numbers as a growable bitmap: 1 bit per line, so a resume of ten million lines needs 1.25 MB. */
export class LineSet {
  private bits = new Uint8Array(1024);
  private count = 0;

  add(line: number): void {
    const byte = line >> 3;
    if (byte >= this.bits.length) {
      const grown = new Uint8Array(Math.max(byte + 1, this.bits.length * 2));
      grown.set(this.bits);
      this.bits = grown;
    }
    const mask = 1 << (line & 7);
    if (!(this.bits[byte] & mask)) {
      this.bits[byte] |= mask;
      this.count++;
    }
  }

  delete(line: number): void {
    const byte = line >> 3;
    const mask = 1 << (line & 7);
    if (byte < this.bits.length && this.bits[byte] & mask) {
      this.bits[byte] &= ~mask;
      this.count--;
    }
  }

  has(line: number): boolean {
    const byte = line >> 3;
    return byte < this.bits.length && (this.bits[byte] & (1 << (line & 7))) !== 0;
  }

  get size(): number {
    return this.count;
  }
}
