import express, { type Response, type Router } from 'express';
import type { SandboxContext } from '../context';
import { expireDueLinks } from '../lifecycle';
import { messagePage } from '../pages/html';
import { depositInvoiceModel, invoiceModel, receiptModel } from '../pdf/linkDocuments';
import { renderDocument, type DocumentModel } from '../pdf/renderDocument';

const THIRTY_DAYS = 30 * 24 * 60 * 60 * 1000;

async function sendPdf(res: Response, model: DocumentModel, filename: string, download: boolean): Promise<void> {
  const pdf = await renderDocument(model);
  res
    .status(200)
    .set({
      'Content-Type': 'application/pdf',
      'Content-Length': String(pdf.length),
      'Content-Disposition': `${download ? 'attachment' : 'inline'}; filename="${filename}"`,
      'Cache-Control': 'no-store',
    })
    .end(pdf);
}

/**
 * The PDFs behind the `url`s the APIs return. The model is taken from the store synchronously,
 * then rendered; a PDF shows the state at the moment it was asked for.
 */
export function documentRoutes(ctx: SandboxContext): Router {
  const router = express.Router();

  router.get('/documents/payment-links/:id/invoice.pdf', async (req, res) => {
    const link = ctx.store.findLink(req.params.id.toLowerCase());
    if (!link?.invoice) return messagePage(res, 404, 'Not found', 'There is no invoice for this payment link.');
    const dueAt = link.expiresAt !== null ? link.expiresAt - 1 : Date.parse(link.invoice.createdAt) + THIRTY_DAYS;
    await sendPdf(res, invoiceModel(link, dueAt), `invoice-${link.invoice.reference}.pdf`, req.query.download === '1');
  });

  router.get('/documents/payment-links/:id/receipt.pdf', async (req, res) => {
    const link = ctx.store.findLink(req.params.id.toLowerCase());
    if (link) expireDueLinks(ctx, ctx.store.tenant(link.tenantId));
    if (!link || link.status !== 'COMPLETED') return messagePage(res, 404, 'Not found', 'There is no receipt for this payment link.');
    const payment = link.paymentId ? ctx.store.tenant(link.tenantId).payments.get(link.paymentId) : undefined;
    await sendPdf(res, receiptModel(link, payment), `receipt-${link.id}.pdf`, req.query.download === '1');
  });

  router.get('/documents/payments/:id/invoice.pdf', async (req, res) => {
    const payment = ctx.store.findPayment(req.params.id.toLowerCase());
    if (!payment || payment.provider !== 'ping' || payment.method !== 'deposit') {
      return messagePage(res, 404, 'Not found', 'There is no invoice for this payment.');
    }
    await sendPdf(res, depositInvoiceModel(payment), `invoice-${payment.id}.pdf`, req.query.download === '1');
  });

  return router;
}
