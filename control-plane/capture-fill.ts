/**
 * How many captured messages a route's capture stream holds, and how many device publishes the MQTT
 * store holds per app; beyond it the oldest are dropped (never the publisher's newest).
 */
export const ROUTE_CAPTURE_MAX_MSGS = 1_000_000;
/** Above this share of a capture stream's limit, a `filling` event is raised. */
export const FILL_ALERT_AT = 0.8;
/** Below this share, the alert is armed again. */
export const FILL_REARM_AT = 0.7;

export interface CaptureUse {
  readonly messages: number;
  readonly bytes: number;
}
export interface CaptureLimits {
  /** -1 or 0: no limit. */
  readonly maxMsgs: number;
  readonly maxBytes: number;
}
export interface FillReading {
  /** The fuller of the two, 0 to 1 (beyond 1 never: the stream drops first). */
  readonly used: number;
  readonly limit: 'messages' | 'bytes';
}

/** How full a stream is by the tighter of its limits. Pure. */
export function fillOf(use: CaptureUse, limits: CaptureLimits): FillReading {
  const byMsgs = limits.maxMsgs > 0 ? use.messages / limits.maxMsgs : 0;
  const byBytes = limits.maxBytes > 0 ? use.bytes / limits.maxBytes : 0;
  return byBytes > byMsgs ? { used: Math.min(1, byBytes), limit: 'bytes' } : { used: Math.min(1, byMsgs), limit: 'messages' };
}

/**
 * Whether to raise an alert now, and whether one is armed next: raised once when the fill reaches
 * FILL_ALERT_AT, armed again only after it fell below FILL_REARM_AT (no alert per check while it
 * hovers at the threshold). Pure.
 */
export function fillAlert(reading: FillReading, armed: boolean): { readonly raise: boolean; readonly armed: boolean } {
  if (armed && reading.used >= FILL_ALERT_AT) return { raise: true, armed: false };
  if (!armed && reading.used < FILL_REARM_AT) return { raise: false, armed: true };
  return { raise: false, armed };
}
