// Keeps the page's frames under the relay's rate limit, so a long paste is never dropped by the relay: a token bucket
// like the relay's own (relay/server.ts), with some headroom, through which every frame the page sends passes.

export interface Limits {
  perSecond: number;
  burst: number;
}

export class Pacer {
  private tokens: number;
  private refilledAt: number;
  private readonly rate: number;
  private readonly burst: number;

  constructor(limits: Limits, private readonly now: () => number = Date.now) {
    // headroom: the relay's bucket started full at connect and the page's clock is not the relay's
    this.rate = Math.max(1, limits.perSecond * 0.8);
    this.burst = Math.max(1, Math.floor(limits.burst / 2));
    this.tokens = this.burst;
    this.refilledAt = now();
  }

  /** Takes a token and answers 0, or answers how many ms until one is free (taking nothing). */
  take(): number {
    const now = this.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.refilledAt) / 1000) * this.rate);
    this.refilledAt = now;
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return 0;
    }
    return Math.ceil(((1 - this.tokens) / this.rate) * 1000);
  }
}

/**
 * Splits a text longer than the relay takes in one message into consecutive pieces, at line ends where it can, so
 * a long paste arrives whole and in order.
 */
export function splitForSending(text: string, max: number): string[] {
  const pieces: string[] = [];
  let rest = text;
  while (rest.length > max) {
    const cut = rest.lastIndexOf('\n', max);
    const at = cut > max / 2 ? cut : max;
    pieces.push(rest.slice(0, at).trimEnd());
    rest = rest.slice(at).replace(/^\n/, '');
  }
  if (rest.trim()) pieces.push(rest);
  return pieces.filter((piece) => piece.trim().length > 0);
}
