/** Where an actor's handler runs. Chosen per actor (spawn option or manifest `mode`). */
export type RuntimeSpec =
  /** In the node's event loop: fastest, no isolation. @default */
  | { readonly mode: 'inline' }
  /** In a worker thread of the node's process, importing `module` (path or file URL) and using its export. */
  | {
      readonly mode: 'worker';
      readonly module: string;
      readonly export?: string;
      /** Added to the node's environment, as the worker thread's own `process.env`. */
      readonly env?: Readonly<Record<string, string>>;
    }
  /** A child process speaking the host protocol on stdin/stdout (any language). */
  | {
      readonly mode: 'process';
      readonly command: string;
      readonly args?: readonly string[];
      readonly env?: Readonly<Record<string, string>>;
      readonly cwd?: string;
    }
  /** A Docker container speaking the host protocol on its attached stdin/stdout (any language). */
  | {
      readonly mode: 'container';
      /** An existing local image, or the tag to give an image built from `build`. */
      readonly image: string;
      /**
       * How to build `image` when the engine lacks it. `key` names the context's content (e.g. its
       * digest): an image built from another key is built again, under the same tag.
       */
      readonly build?: { readonly context: string; readonly dockerfile?: string; readonly key?: string };
      readonly cmd?: readonly string[];
      /** Replaces the image's ENTRYPOINT (and with it its CMD, unless `cmd` is given). @default the image's */
      readonly entrypoint?: readonly string[];
      /** The working directory of `cmd` in the container. @default the image's */
      readonly workdir?: string;
      readonly env?: Readonly<Record<string, string>>;
      /** `host:container[:ro]` bind mounts. */
      readonly binds?: readonly string[];
      /** Docker network mode. @default "host" (reaches a loopback nats-server) */
      readonly network?: string;
      readonly limits?: { readonly cpus?: number; readonly memoryMb?: number; readonly pids?: number };
    };

export type RuntimeMode = RuntimeSpec['mode'];

export const INLINE: RuntimeSpec = { mode: 'inline' };
