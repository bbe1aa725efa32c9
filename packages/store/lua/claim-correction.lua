--[[
  claim-correction: the per-agent correction lock. A correction is sent only by the process that claimed it with
  the highest fencing token, and only once: a claim of an intent already sent or settled is refused, so a replay
  after a crash or a move of the agent to another engine never sends the same correction twice.

  KEYS[1]  correction lock hash   <prefix>{agent:<id>}:correction
           fields: intent, fence, owner, state (claimed | sent | settled), at (ms)

  ARGV[1]  mode: 'claim' or 'mark'
  ARGV[2]  intent id (deterministic, e.g. `<findingId>:c<attempt>`)
  ARGV[3]  fencing token of the caller's lease
  ARGV[4]  owner (engine instance id)
  ARGV[5]  claim: lock time to live, ms (an unsettled claim of a dead process lapses after it)
           mark: the new state, 'sent' or 'settled'
  ARGV[6]  now, ms (recorded only)

  Returns for claim:
                 1 claimed (or re-claimed by the same owner and fence, which may then send)
                 0 this intent was already sent or settled: do not send it again
                -1 the lock is held with a higher fencing token (the caller's lease is stale)
                -2 another intent of this agent is in flight under the same lease (claimed or sent, not settled,
                   not lapsed); a claim with a higher fencing token overrides an unsettled one
  Returns for mark:
                 1 recorded, -1 the lock is no longer the caller's (fence or intent differ)
]]
local mode = ARGV[1]
local intent = ARGV[2]
local fence = tonumber(ARGV[3])
local owner = ARGV[4]
local cur = redis.call('HMGET', KEYS[1], 'intent', 'fence', 'owner', 'state')
local curIntent, curFence, curOwner, curState = cur[1], tonumber(cur[2]), cur[3], cur[4]

if mode == 'mark' then
  if curIntent ~= intent or curFence ~= fence then return -1 end
  redis.call('HSET', KEYS[1], 'state', ARGV[5], 'at', ARGV[6])
  return 1
end

if curIntent then
  if curFence and curFence > fence then return -1 end
  if curIntent == intent and (curState == 'sent' or curState == 'settled') then return 0 end
  -- Under the same lease, one correction of an agent at a time; a newer lease overrides an unsettled claim.
  if curFence == fence and curState ~= 'settled' and (curIntent ~= intent or curOwner ~= owner) then return -2 end
end
redis.call('HSET', KEYS[1], 'intent', intent, 'fence', fence, 'owner', owner, 'state', 'claimed', 'at', ARGV[6])
redis.call('PEXPIRE', KEYS[1], ARGV[5])
return 1
