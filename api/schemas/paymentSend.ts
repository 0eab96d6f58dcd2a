import { z } from 'zod';
import { phone } from './paymentLink';

/** `POST /v1/payments/:id/send`: the link again by one channel, to the contact given or the payment's own. */
export const paymentSendRequestSchema = z
  .strictObject({
    channel: z.enum(['sms', 'email'], { error: 'must be sms or email' }),
    to: z.string().max(254).optional().meta({ description: 'A phone number (sms) or an e-mail address (email); default: the payment\'s customer' }),
  })
  .superRefine((body, ctx) => {
    if (body.to === undefined) return;
    const valid = body.channel === 'sms' ? phone.safeParse(body.to).success : z.email().safeParse(body.to).success;
    if (!valid) ctx.addIssue({ code: 'custom', path: ['to'], message: body.channel === 'sms' ? 'must be a phone number, e.g. 0701234567 or +46701234567' : 'must be an e-mail address' });
  });

export type PaymentSendRequest = z.infer<typeof paymentSendRequestSchema>;
