import QRCode from 'qrcode';

/**
 * An SVG QR code, synchronously. qrcode's SVG renderer calls back before `toString` returns (its
 * string renderers are synchronous); that lets the API handlers stay synchronous, which is what
 * keeps their state changes atomic. If a future qrcode release makes it truly async, this throws
 * instead of silently returning nothing.
 */
export function qrSvg(text: string, size = 240): string {
  let svg: string | undefined;
  let failure: unknown;
  QRCode.toString(text, { type: 'svg', margin: 1, width: size, errorCorrectionLevel: 'M' }, (err, out) => {
    failure = err;
    svg = out;
  });
  if (failure) throw failure instanceof Error ? failure : new Error(String(failure));
  if (svg === undefined) throw new Error('qrcode rendered the SVG asynchronously; qrSvg needs a synchronous renderer');
  return svg;
}
