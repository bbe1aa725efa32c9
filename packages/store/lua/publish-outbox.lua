--[[
  publish-outbox: appends outbox entries to one shard's stream, skipping entry ids already published.

  KEYS[1]  outbox stream       <prefix>{outbox:<n>}:stream
  KEYS[2]  dedupe sorted set   <prefix>{outbox:<n>}:dedupe   (member = entry id, score = publish time)

  ARGV[1]  stream MAXLEN (approximate trimming)
  ARGV[2]  dedupe window: how many recent entry ids are remembered
  ARGV[3]  now, epoch ms
  ARGV[4..] groups of five: entry id, agent id, agent version, commit time (ms), body (JSON)

  Returns the number of entries appended (ids already in the dedupe window are skipped), so publishing the
  same entries twice appends them once.
]]
local added = 0
for i = 4, #ARGV, 5 do
  local id = ARGV[i]
  if not redis.call('ZSCORE', KEYS[2], id) then
    redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[1], '*',
      'id', id,
      'agent', ARGV[i + 1],
      'v', ARGV[i + 2],
      'at', ARGV[i + 3],
      'body', ARGV[i + 4])
    redis.call('ZADD', KEYS[2], ARGV[3], id)
    added = added + 1
  end
end

if added > 0 then
  local excess = redis.call('ZCARD', KEYS[2]) - tonumber(ARGV[2])
  if excess > 0 then
    redis.call('ZREMRANGEBYRANK', KEYS[2], 0, excess - 1)
  end
end
return added
