/** A column of a report table: its heading and its share of the text width. */
export interface PdfColumn {
  header: string;
  /** Share of the table's width (the shares of a table add up to 1). */
  share: number;
  /** Monospaced (hashes, values), else Helvetica. */
  mono?: boolean;
}

export interface PdfTableOptions {
  columns: PdfColumn[];
  rows: string[][];
  /** Key/value tables have no header row; their first column is bold. */
  header?: boolean;
  fontSize?: number;
}

const pad = 3.5;
const rule = '#c9ced6';
const headFill = '#e8ecf2';
const zebra = '#f6f8fa';
// A value can be 1 MiB (a catalog entry's maxLength): a row never grows past a page.
const maxCellChars = 1200;

const clip = (value: string) => (value.length > maxCellChars ? `${value.slice(0, maxCellChars)}… (${(value.length - maxCellChars).toLocaleString('en-US')} more characters)` : value);

/** The bottom of the writable area of the current page. */
export const pageBottom = (doc: PDFKit.PDFDocument) => doc.page.height - doc.page.margins.bottom;
export const textWidth = (doc: PDFKit.PDFDocument) => doc.page.width - doc.page.margins.left - doc.page.margins.right;

/** Starts a new page unless `height` points still fit on this one. */
export function ensureSpace(doc: PDFKit.PDFDocument, height: number): void {
  if (doc.y + height > pageBottom(doc)) doc.addPage();
}

/**
 * A table that wraps long values inside their cell, breaks across pages
 * between rows and repeats its header row on each page it spans.
 */
export function drawTable(doc: PDFKit.PDFDocument, { columns, rows, header = true, fontSize = 8 }: PdfTableOptions): void {
  const left = doc.page.margins.left;
  const width = textWidth(doc);
  const widths = columns.map((c) => c.share * width);
  const font = (column: number, head: boolean) => (head || (!header && column === 0) ? 'Helvetica-Bold' : columns[column]!.mono ? 'Courier' : 'Helvetica');
  const heightOf = (cells: string[], head: boolean) =>
    Math.max(...cells.map((cell, i) => doc.font(font(i, head)).fontSize(fontSize).heightOfString(cell || ' ', { width: widths[i]! - 2 * pad }))) + 2 * pad;

  const drawRow = (cells: string[], head: boolean, fill: string | null) => {
    const height = heightOf(cells, head);
    const top = doc.y;
    if (fill) doc.rect(left, top, width, height).fill(fill);
    let x = left;
    cells.forEach((cell, i) => {
      doc.fillColor('#1f2933').font(font(i, head)).fontSize(fontSize).text(cell, x + pad, top + pad, { width: widths[i]! - 2 * pad });
      x += widths[i]!;
    });
    doc.moveTo(left, top + height).lineTo(left + width, top + height).lineWidth(0.5).strokeColor(rule).stroke();
    doc.x = left;
    doc.y = top + height;
  };

  const head = columns.map((c) => c.header);
  if (header) {
    ensureSpace(doc, heightOf(head, true) + heightOf(rows[0] ?? [''], false));
    drawRow(head, true, headFill);
  }
  rows.forEach((raw, index) => {
    const cells = raw.map(clip);
    if (doc.y + heightOf(cells, false) > pageBottom(doc)) {
      doc.addPage();
      if (header) drawRow(head, true, headFill);
    }
    drawRow(cells, false, index % 2 === 1 ? zebra : null);
  });
  doc.moveDown(0.8);
}
