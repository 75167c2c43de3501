import { Type } from '@sinclair/typebox';
import type { Static } from '@sinclair/typebox';
import { NAME_PATTERN } from '../../protocols/index.ts';

/** A listener's TLS: files on the machine that runs the site's server. */
export const HubTls = Type.Object(
  {
    cert: Type.String({ minLength: 1, description: 'PEM certificate (chain) file: an absolute path on the machine running the site\'s server.' }),
    key: Type.String({ minLength: 1, description: 'PEM private key file (absolute path).' }),
    ca: Type.Optional(Type.String({ minLength: 1, description: 'PEM CA bundle that device certificates must chain to (absolute path); needed with verify.' })),
    verify: Type.Optional(Type.Boolean({ description: 'Devices must present a certificate signed by ca, and still log in as a principal. @default false' })),
    map: Type.Optional(Type.Boolean({ description: 'Devices log in by certificate alone: signed by ca, its subject naming a certificate principal. @default false' })),
  },
  { additionalProperties: false },
);

const listener = (what: string) =>
  Type.Object(
    {
      port: Type.Integer({ minimum: 1, maximum: 65535, description: `Port of the ${what} listener.` }),
      host: Type.Optional(Type.String({ minLength: 1, description: "Address it listens on. @default the site server's host" })),
      tls: Type.Optional(HubTls),
    },
    { additionalProperties: false },
  );

const filters = (what: string) =>
  Type.Array(Type.String({ minLength: 1 }), { default: [], description: `MQTT topic filters (+ and #) the device may ${what}; none: nothing.` });

/** A device login — user name and password, or a client certificate's subject — and its allow-listed topics. */
export const HubPrincipal = Type.Object(
  {
    username: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9_.@-]{0,127}$', description: 'The MQTT user name (with password).' })),
    password: Type.Optional(Type.String({ minLength: 1, description: 'Plain text, or a bcrypt hash (`$2a$…`, from `nats server passwd`), which keeps the password itself out of the manifest.' })),
    certificate: Type.Optional(Type.String({ minLength: 3, description: 'The subject of the device certificate this principal is, e.g. "CN=sensor-1,O=plant" (on a listener with tls.map).' })),
    publish: filters('publish to'),
    subscribe: filters('subscribe to'),
  },
  { additionalProperties: false },
);

/** The `config` of a `cairn/hub` actor. */
export const HubConfig = Type.Object(
  {
    listeners: Type.Object(
      {
        mqtt: Type.Optional(listener('MQTT 3.1.1 (TCP; with tls, MQTT over TLS)')),
        websocket: Type.Optional(listener('MQTT over WebSocket (path /mqtt; ws://, or wss:// with tls)')),
      },
      { additionalProperties: false, default: {}, description: "What devices connect to; none: the site's own listeners (sites file)." },
    ),
    principals: Type.Array(HubPrincipal, {
      default: [],
      description: 'The logins devices may use, each with its topics. None: any device may connect and use any topic (a trusted network only).',
    }),
    events: Type.Optional(
      Type.Object(
        {
          subject: Type.String({
            pattern: '^[A-Za-z0-9_-]+(\\.[A-Za-z0-9_-]+)*$',
            description: 'NATS subject prefix the hub publishes device events on: `<subject>.connected.<client>` and `<subject>.disconnected.<client>` (JSON), for routes to take.',
          }),
        },
        { additionalProperties: false },
      ),
    ),
    report: Type.Optional(
      Type.Object(
        { to: Type.String({ pattern: NAME_PATTERN.source, description: 'Id of an actor, on this site, told each batch of incidents (a DeviceIncidentsMsg).' }) },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);

export type HubConfig = Static<typeof HubConfig>;
export type HubPrincipal = Static<typeof HubPrincipal>;
export type HubTls = Static<typeof HubTls>;
