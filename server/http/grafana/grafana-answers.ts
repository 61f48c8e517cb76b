import { bucketIndex, bucketStarts, type Steps, type TimeBuckets } from '../../features/observability/index.ts';

// The two answers a /query target gives (monitoring/grafana/datasource-api.openapi.yaml):
// a time series, or a table.

/** `[value, Unix ms]` pairs, oldest first. */
export interface TimeSeriesAnswer {
  target: string;
  datapoints: [number, number][];
}

export type ColumnType = 'time' | 'string' | 'number';
export interface TableColumn {
  text: string;
  type: ColumnType;
}
/** A missing value is null (a worker that never applied anything has no applied version). */
export type Cell = string | number | null;
export interface TableAnswer {
  type: 'table';
  columns: TableColumn[];
  rows: Cell[][];
}

export type QueryAnswer = TimeSeriesAnswer | TableAnswer;

/** A series from one value per bucket; a bucket without a value has no point (nothing is made up). */
export function seriesFromSteps(target: string, buckets: TimeBuckets, steps: Steps): TimeSeriesAnswer {
  const starts = bucketStarts(buckets);
  const datapoints: [number, number][] = [];
  steps.forEach((value, i) => {
    if (value !== null && Number.isFinite(value)) datapoints.push([value, starts[i]!]);
  });
  return { target, datapoints };
}

/** A series from sparse (bucket start, value) points, sorted; every bucket without one is `fill` when given, absent otherwise. */
export function seriesFromPoints(target: string, buckets: TimeBuckets, points: { bucket: number; value: number }[], fill?: number): TimeSeriesAnswer {
  if (fill === undefined) {
    return { target, datapoints: points.map(({ bucket, value }): [number, number] => [value, bucket]).sort((a, b) => a[1] - b[1]) };
  }
  const byIndex = new Map(points.map(({ bucket, value }) => [bucketIndex(buckets, bucket), value]));
  return { target, datapoints: bucketStarts(buckets).map((start, i): [number, number] => [byIndex.get(i) ?? fill, start]) };
}

/** A table from column definitions and one object per row. */
export function table<Row>(columns: readonly { text: string; type: ColumnType; value: (row: Row) => Cell }[], rows: readonly Row[]): TableAnswer {
  return {
    type: 'table',
    columns: columns.map(({ text, type }) => ({ text, type })),
    rows: rows.map((row) => columns.map((column) => column.value(row))),
  };
}

/** A date as a table's time cell (Unix ms), null when missing. */
export const timeCell = (date: Date | null | undefined): number | null => (date ? date.getTime() : null);
