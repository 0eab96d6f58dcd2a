// The workflow bundle's entry point: re-exports workflow functions and nothing else.
export { paymentLink } from './paymentLink';
export { pisPayment } from './pisPayment';
export { merchant } from './merchant';
export { subscription } from './subscription';
