import platformClient from 'purecloud-platform-client-v2';

const HOST = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$/;

/** The SDK's own region table (`eu_west_1` → `mypurecloud.ie`): new regions arrive with SDK upgrades. */
export function regionHosts(): Readonly<Record<string, string>> {
  return platformClient.PureCloudRegionHosts;
}

/**
 * Resolves a region name (`eu_west_1`, `eu-west-1`) through the SDK's region table, or takes an environment host
 * (`mypurecloud.ie`, also given as `https://api.mypurecloud.ie`). Returns the environment host, or `undefined` for
 * text that is neither. Pure.
 */
export function resolveRegion(text: string): string | undefined {
  const t = text.trim().toLowerCase();
  const hosts = regionHosts();
  const name = t.replace(/-/g, '_');
  if (Object.hasOwn(hosts, name)) return hosts[name];
  const host = t.replace(/^https?:\/\//, '').replace(/^(api|login)\./, '');
  return HOST.test(host) ? host : undefined;
}
