--[[
  commit-agent: atomic compare-and-set commit of one agent's state.

  KEYS[1]  agent hash          <prefix>{agent:<id>}
  KEYS[2]  agent history       <prefix>{agent:<id>}:history
  KEYS[3]  lease hash          <prefix>{leases}:lease:<name> when ARGV[15] is "1"; otherwise KEYS[1] again
                               (on Redis Cluster the lease lives in another slot and cannot be read here)

  ARGV[1]  expected version (the version the caller read; 0 for a new agent)
  ARGV[2]  fencing token of the caller's lease (0 when leases are not used)
  ARGV[3]  commit time, epoch ms
  ARGV[4]  state summary (e.g. "available.idle"), recorded as the transition target
  ARGV[5]  machine snapshot, JSON
  ARGV[6]  merged signals, JSON
  ARGV[7]  open findings, JSON array
  ARGV[8]  open-findings index lines ("<ruleId>\t<findingId>\t<openedAt>" joined by "\n", may be "")
  ARGV[9]  pending outbox lines to append ("\n"-joined, may be "")
  ARGV[10] cause: event | resync | correction | tick
  ARGV[11] cause detail (short text)
  ARGV[12] history MAXLEN
  ARGV[13] history trim mode: "~" (approximate, cheap) or "=" (exact)
  ARGV[14] lease name the fence belongs to ("" when leases are not used)
  ARGV[15] "1": KEYS[3] is the lease hash and its CURRENT token must equal ARGV[2]; "0": no lease read

  Returns {newVersion, previousIndexLines} on success,
          {-1, storedVersion}  when the stored version differs from ARGV[1] (nothing written),
          {-2, currentFence}   when ARGV[2] is not the lease's current token (ARGV[15] = "1"; currentFence is
                               0 when the lease is free), or, without a lease read, when the agent was last
                               written under the same lease with a newer token (nothing written).

  Fencing: with the lease read, a holder whose lease lapsed or changed hands commits nothing, even for agents
  the new holder has not written yet. The per-agent high-water mark (fields fence + lease) only compares
  tokens of the SAME lease, so an agent that moves to another shard is not rejected by the old shard's newer
  token.

  Effects on success: hash fields v, fence, lease, at, state, machine, signals, findings, fidx are set; ARGV[9] is
  appended to the `pending` field (never overwrites unrelayed entries); ONE history entry is added with
  fields v, at, cause, detail, from, to.
]]
local current = redis.call('HMGET', KEYS[1], 'v', 'fence', 'state', 'fidx', 'pending', 'lease')
local version = tonumber(current[1]) or 0
local fence = tonumber(ARGV[2])

if ARGV[15] == '1' then
  local leaseToken = tonumber(redis.call('HGET', KEYS[3], 'token')) or 0
  if leaseToken ~= fence then
    return {-2, leaseToken}
  end
elseif current[6] == ARGV[14] then
  local storedFence = tonumber(current[2]) or 0
  if fence < storedFence then
    return {-2, storedFence}
  end
end
if version ~= tonumber(ARGV[1]) then
  return {-1, version}
end

local newVersion = version + 1
redis.call('HSET', KEYS[1],
  'v', newVersion,
  'fence', ARGV[2],
  'lease', ARGV[14],
  'at', ARGV[3],
  'state', ARGV[4],
  'machine', ARGV[5],
  'signals', ARGV[6],
  'findings', ARGV[7],
  'fidx', ARGV[8])

if ARGV[9] ~= '' then
  local pending = current[5]
  if pending and pending ~= '' then
    pending = pending .. '\n' .. ARGV[9]
  else
    pending = ARGV[9]
  end
  redis.call('HSET', KEYS[1], 'pending', pending)
end

redis.call('XADD', KEYS[2], 'MAXLEN', ARGV[13], ARGV[12], '*',
  'v', newVersion,
  'at', ARGV[3],
  'cause', ARGV[10],
  'detail', ARGV[11],
  'from', current[3] or '',
  'to', ARGV[4])

return {newVersion, current[4] or ''}
