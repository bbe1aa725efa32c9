import platformClient from 'purecloud-platform-client-v2';
import { describe, expect, it } from 'vitest';
import { regionHosts, resolveRegion } from './regions.js';

describe('resolveRegion', () => {
  it('maps every region of the SDK table, with underscores or hyphens', () => {
    const table = Object.entries(platformClient.PureCloudRegionHosts);
    expect(table.length).toBeGreaterThanOrEqual(18);
    for (const [name, host] of table) {
      expect(resolveRegion(name)).toBe(host);
      expect(resolveRegion(name.replace(/_/g, '-').toUpperCase())).toBe(host);
    }
    expect(regionHosts()).toBe(platformClient.PureCloudRegionHosts);
  });

  it('accepts environment hosts and refuses what is neither', () => {
    expect(resolveRegion('https://api.usw2.pure.cloud')).toBe('usw2.pure.cloud');
    expect(resolveRegion('login.mypurecloud.ie')).toBe('mypurecloud.ie');
    expect(resolveRegion('not a host')).toBeUndefined();
    expect(resolveRegion('atlantis')).toBeUndefined();
    expect(resolveRegion('constructor')).toBeUndefined();
  });
});
