import PDFDocument from 'pdfkit';
import { drawTable, ensureSpace, textWidth } from './pdf-table.ts';
import type { RunReportContent } from './run-report-content.ts';

const ink = '#1f2933';
const muted = '#52606d';
const verdictColour: Record<string, string> = { STRICT: '#1e7b34', RELAXED: '#9a6700', FORBIDDEN: '#b42318' };

function heading(doc: PDFKit.PDFDocument, title: string, note?: string) {
  ensureSpace(doc, 60);
  doc.moveDown(0.4).fillColor(ink).font('Helvetica-Bold').fontSize(12.5).text(title, doc.page.margins.left);
  if (note) doc.fillColor(muted).font('Helvetica').fontSize(8.5).text(note);
  doc.moveDown(0.35);
}

const keyValue = (doc: PDFKit.PDFDocument, rows: [string, string][]) =>
  drawTable(doc, { header: false, columns: [{ header: '', share: 0.26 }, { header: '', share: 0.74, mono: false }], rows, fontSize: 8.5 });

/**
 * Lays a run's report out on A4 pages (pdfkit with its built-in fonts, no
 * files read): a title block, key/value tables, every parameter by display
 * group, and on each page a running header and "Page n of m".
 */
export function renderRunReport(content: RunReportContent, { generatedAt = new Date(), generatedBy }: { generatedAt?: Date; generatedBy: string }): Promise<Buffer> {
  const doc = new PDFDocument({
    size: 'A4',
    margins: { top: 62, bottom: 58, left: 50, right: 50 },
    bufferPages: true,
    info: { Title: `Run report: ${content.title}`, Author: 'Unified Configuration Platform', Subject: 'Run lineage and parameter set', Creator: 'UCP' },
  });
  const chunks: Buffer[] = [];
  doc.on('data', (chunk: Buffer) => chunks.push(chunk));
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });

  // Title block.
  doc.fillColor(muted).font('Helvetica').fontSize(9).text('UNIFIED CONFIGURATION PLATFORM · RUN REPORT');
  doc.moveDown(0.2).fillColor(ink).font('Helvetica-Bold').fontSize(20).text(content.title);
  doc.moveDown(0.2).fillColor(muted).font('Helvetica').fontSize(9)
    .text(`Generated ${generatedAt.toISOString().replace('T', ' ').slice(0, 19)} UTC for ${generatedBy}`);
  const top = doc.y + 6;
  doc.moveTo(doc.page.margins.left, top).lineTo(doc.page.margins.left + textWidth(doc), top).lineWidth(1.2).strokeColor(ink).stroke();
  doc.y = top + 8;

  heading(doc, 'Run');
  keyValue(doc, content.run);

  heading(doc, 'Comparability with the baseline');
  if (content.baseline) {
    keyValue(doc, content.baseline.fields);
    const verdict = content.baseline.fields.find(([label]) => label === 'Verdict')?.[1] ?? '';
    doc.fillColor(verdictColour[verdict] ?? ink).font('Helvetica-Bold').fontSize(10).text(`Verdict: ${verdict}`).moveDown(0.3);
    drawTable(doc, {
      columns: [{ header: 'Allows', share: 0.12 }, { header: 'Reason', share: 0.27 }, { header: 'Where', share: 0.21, mono: true }, { header: 'Why', share: 0.4 }],
      rows: content.baseline.reasons,
    });
  } else {
    doc.fillColor(muted).font('Helvetica').fontSize(9).text('No baseline was chosen (add ?baseline=<run id> to the report\'s address).').moveDown(0.6);
  }

  heading(doc, 'Parameter set');
  keyValue(doc, content.parameterSet);

  heading(doc, 'Code version');
  if (content.code) {
    keyValue(doc, [['Commit', content.code.commit]]);
    if (content.code.packages.length) drawTable(doc, { columns: [{ header: 'Package', share: 0.5 }, { header: 'Version', share: 0.5, mono: true }], rows: content.code.packages });
  } else {
    doc.fillColor(muted).font('Helvetica').fontSize(9).text('Free-form code version (frozen before typed code versions).').moveDown(0.6);
  }

  heading(doc, 'Config version: who changed what and why');
  if (content.configVersion) {
    keyValue(doc, content.configVersion.fields);
    if (content.configVersion.changes.length) {
      drawTable(doc, {
        columns: [{ header: 'Parameter', share: 0.4, mono: true }, { header: 'Before', share: 0.3, mono: true }, { header: 'After', share: 0.3, mono: true }],
        rows: content.configVersion.changes,
      });
    }
  } else {
    doc.fillColor(muted).font('Helvetica').fontSize(9).text('A legacy run: no environment version is pinned.').moveDown(0.6);
  }

  heading(doc, 'Experimental factors');
  if (content.factors.length) {
    drawTable(doc, { columns: [{ header: 'Parameter', share: 0.4, mono: true }, { header: 'Variant', share: 0.3, mono: true }, { header: 'Base value', share: 0.3, mono: true }], rows: content.factors });
  } else {
    doc.fillColor(muted).font('Helvetica').fontSize(9).text('None: the run applies the frozen values as they are.').moveDown(0.6);
  }

  heading(doc, `Parameter values (${content.parameterCount.toLocaleString('en-US')}, by display group)`);
  for (const group of content.groups) {
    ensureSpace(doc, 48);
    doc.fillColor(ink).font('Helvetica-Bold').fontSize(10).text(`${group.name} (${group.values.length})`, doc.page.margins.left).moveDown(0.25);
    drawTable(doc, {
      // Wide enough for the longest catalog names (55 characters at 7 pt) on one line.
      columns: [{ header: 'Parameter', share: 0.5, mono: true }, { header: 'Value', share: 0.34, mono: true }, { header: 'Variant', share: 0.16, mono: true }],
      rows: group.values,
      fontSize: 7,
    });
  }

  // Running header and page numbers, once the number of pages is known. The
  // bottom margin is lifted while writing them, else pdfkit would start a page.
  const { start, count } = doc.bufferedPageRange();
  for (let i = start; i < start + count; i++) {
    doc.switchToPage(i);
    const { left, right, bottom } = doc.page.margins;
    const width = doc.page.width - left - right;
    doc.page.margins.bottom = 0;
    doc.fillColor(muted).font('Helvetica').fontSize(7.5);
    if (i > start) doc.text(`Run report · ${content.title}`, left, 30, { width, lineBreak: false, ellipsis: true });
    doc.moveTo(left, doc.page.height - bottom + 14).lineTo(left + width, doc.page.height - bottom + 14).lineWidth(0.5).strokeColor('#c9ced6').stroke();
    doc.text('Unified Configuration Platform', left, doc.page.height - bottom + 22, { width: width / 2, lineBreak: false });
    doc.text(`Page ${i - start + 1} of ${count}`, left + width / 2, doc.page.height - bottom + 22, { width: width / 2, align: 'right', lineBreak: false });
    doc.page.margins.bottom = bottom;
  }
  doc.end();
  return done;
}
