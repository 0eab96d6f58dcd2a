// The workflow bundle's entry point: re-exports workflow functions and nothing else.
// The payment workflows (paymentLink, pisPayment) land here with their issues.
export {};
