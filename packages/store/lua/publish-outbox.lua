--[[
  publish-outbox: appends outbox entries to one shard's stream, skipping entry ids already published, then trims
  what no consumer group still needs.

  KEYS[1]  outbox stream       <prefix>{outbox:<n>}:stream
  KEYS[2]  dedupe sorted set   <prefix>{outbox:<n>}:dedupe   (member = entry id, score = publish time)

  ARGV[1]  retention: entries kept at least (the most recent ones), read or not
  ARGV[2]  dedupe window: how many recent entry ids are remembered
  ARGV[3]  now, epoch ms
  ARGV[4..] groups of five: entry id, agent id, agent version, commit time (ms), body (JSON)

  Trimming never removes an entry that some consumer group has not acknowledged: the cut is below the oldest
  entry pending in any group and below every group's last-delivered id. Beyond the retention length, entries
  below that cut are removed (at most 1000 per call; each call appends at most one publish chunk, so the stream
  catches up). With no consumer group at all, the stream keeps the retention length (nobody can be waiting).

  Returns the number of entries appended (ids already in the dedupe window are skipped), so publishing the
  same entries twice appends them once.
]]
local added = 0
for i = 4, #ARGV, 5 do
  local id = ARGV[i]
  if not redis.call('ZSCORE', KEYS[2], id) then
    redis.call('XADD', KEYS[1], '*',
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

-- Stream ids compare as (ms, seq); `after(id)` is the smallest id above `id`.
local function parse(id)
  local ms, seq = string.match(id, '^(%d+)-(%d+)$')
  return ms, tonumber(seq)
end
local function less(a, b)
  local am, as = parse(a)
  local bm, bs = parse(b)
  am, bm = tonumber(am), tonumber(bm)
  return am < bm or (am == bm and as < bs)
end
local function after(id)
  local ms, seq = parse(id)
  return ms .. '-' .. string.format('%d', seq + 1)
end

local over = redis.call('XLEN', KEYS[1]) - tonumber(ARGV[1])
if over <= 0 then
  return added
end

-- The cut: entries strictly below it are no longer needed by any group.
local cut = nil
local groups = redis.call('XINFO', 'GROUPS', KEYS[1])
for _, g in ipairs(groups) do
  local info = {}
  for j = 1, #g, 2 do
    info[g[j]] = g[j + 1]
  end
  -- Everything after last-delivered-id is unread: keep it; and keep what is delivered but not acknowledged.
  local bound = after(info['last-delivered-id'])
  if tonumber(info['pending']) > 0 then
    local summary = redis.call('XPENDING', KEYS[1], info['name'])
    if summary[2] and less(summary[2], bound) then
      bound = summary[2]
    end
  end
  if cut == nil or less(bound, cut) then
    cut = bound
  end
end

local first = redis.call('XRANGE', KEYS[1], '-', '+', 'COUNT', 1)[1][1]
if cut ~= nil and not less(first, cut) then
  -- A lagging group still needs the oldest entry: nothing to trim.
  return added
end

-- The retention bound: just above the `over` oldest entries (at most 1000 per call).
local oldest = redis.call('XRANGE', KEYS[1], '-', '+', 'COUNT', math.min(over, 1000))
local keep = after(oldest[#oldest][1])
if cut == nil or less(keep, cut) then
  cut = keep
end
redis.call('XTRIM', KEYS[1], 'MINID', cut)
return added
