import PDFDocument from 'pdfkit';

/** A one-page business document: what the invoice and the receipt have in common. */
export interface DocumentModel {
  title: string;
  /** Shown top right under the title, e.g. the reference or the payment time. */
  meta: Array<[label: string, value: string]>;
  from: { heading: string; lines: string[] };
  to: { heading: string; lines: string[] };
  columns: [description: string, quantity: string, unitPrice: string, vat: string, amount: string];
  rows: Array<[string, string, string, string, string]>;
  totals: Array<[label: string, value: string]>;
  /** A highlighted box near the bottom (payment instructions, or "paid"). */
  callout?: { heading: string; lines: string[] };
  footer: string[];
  /** Document metadata (shown by PDF readers). */
  subject: string;
}

const MARGIN = 50;
const WIDTH = 595.28 - MARGIN * 2; // A4
// x positions and widths of the five item columns.
const COLS: Array<{ x: number; w: number; align: 'left' | 'right' }> = [
  { x: MARGIN, w: 215, align: 'left' },
  { x: MARGIN + 215, w: 50, align: 'right' },
  { x: MARGIN + 265, w: 80, align: 'right' },
  { x: MARGIN + 345, w: 45, align: 'right' },
  { x: MARGIN + 390, w: WIDTH - 390, align: 'right' },
];

/**
 * Renders with pdfkit's built-in Helvetica (WinAnsi: Swedish and Norwegian letters work, no font
 * files needed). Resolves with the whole PDF; documents are small.
 */
export function renderDocument(model: DocumentModel): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const doc = new PDFDocument({ size: 'A4', margin: MARGIN, info: { Title: model.title, Subject: model.subject, Producer: 'Ping Payments sandbox' } });
    const chunks: Buffer[] = [];
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);

    doc.fillColor('#1d2330').font('Helvetica-Bold').fontSize(24).text(model.title, MARGIN, MARGIN);
    doc.font('Helvetica').fontSize(8).fillColor('#888888').text('Ping Payments sandbox - not a real document', MARGIN, MARGIN + 30);

    let metaY = MARGIN;
    for (const [label, value] of model.meta) {
      doc.font('Helvetica').fontSize(9).fillColor('#5d6675').text(label, MARGIN + 280, metaY, { width: 110 });
      doc.font('Helvetica-Bold').fontSize(10).fillColor('#1d2330').text(value, MARGIN + 390, metaY, { width: WIDTH - 390, align: 'right' });
      metaY += 16;
    }

    const partyY = Math.max(metaY, MARGIN + 50) + 20;
    const party = (x: number, p: { heading: string; lines: string[] }) => {
      doc.font('Helvetica').fontSize(9).fillColor('#5d6675').text(p.heading, x, partyY);
      doc.font('Helvetica').fontSize(10).fillColor('#1d2330');
      p.lines.forEach((line, i) => doc.text(line, x, partyY + 14 + i * 14, { width: 230 }));
    };
    party(MARGIN, model.from);
    party(MARGIN + 280, model.to);

    let y = partyY + 14 + Math.max(model.from.lines.length, model.to.lines.length) * 14 + 30;
    const row = (cells: string[], bold: boolean) => {
      doc.font(bold ? 'Helvetica-Bold' : 'Helvetica').fontSize(10).fillColor('#1d2330');
      const heights = cells.map((c, i) => doc.heightOfString(c, { width: COLS[i]!.w - 6 }));
      cells.forEach((c, i) => doc.text(c, COLS[i]!.x, y, { width: COLS[i]!.w - 6, align: COLS[i]!.align }));
      y += Math.max(...heights) + 6;
      doc.moveTo(MARGIN, y - 3).lineTo(MARGIN + WIDTH, y - 3).lineWidth(0.5).strokeColor('#e3e6eb').stroke();
    };
    row(model.columns, true);
    for (const r of model.rows) row(r, false);

    y += 6;
    for (const [label, value] of model.totals) {
      doc.font('Helvetica-Bold').fontSize(11).fillColor('#1d2330').text(label, MARGIN + 240, y, { width: 150 });
      doc.text(value, MARGIN + 390, y, { width: WIDTH - 390, align: 'right' });
      y += 18;
    }

    if (model.callout) {
      y += 20;
      doc.font('Helvetica').fontSize(10);
      // Long lines (a checkout URL) wrap; the box grows with them.
      const lineHeights = model.callout.lines.map((line) => doc.heightOfString(line, { width: WIDTH - 24 }) + 3);
      const height = 34 + lineHeights.reduce((a, b) => a + b, 0);
      doc.roundedRect(MARGIN, y, WIDTH, height, 6).fillColor('#eef3ff').fill();
      doc.font('Helvetica-Bold').fontSize(11).fillColor('#0b3aa8').text(model.callout.heading, MARGIN + 12, y + 10);
      doc.font('Helvetica').fontSize(10).fillColor('#1d2330');
      let lineY = y + 27;
      model.callout.lines.forEach((line, i) => {
        doc.text(line, MARGIN + 12, lineY, { width: WIDTH - 24 });
        lineY += lineHeights[i]!;
      });
      y += height;
    }

    doc.font('Helvetica').fontSize(8).fillColor('#5d6675');
    model.footer.forEach((line, i) => doc.text(line, MARGIN, 780 - (model.footer.length - i) * 11, { width: WIDTH, align: 'center' }));
    doc.end();
  });
}
