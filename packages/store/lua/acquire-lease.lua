--[[
  acquire-lease: takes a named lease for a time, handing out a fencing token.

  KEYS[1]  lease hash          <prefix>{leases}:lease:<name>
  KEYS[2]  fencing counter     <prefix>{leases}:fence   (shared by all leases)

  ARGV[1]  owner id
  ARGV[2]  time to live, ms
  ARGV[3]  process id of the caller (any short text; "" when unknown), stored as `proc`
  ARGV[4]  the caller's settings to compare between holders (e.g. the shard "0/2"; may be ""), stored as `shard`

  Returns the fencing token (> 0) when the lease is now held by ARGV[1]: a fresh token from INCR when the
  lease was free, or the current token (with the TTL refreshed) when ARGV[1] already held it (a restart with
  a stable owner id takes its own lease back at once; `proc` then names the new process).
  Returns 0 when another owner holds the lease.
]]
local holder = redis.call('HMGET', KEYS[1], 'owner', 'token')
if holder[1] then
  if holder[1] == ARGV[1] then
    redis.call('HSET', KEYS[1], 'proc', ARGV[3], 'shard', ARGV[4])
    redis.call('PEXPIRE', KEYS[1], ARGV[2])
    return tonumber(holder[2])
  end
  return 0
end

local token = redis.call('INCR', KEYS[2])
redis.call('HSET', KEYS[1], 'owner', ARGV[1], 'token', token, 'proc', ARGV[3], 'shard', ARGV[4])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return token
