import { describe, expect, it } from 'vitest';
import { channelRef, channelRefOfUrl } from './channel-ref.js';

describe('channelRef', () => {
  it('is a short stable hash that does not contain the id', () => {
    const id = 'streaming-0-a1b2c3d4e5f6a7b8c9d0';
    const ref = channelRef(id);
    expect(ref).toMatch(/^ch-[0-9a-f]{12}$/);
    expect(ref).not.toContain(id.slice(-8));
    expect(channelRef(id)).toBe(ref);
    expect(channelRef(`${id}x`)).not.toBe(ref);
    expect(channelRef(undefined)).toBeUndefined();
  });

  it('refers to the same channel from its WebSocket URL', () => {
    const id = 'streaming-1-ffee';
    expect(channelRefOfUrl(`wss://streaming.mypurecloud.ie/channels/${id}`)).toBe(channelRef(id));
    expect(channelRefOfUrl(`ws://127.0.0.1:8080/channels/${id}?x=1`)).toBe(channelRef(id));
  });
});
