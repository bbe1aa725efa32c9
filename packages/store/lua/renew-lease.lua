--[[
  renew-lease: extends a lease still held by the caller.

  KEYS[1]  lease hash          <prefix>{leases}:lease:<name>

  ARGV[1]  owner id
  ARGV[2]  fencing token received from acquire-lease
  ARGV[3]  new time to live, ms
  ARGV[4]  process id of the caller (as given to acquire-lease)

  Returns 1 when renewed,
          2 when renewed but another process acquired or renewed it under the same owner id since this
            process last did (two live processes share one owner id; `proc` is set back to ARGV[4]),
          -3 when the lease expired or is held by another owner or token.
]]
local holder = redis.call('HMGET', KEYS[1], 'owner', 'token', 'proc')
if holder[1] == ARGV[1] and holder[2] == ARGV[2] then
  redis.call('PEXPIRE', KEYS[1], ARGV[3])
  if holder[3] and holder[3] ~= ARGV[4] then
    redis.call('HSET', KEYS[1], 'proc', ARGV[4])
    return 2
  end
  return 1
end
return -3
