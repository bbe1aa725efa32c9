--[[
  take-budget: takes tokens from a request budget shared by every process that calls one API client (a token
  bucket refilled continuously, timed by the Redis server clock so that every replica sees the same time).

  KEYS[1]  budget hash          <prefix>{budget:<client>}   fields: tokens, at (ms), blockedUntil (ms)

  ARGV[1]  capacity: the most tokens the bucket holds (the burst)
  ARGV[2]  refill rate, tokens per second (> 0)
  ARGV[3]  floor: tokens this caller must leave in the bucket (0 for the first priority; a reserve for the
           others, so that they can never take the last tokens from it)
  ARGV[4]  cost: tokens to take (>= 1)
  ARGV[5]  block, ms: when > 0, no token is granted to anyone for that long from now (a 429 answered with
           Retry-After); the call then takes nothing and only records the block

  Returns {granted, waitMs}: granted 1 with waitMs 0, or granted 0 with the ms after which the same call can
  succeed (assuming no one else takes tokens meanwhile).
]]
local capacity = tonumber(ARGV[1])
local rate = tonumber(ARGV[2])
local floor = tonumber(ARGV[3])
local cost = tonumber(ARGV[4])
local block = tonumber(ARGV[5])

local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)

local state = redis.call('HMGET', KEYS[1], 'tokens', 'at', 'blockedUntil')
local tokens = tonumber(state[1]) or capacity
local at = tonumber(state[2]) or now
local blockedUntil = tonumber(state[3]) or 0

if now > at then tokens = math.min(capacity, tokens + (now - at) * rate / 1000) end
-- Idle buckets disappear: a full refill plus any block, with a margin.
local ttl = math.ceil(capacity / rate * 1000) + 60000

if block > 0 then
  blockedUntil = math.max(blockedUntil, now + block)
  redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', now, 'blockedUntil', blockedUntil)
  redis.call('PEXPIRE', KEYS[1], ttl + blockedUntil - now)
  return {0, blockedUntil - now}
end

if blockedUntil > now then
  return {0, blockedUntil - now}
end

local granted = 0
local wait = 0
if tokens - cost >= floor then
  tokens = tokens - cost
  granted = 1
else
  wait = math.ceil((floor + cost - tokens) / rate * 1000)
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', now)
redis.call('PEXPIRE', KEYS[1], ttl)
return {granted, wait}
