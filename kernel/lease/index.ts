export { afterFailedRenewal, leaseStep, observeLease } from './lease-decision.ts';
export type { LeaseHolder, LeaseStep, LeaseView, RenewalFailure } from './lease-decision.ts';
export { LEASE_KEY, SiteLease } from './site-lease.ts';
export type { LeaseLoss, SiteLeaseOptions } from './site-lease.ts';
export { waitToLead } from './wait-to-lead.ts';
export type { WaitToLeadOptions } from './wait-to-lead.ts';
export { holdLease } from './hold-lease.ts';
export type { HoldLeaseOptions } from './hold-lease.ts';
