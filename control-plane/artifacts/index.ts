/**
 * Application delivery: what `cairn apply` turns a manifest's local files into (content-addressed
 * artifacts in the cloud's cairn_artifacts object store) and how a site gets them back (its cache).
 */
export { ARTIFACT_SCHEME, artifactRef, artifactDigest, artifactObjectName, artifactsOf, fileObjectName, imageIdHex, imageObjectName, isArtifactRef, isLocalModulePath } from './artifact-ref.ts';
export type { ArtifactUse } from './artifact-ref.ts';
export { CAIRN_RUNTIME_SCHEME, cairnImportsOf, linkCairnImports, ownModuleOf, packageEntryPath } from './cairn-imports.ts';
export { bundleBehaviour } from './bundle-behaviour.ts';
export type { BuiltArtifact } from './bundle-behaviour.ts';
export { ArtifactStore } from './artifact-store.ts';
export type { StoredArtifact } from './artifact-store.ts';
export { ArtifactCache, ownCairnModule } from './artifact-cache.ts';
export type { ArtifactSource } from './artifact-cache.ts';
export { artifactDigestsOf, deliveredBehaviours, missingBehaviourFiles, packageBehaviours } from './deliver-behaviours.ts';
export type { AppArtifact, DeliveredBehaviour, PackagedApp } from './deliver-behaviours.ts';
export { DEFAULT_ARTIFACT_DIR, artifactsMirrorConfig, chunksMirrorConfig, fetchProgress, localizeArtifacts, openSiteArtifacts } from './site-artifacts.ts';
export type { SiteArtifacts } from './site-artifacts.ts';
export { ARTIFACT_GRACE_MS, unreferencedArtifacts } from './artifact-garbage.ts';
export { ensureImageLoaded, localDocker, packageImages, splitImageName, storeImage } from './image-delivery.ts';
export type { DeliveredImage } from './image-delivery.ts';
export { DEFAULT_CHUNK_SIZES, contentChunks, cutPoint } from './content-chunks.ts';
export type { ChunkSizes } from './content-chunks.ts';
export { ChunkStore, chunkArrival, chunksStreamConfig } from './chunk-store.ts';
export type { ChunkArrival, ChunkIndex, ChunkedPut } from './chunk-store.ts';
export { packageFiles, storeFile } from './deliver-files.ts';
export { deliveredFolders, packageFolders } from './deliver-folders.ts';
export type { FolderField, FolderUse, PackagedFolders } from './deliver-folders.ts';
export { archiveFolder, folderEntries, folderMatches, unpackFolder } from './folder-archive.ts';
export type { FolderEntry, FolderFilter } from './folder-archive.ts';
export { fileSha256 } from './file-digest.ts';
export type { DeliveredFile } from './deliver-files.ts';
