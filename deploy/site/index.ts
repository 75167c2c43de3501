// Public face of deploy/site: sites files, `cairn site init` / `site up`, and `cairn demo`.
export { loadSitesFile, parseSitesFile, SITES_API_VERSION, SITES_KIND } from './sites-file.ts';
export type { CloudEntry, EdgeEntry, SiteEntry, SiteListener, SitesFile } from './sites-file.ts';
export { readSiteFile, SITE_CONFIG_FILE_NAME, SITE_FILE_NAME, siteDir } from './site-file.ts';
export type { SiteFile } from './site-file.ts';
export { planSites, randomLeafPassword } from './site-plan.ts';
export type { PlanOptions, SitePlan } from './site-plan.ts';
export { initSites } from './init-sites.ts';
export type { InitSitesOptions, InitSitesResult } from './init-sites.ts';
export { startSite } from './start-site.ts';
export type { RunningSite, StartSiteOptions } from './start-site.ts';
export { startLinkProxy } from './link-proxy.ts';
export type { LinkProxy } from './link-proxy.ts';
export { runDemo } from './demo.ts';
export type { DemoOptions, DemoResult, EdgeSummary } from './demo.ts';
export { ALARM_THRESHOLD, Aggregator, Alarm, defineSensor } from './demo-app.ts';
export type { AggregatorMsg, AggregatorState, AlarmMsg, AlarmState, EdgeTally, Reading, SensorMsg, SensorState } from './demo-app.ts';
