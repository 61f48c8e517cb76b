// The latency chart's time axis. uPlot's automatic range for a single point
// (min === max) spans years (Dec 2026 to Aug 2029 was seen), and its default
// two-line date labels overlap on a phone. The range is padded around the data
// instead, and the labels are one line, as short as the span allows, spaced by
// their own length.

/** The font the axis is drawn in (the spec measures labels with it). */
export const timeAxisFont = '12px system-ui, sans-serif';

/** At least one minute around a lone point; 2 % either side of a real span. */
export function timeAxisRange(min: number, max: number): [number, number] {
  const span = max - min;
  if (!(span >= 60)) {
    const middle = (min + max) / 2;
    return [middle - 30, middle + 30];
  }
  const pad = span * 0.02;
  return [min - pad, max + pad];
}

type Precision = 'seconds' | 'minutes' | 'days';
const precisionFor = (spanSeconds: number): Precision => (spanSeconds < 600 ? 'seconds' : spanSeconds <= 86_400 ? 'minutes' : 'days');

const formats: Record<Precision, Intl.DateTimeFormatOptions> = {
  seconds: { hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false },
  minutes: { hour: '2-digit', minute: '2-digit', hour12: false },
  days: { day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit', hour12: false },
};

/** Tick labels for the scale's span (seconds since the epoch in, one line each out). */
export function timeTickLabels(ticks: readonly number[], spanSeconds: number): string[] {
  const format = new Intl.DateTimeFormat(undefined, formats[precisionFor(spanSeconds)]);
  return ticks.map((t) => format.format(new Date(t * 1000)));
}

/** The least room between ticks, in CSS pixels: a label's width at that precision plus a gap. */
export function timeAxisSpace(spanSeconds: number): number {
  return { seconds: 84, minutes: 64, days: 128 }[precisionFor(spanSeconds)];
}
