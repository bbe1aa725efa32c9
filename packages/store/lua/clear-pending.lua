--[[
  clear-pending: removes outbox lines that were just published from an agent's `pending` field.

  KEYS[1]  agent hash          <prefix>{agent:<id>}

  ARGV[1]  agent version read together with the pending lines
  ARGV[2]  the exact pending text that was read and published

  Returns 1 when the published lines were removed, 0 when they were no longer at the head of `pending`
  (another relay already removed them).

  If the version is unchanged, `pending` cannot have grown, so it is deleted when it still equals ARGV[2].
  If a commit happened meanwhile it only appended lines, so exactly the published prefix is removed and
  the newer lines stay for the next relay.
]]
local current = redis.call('HMGET', KEYS[1], 'v', 'pending')
local pending = current[2]
if not pending then
  return 0
end
if current[1] == ARGV[1] then
  if pending == ARGV[2] then
    redis.call('HDEL', KEYS[1], 'pending')
    return 1
  end
  return 0
end

local n = string.len(ARGV[2])
if string.sub(pending, 1, n) ~= ARGV[2] then
  return 0
end
if string.len(pending) == n then
  redis.call('HDEL', KEYS[1], 'pending')
  return 1
end
if string.sub(pending, n + 1, n + 1) ~= '\n' then
  return 0
end
redis.call('HSET', KEYS[1], 'pending', string.sub(pending, n + 2))
return 1
