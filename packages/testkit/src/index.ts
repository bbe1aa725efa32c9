export { freePort } from './ports.js';
export { killAndWait, type RedisServer, type StartRedisOptions, startRedis } from './redis.js';
export { repoRoot, type SimProcess, type StartSimOptions, startSim } from './sim.js';
export { allUserIds, api, openChannels, type RawChannel, token } from './raw-client.js';
export { type PollOptions, pollUntil } from './poll.js';
