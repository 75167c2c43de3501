import type { MqttClient } from 'mqtt';
import { CairnError, ModuleCodes } from '../../protocols/index.ts';
import type { DeviceLoginMsg } from '../../protocols/index.ts';
import { clientUseProblem } from './listener-cert.ts';

/**
 * TLS to the site's own listener on this machine: the listener's CA (or its own certificate), and
 * its certificate as the hub's when the listener verifies clients. The listener is reached on
 * loopback, so its certificate is not checked against that host name.
 */
async function tlsOptions(tls: NonNullable<DeviceLoginMsg['tls']>): Promise<Record<string, unknown>> {
  const { readFile } = await import('node:fs/promises');
  const client = tls.cert === undefined || tls.key === undefined ? undefined : { cert: await readFile(tls.cert), key: await readFile(tls.key) };
  const problem = client && clientUseProblem(client.cert);
  if (problem !== undefined) {
    throw new CairnError(
      ModuleCodes.HUB_CERT_NOT_FOR_CLIENTS,
      `the hub cannot log in to its site's MQTT listener, which verifies clients: it presents the listener's certificate ${tls.cert}, and ${problem}. Give that certificate client use too (\`cairn site init\` makes one with both), or drop verify/map`,
      { details: { cert: tls.cert } },
    );
  }
  return { ca: await readFile(tls.ca), ...client, checkServerIdentity: () => undefined };
}

/** How long a QoS 1 message to devices may wait for the server's PUBACK. */
export const PUBLISH_TIMEOUT_MS = 10_000;

/**
 * The hub's MQTT connection to its site's server, over which it sends devices messages (QoS 1
 * reaches persistent sessions of devices that are offline only through MQTT). MQTT.js is loaded
 * when a hub first connects; it reconnects by itself across server restarts.
 */
export class HubLink {
  private constructor(
    private readonly client: MqttClient,
    readonly login: DeviceLoginMsg,
  ) {}

  static async open(login: DeviceLoginMsg, clientId: string): Promise<HubLink> {
    const { connect } = await import('mqtt');
    const client = connect(login.url, {
      clientId,
      protocolVersion: 4,
      clean: true,
      reconnectPeriod: 1_000,
      connectTimeout: 5_000,
      ...(login.username === undefined ? {} : { username: login.username, password: login.password }),
      ...(login.tls ? await tlsOptions(login.tls) : {}),
    });
    // Errors surface on publish; a refused or lost connection is retried by the client.
    client.on('error', () => undefined);
    return new HubLink(client, login);
  }

  /** Publishes to `topic`; QoS 1 resolves on the server's PUBACK (the message is stored for every subscribed session). */
  async publish(topic: string, payload: string | Uint8Array, qos: 0 | 1, retain: boolean): Promise<void> {
    if (!this.client.connected) throw new CairnError(ModuleCodes.HUB_NOT_CONNECTED, `the hub is not connected to its site's MQTT listener (${this.login.url}) yet; the message is retried`);
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        this.client.publishAsync(topic, typeof payload === 'string' ? payload : Buffer.from(payload), { qos, retain }),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new CairnError(ModuleCodes.HUB_PUBLISH_FAILED, `the site's server did not acknowledge the message to ${topic} within ${PUBLISH_TIMEOUT_MS} ms`)), PUBLISH_TIMEOUT_MS);
        }),
      ]);
    } finally {
      clearTimeout(timer);
    }
  }

  get connected(): boolean {
    return this.client.connected;
  }

  async close(): Promise<void> {
    await this.client.endAsync(true).catch(() => undefined);
  }
}
