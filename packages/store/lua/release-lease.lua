--[[
  release-lease: gives a lease up, only when the caller still holds it.

  KEYS[1]  lease hash          <prefix>{leases}:lease:<name>

  ARGV[1]  owner id
  ARGV[2]  fencing token received from acquire-lease

  Returns 1 when released, 0 when the lease was not held by ARGV[1] with token ARGV[2] (nothing changed).
]]
local holder = redis.call('HMGET', KEYS[1], 'owner', 'token')
if holder[1] == ARGV[1] and holder[2] == ARGV[2] then
  redis.call('DEL', KEYS[1])
  return 1
end
return 0
