/**
 * What a route delivers to its actor: one message captured on the route's subject (or MQTT topic,
 * as the subject nats-server maps it to), its payload as published, byte for byte.
 *
 * ```ts
 * receive: (msg: RoutedMessage, ctx) => {
 *   const reading = JSON.parse(new TextDecoder().decode(msg.data));
 * }
 * ```
 */
export interface RoutedMessage {
  readonly type: 'routed';
  /** The NATS subject it was published on (MQTT topic a/b/c arrives as a.b.c). */
  readonly subject: string;
  /** The payload as published. */
  readonly data: Uint8Array;
  /** The NATS headers it was published with, if any (first value of each). */
  readonly headers?: Readonly<Record<string, string>>;
  /** Which of the application's routes (index in spec.routes) delivered it. */
  readonly route: number;
}
