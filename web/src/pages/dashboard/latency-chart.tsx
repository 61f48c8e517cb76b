import { useEffect, useMemo, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { RecentAppliesQuery } from '../../gql/graphql.ts';
import { timeAxisFont, timeAxisRange, timeAxisSpace, timeTickLabels } from './time-axis.ts';

type Apply = RecentAppliesQuery['recentApplies'][number];

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;

/**
 * Save-to-apply latency of recent applies (uPlot, loaded with this page only):
 * one point per apply report, time on x, milliseconds on y. The figures above
 * it and the table below say the same for keyboard and screen-reader users.
 */
export function LatencyChart({ applies }: { applies: readonly Apply[] }) {
  const box = useRef<HTMLDivElement>(null);
  const points = useMemo(
    () => applies.filter((a) => a.latencyMs != null).map((a) => ({ t: new Date(a.appliedAt).getTime() / 1000, ms: a.latencyMs!, a })).sort((x, y) => x.t - y.t),
    [applies],
  );
  const sorted = useMemo(() => points.map((p) => p.ms).sort((a, b) => a - b), [points]);

  useEffect(() => {
    const el = box.current;
    if (!el || points.length === 0) return;
    const width = () => Math.max(240, el.clientWidth);
    const plot = new uPlot(
      {
        width: width(),
        height: 220,
        legend: { show: false },
        cursor: { drag: { x: false, y: false } },
        // The data's own bounds: for a lone point uPlot hands the range a max of
        // min + 86400 / ms (its `ms` is 1e-3 for seconds: some 2.7 years).
        scales: { x: { time: true, range: () => timeAxisRange(points[0]!.t, points[points.length - 1]!.t) }, y: { range: (_u, _min, max) => [0, Math.max(10, max * 1.15)] } },
        axes: [
          {
            stroke: '#374151',
            font: timeAxisFont,
            space: (_u, _axis, min, max) => timeAxisSpace(max - min),
            values: (u, ticks) => {
              const labels = timeTickLabels(ticks, (u.scales.x!.max ?? 0) - (u.scales.x!.min ?? 0));
              // What was drawn, for the phone spec's overlap check (canvas text is not in the DOM).
              el.dataset.xSpan = String((u.scales.x!.max ?? 0) - (u.scales.x!.min ?? 0));
              el.dataset.xLabels = JSON.stringify(ticks.map((t, i) => ({ x: u.valToPos(t, 'x'), text: labels[i] })));
              return labels;
            },
          },
          { stroke: '#374151', font: timeAxisFont, label: 'ms', size: 56 },
        ],
        series: [{}, { label: 'save to apply (ms)', stroke: '#1d4ed8', width: 1.5, points: { show: true, size: 6, fill: '#1d4ed8' } }],
      },
      [points.map((p) => p.t), points.map((p) => p.ms)],
      el,
    );
    const observer = new ResizeObserver(() => plot.setSize({ width: width(), height: 220 }));
    observer.observe(el);
    return () => { observer.disconnect(); plot.destroy(); };
  }, [points]);

  if (points.length === 0) return <p className="empty">No apply report yet: the chart fills as workers apply new versions.</p>;
  return (
    <figure className="latency-chart">
      <p data-testid="latency-summary">
        {points.length} {points.length === 1 ? 'apply' : 'applies'}: median {Math.round(percentile(sorted, 0.5))} ms, p95 {Math.round(percentile(sorted, 0.95))} ms, slowest {Math.round(sorted[sorted.length - 1]!)} ms.
      </p>
      <div ref={box} className="chart-box" role="img" aria-label={`Save-to-apply latency of the last ${points.length} applies, in milliseconds over time`} data-testid="latency-chart" />
      <details>
        <summary>Table of recent applies</summary>
        <div className="table-wrap">
          <table>
            <caption className="sr-only">Recent applies, newest first</caption>
            <thead><tr><th scope="col">Worker</th><th scope="col">Version</th><th scope="col">Applied</th><th scope="col">Latency</th></tr></thead>
            <tbody>
              {[...points].reverse().slice(0, 50).map((p) => (
                <tr key={`${p.a.worker.id}-${p.a.version}-${p.a.appliedAt}`}>
                  <td>{p.a.worker.name}</td><td>{p.a.version}</td><td><time dateTime={p.a.appliedAt}>{new Date(p.a.appliedAt).toLocaleTimeString()}</time></td><td>{Math.round(p.ms)} ms</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </details>
    </figure>
  );
}
