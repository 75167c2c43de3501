// Public face of deploy/embedded: the single-machine site `cairn up` runs (nats-server + node + example).
export { startEmbeddedSite } from './embedded-site.ts';
export type { EmbeddedActor, EmbeddedSite, StartEmbeddedOptions } from './embedded-site.ts';
export { EXAMPLES_DIR, listExamples, loadExample } from './example-app.ts';
export type { ExampleApp } from './example-app.ts';
export { UP_FILE_NAME, defaultDataDir, isProcessAlive, readUpFile, removeUpFile, upFilePath, writeUpFile } from './up-file.ts';
export type { UpFile } from './up-file.ts';
export { DEFAULT_SERVER, DEFAULT_SITE, findSite } from './find-site.ts';
export type { FoundSite } from './find-site.ts';
