/** An attachment bigger than this is left out; the link still works and mail servers would refuse it. */
const MAX_PDF_BYTES = 10 * 1024 * 1024;

type PdfResult = { pdf: Buffer } | { reason: string };

export async function fetchReceiptPdf(url: string, timeoutMs: number): Promise<PdfResult> {
  try {
    // The timeout covers reading the body too: a server that trickles bytes cannot hold the receipt back.
    const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), headers: { accept: 'application/pdf' } });
    if (res.status !== 200) {
      await res.body?.cancel();
      return { reason: `answered HTTP ${res.status}` };
    }
    if (Number(res.headers.get('content-length') ?? 0) > MAX_PDF_BYTES) {
      await res.body?.cancel();
      return { reason: 'the PDF is larger than the attachment limit' };
    }
    const bytes = Buffer.from(await res.arrayBuffer());
    if (bytes.length > MAX_PDF_BYTES) return { reason: 'the PDF is larger than the attachment limit' };
    // The magic bytes, not the content type: an error page served as 200 must not be attached as a receipt.
    if (bytes.subarray(0, 5).toString('latin1') !== '%PDF-') return { reason: `answered 200 with ${res.headers.get('content-type') ?? 'no content type'}, not a PDF` };
    return { pdf: bytes };
  } catch (err) {
    return { reason: err instanceof Error ? `${err.name}: ${err.message}` : String(err) };
  }
}
