--[[
  renew-lease: extends a lease still held by the caller.

  KEYS[1]  lease hash          <prefix>{leases}:lease:<name>

  ARGV[1]  owner id
  ARGV[2]  fencing token received from acquire-lease
  ARGV[3]  new time to live, ms

  Returns 1 when renewed, -3 when the lease expired or is held by another owner or token.
]]
local holder = redis.call('HMGET', KEYS[1], 'owner', 'token')
if holder[1] == ARGV[1] and holder[2] == ARGV[2] then
  redis.call('PEXPIRE', KEYS[1], ARGV[3])
  return 1
end
return -3
