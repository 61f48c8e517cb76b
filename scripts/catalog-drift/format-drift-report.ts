import type { DriftReport } from './compare-drift.ts';
import type { DriftCatalog } from './drift-catalog.ts';
import type { ParameterReference } from './parameter-reference.ts';
import type { SourceScan } from './scan-sources.ts';

const where = (r: Pick<ParameterReference, 'file' | 'line' | 'column'>) => `${r.file}:${r.line}:${r.column}`;

/** The report a developer reads in CI: each offender on its own line, with file and line where there is one. */
export function formatDriftReport(catalog: DriftCatalog, scan: SourceScan, report: DriftReport): string {
  const lines: string[] = [];
  const failing = report.unknown.length + report.unconsumed.length;
  lines.push(`catalog drift: ${failing === 0 ? 'none' : `${failing} problem${failing === 1 ? '' : 's'}`}`
    + ` (catalog: ${catalog.source}, ${catalog.entries.length} entries, ${report.consumedOutside} declared consumed outside;`
    + ` scanned ${scan.files.typescript} TypeScript and ${scan.files.python} Python files: ${scan.references.length} references to ${report.consumedHere} catalog entries)`);
  if (report.unknown.length) {
    lines.push('', 'referenced in code but absent from the catalog (add the entry, or fix the name):');
    for (const r of report.unknown) lines.push(`  ${where(r)}  ${r.name}  (${r.via})`);
  }
  if (report.unconsumed.length) {
    lines.push('', 'catalog entries nothing consumes (read them, deprecate them, or declare consumedOutside if code outside these sources reads them):');
    for (const e of report.unconsumed) lines.push(`  catalog: ${e.name}  (group ${e.group})`);
  }
  if (report.deprecated.length) {
    lines.push('', 'warning: deprecated parameters still referenced:');
    for (const r of report.deprecated) lines.push(`  ${where(r)}  ${r.name}  (${r.via})`);
  }
  if (scan.dynamic.length) {
    lines.push('', 'note: reads whose name is not a literal (not checked):');
    for (const d of scan.dynamic) lines.push(`  ${where(d)}  ${d.via}`);
  }
  return lines.join('\n');
}
