-- finish-attempt: record the outcome of one attempt and release the lane lock.
--
-- KEYS[1] lane lock   KEYS[2] delivery record   KEYS[3] lane list   KEYS[4] due zset   KEYS[5] log list
-- KEYS[6] dead zset   KEYS[7] health hash       KEYS[8] pending zset
-- ARGV[1] lock token   ARGV[2] alert id   ARGV[3] lane id
-- ARGV[4] outcome: 'delivered' | 'retry' | 'dead'
-- ARGV[5] next attempt (ms, for 'retry')   ARGV[6] attempts so far   ARGV[7] last status text
-- ARGV[8] log entry JSON   ARGV[9] log length bound   ARGV[10] now (ms)   ARGV[11] keep delivered records (ms)
--
-- Returns {1, failingSince} (failingSince = ms of the first failure since the last success, 0 after a
-- success), or {-1, 0} when the caller no longer holds the lock (nothing is written: the lane moved on).
if redis.call('GET', KEYS[1]) ~= ARGV[1] then
  return {-1, 0}
end
local outcome = ARGV[4]
local now = ARGV[10]
redis.call('HSET', KEYS[2], 'attempts', ARGV[6], 'status', ARGV[7], 'last', now)
if outcome == 'retry' then
  redis.call('HSET', KEYS[2], 'next', ARGV[5])
  redis.call('ZADD', KEYS[4], ARGV[5], ARGV[3])
else
  redis.call('HSET', KEYS[2], 'state', outcome)
  redis.call('LREM', KEYS[3], 1, ARGV[2])
  redis.call('ZREM', KEYS[8], ARGV[2])
  if outcome == 'delivered' then
    redis.call('PEXPIRE', KEYS[2], ARGV[11])
  else
    redis.call('ZADD', KEYS[6], now, ARGV[2])
  end
  if redis.call('LLEN', KEYS[3]) == 0 then
    redis.call('ZREM', KEYS[4], ARGV[3])
  else
    redis.call('ZADD', KEYS[4], now, ARGV[3])
  end
end
local failingSince = 0
if outcome == 'delivered' then
  redis.call('HDEL', KEYS[7], 'failingSince')
  redis.call('HSET', KEYS[7], 'lastSuccessAt', now)
else
  redis.call('HSETNX', KEYS[7], 'failingSince', now)
  failingSince = tonumber(redis.call('HGET', KEYS[7], 'failingSince'))
end
redis.call('LPUSH', KEYS[5], ARGV[8])
redis.call('LTRIM', KEYS[5], 0, tonumber(ARGV[9]) - 1)
redis.call('DEL', KEYS[1])
return {1, failingSince}
