--[[
  index-agent: brings the agent-list indexes in line with one agent's committed state. Idempotent: it re-adds
  every current tag (healing an update lost to a crash) and removes the tags the agent no longer carries.

  KEYS[1]  tags hash           <prefix>{agents}:tags    field = agent id,
                                                        value = "<version>\t<state>\t<since>\t<tags>"
  KEYS[2]  state-since zset    <prefix>{agents}:since   score = since when the state holds (epoch ms)

  ARGV[1]  agent id
  ARGV[2]  tag-set key prefix  <prefix>{agents}:tag:    each tag's set is ARGV[2] .. tag; it shares the
           `{agents}` hash tag with KEYS[1..2], so every key touched lives in one Cluster slot
  ARGV[3]  state summary (e.g. "available.idle")
  ARGV[4]  commit time, epoch ms: becomes `since` when the state differs from the indexed one
  ARGV[5]  tags, "\n"-joined, sorted (may be ""); a tag contains no tab, newline, brace or '|'
  ARGV[6]  the agent version committed; an index update for an older version than the indexed one is ignored
           (two writers around a lease handover may index out of order)
  ARGV[7]  tag kinds kept from the indexed entry, "\n"-joined prefixes (e.g. "queue:\nmu:\ndivision:"), or "":
           the indexed tags of these kinds stay (another writer, the agent directory, owns them) and ARGV[5] should
           hold none of them

  Returns `since` (epoch ms) of the indexed state, as a string.
]]
local previous = redis.call('HGET', KEYS[1], ARGV[1])
local prevVersion, prevState, prevSince, prevTags = nil, '', nil, ''
if previous then
  prevVersion, prevState, prevSince, prevTags = string.match(previous, '^([^\t]*)\t([^\t]*)\t([^\t]*)\t(.*)$')
end
if prevVersion and tonumber(prevVersion) and tonumber(prevVersion) > tonumber(ARGV[6]) then
  return prevSince
end

local since = ARGV[4]
if prevState == ARGV[3] and prevSince and prevSince ~= '' then
  since = prevSince
end

local keptKinds = {}
for kind in string.gmatch(ARGV[7] or '', '[^\n]+') do
  keptKinds[#keptKinds + 1] = kind
end
local function kept(tag)
  for _, kind in ipairs(keptKinds) do
    if string.sub(tag, 1, #kind) == kind then return true end
  end
  return false
end

local keep = {}
local all = {}
for tag in string.gmatch(ARGV[5], '[^\n]+') do
  if not keep[tag] then all[#all + 1] = tag end
  keep[tag] = true
end
for tag in string.gmatch(prevTags or '', '[^\n]+') do
  if kept(tag) and not keep[tag] then
    keep[tag] = true
    all[#all + 1] = tag
  end
end
table.sort(all)
for _, tag in ipairs(all) do
  redis.call('ZADD', ARGV[2] .. tag, 0, ARGV[1])
end
for tag in string.gmatch(prevTags or '', '[^\n]+') do
  if not keep[tag] then
    redis.call('ZREM', ARGV[2] .. tag, ARGV[1])
  end
end

redis.call('ZADD', KEYS[2], since, ARGV[1])
redis.call('HSET', KEYS[1], ARGV[1], ARGV[6] .. '\t' .. ARGV[3] .. '\t' .. since .. '\t' .. table.concat(all, '\n'))
return since
