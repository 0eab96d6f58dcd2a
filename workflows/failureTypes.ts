/** ApplicationFailure types shared by activities (which throw them) and workflows (which branch on them). */
export const PING_REJECTED = 'PingRejected';
export const PING_UNAVAILABLE = 'PingUnavailable';
