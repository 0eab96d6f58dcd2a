import QRCode from 'qrcode';

/**
 * A QR code as inline SVG, rendered here on the server (qrcode's string renderer is synchronous and
 * calls back before `toString` returns). Its output has no `style` attributes, only presentation
 * attributes (`fill`, `stroke`), which the page's CSP (`style-src 'self'`) does not block. No
 * width or height: the SVG scales to the width CSS gives it. `role="img"` and a label make it one
 * image to a screen reader.
 */
export function qrSvg(text: string, label: string): string {
  let svg: string | undefined;
  let failure: unknown;
  QRCode.toString(text, { type: 'svg', margin: 2, errorCorrectionLevel: 'M', color: { dark: '#000000', light: '#ffffff' } }, (err, out) => {
    failure = err;
    svg = out;
  });
  if (failure) throw failure instanceof Error ? failure : new Error(String(failure));
  if (svg === undefined || !svg.startsWith('<svg ')) throw new Error('qrcode did not render an SVG synchronously');
  const escaped = label.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  return svg.replace('<svg ', `<svg role="img" aria-label="${escaped}" focusable="false" `);
}
