import type { ParameterProblem } from '../src/index.ts';

export type BacktestErrorCode =
  /** The spec (symbols, candles, history, seed) is out of bounds, or a run carries none. */
  | 'INVALID_SPEC'
  /** No parameter set of that hash the token may read. */
  | 'PARAMETER_SET_NOT_FOUND'
  /** The set lacks a parameter the strategy consumes, or holds one deprecated or invalid (ADR-25: no silent default). */
  | 'PARAMETER_SET_INCOMPLETE'
  /** Someone else moved the run first (another executor claimed it). */
  | 'CLAIMED'
  /** The API refused or failed a request. */
  | 'API_ERROR'
  /** Stopped before it finished (the process is shutting down). */
  | 'ABORTED';

/** Why a backtest did not run or did not finish; the CLI exits non-zero with its message. */
export class BacktestError extends Error {
  constructor(readonly code: BacktestErrorCode, message: string, readonly problems: readonly ParameterProblem[] = []) {
    super(message);
    this.name = 'BacktestError';
  }
}
