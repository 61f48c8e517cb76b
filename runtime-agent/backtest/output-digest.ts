import { createHash } from 'node:crypto';
import type { Decision } from '../paper-worker/decision-engine.ts';

/** JSON with object keys sorted at every depth: the same decision is the same bytes, whatever built it. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

/**
 * sha256 over the backtest's outputs: one canonical JSON line per decision
 * (its symbol, the candle, the action and reason, the score, the values it
 * used and the trade it made), in order, symbol by symbol. Numbers are
 * JavaScript's shortest round-trip form, so equal doubles are equal text.
 */
export function createOutputDigest() {
  const hash = createHash('sha256');
  let decisions = 0;
  let trades = 0;
  return {
    add(symbol: string, decision: Decision): void {
      hash.update(`${canonicalJson({ symbol, ...decision })}\n`);
      decisions += 1;
      if (decision.trade) trades += 1;
    },
    /** `sha256:<hex>`; call once. */
    finish(): { outputDigest: string; decisions: number; trades: number } {
      return { outputDigest: `sha256:${hash.digest('hex')}`, decisions, trades };
    },
  };
}
