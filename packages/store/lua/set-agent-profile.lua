--[[
  set-agent-profile: writes or removes one agent's directory profile, its entry in the name index and its
  membership tags (queue, management unit, division) in the agent-list indexes, atomically. Idempotent.

  KEYS[1]  profiles hash       <prefix>{agents}:profiles  field = agent id, value = profile JSON (with `sortKey`)
  KEYS[2]  name index zset     <prefix>{agents}:names     all scores 0, member = "<sort key>\t<agent id>"
  KEYS[3]  tags hash           <prefix>{agents}:tags      see index-agent.lua:
                                                          "<version>\t<state>\t<since>\t<tags>"

  ARGV[1]  agent id
  ARGV[2]  tag-set key prefix  <prefix>{agents}:tag:      shares the `{agents}` hash tag with KEYS[1..3]
  ARGV[3]  profile JSON, or "" to remove the profile, its name entry and its membership tags
  ARGV[4]  name index member (the `sortKey` of ARGV[3]), or "" when removing
  ARGV[5]  membership tags, "\n"-joined (may be "")
  ARGV[6]  membership tag kinds, "\n"-joined prefixes ("queue:\nmu:\ndivision:"): the indexed tags of these
           kinds are replaced by ARGV[5]; the others (presence, routing, rules) stay as the last commit left them

  The tag sets only list agents a commit has indexed (the entry has a version): for an agent not committed yet
  the membership tags are recorded in its entry and index-agent.lua adds them to the sets at its first commit.

  Returns 1 when the profile changed, 0 when it was already the same (the tags are brought in line either way).
]]
local id = ARGV[1]
local previous = redis.call('HGET', KEYS[1], id)
local changed = 1
if (previous or '') == ARGV[3] then changed = 0 end
if previous then
  local ok, doc = pcall(cjson.decode, previous)
  if ok and type(doc) == 'table' and type(doc.sortKey) == 'string' and doc.sortKey ~= ARGV[4] then
    redis.call('ZREM', KEYS[2], doc.sortKey)
  end
end
if ARGV[3] == '' then
  redis.call('HDEL', KEYS[1], id)
else
  redis.call('HSET', KEYS[1], id, ARGV[3])
  redis.call('ZADD', KEYS[2], 0, ARGV[4])
end

local kinds = {}
for kind in string.gmatch(ARGV[6], '[^\n]+') do
  kinds[#kinds + 1] = kind
end
local function membership(tag)
  for _, kind in ipairs(kinds) do
    if string.sub(tag, 1, #kind) == kind then return true end
  end
  return false
end

local line = redis.call('HGET', KEYS[3], id)
local version, state, since, tags = '', '', '', ''
if line then
  version, state, since, tags = string.match(line, '^([^\t]*)\t([^\t]*)\t([^\t]*)\t(.*)$')
  version, state, since, tags = version or '', state or '', since or '', tags or ''
end
local committed = version ~= ''

local wanted = {}
local all = {}
for tag in string.gmatch(ARGV[5], '[^\n]+') do
  if not wanted[tag] then all[#all + 1] = tag end
  wanted[tag] = true
end
for tag in string.gmatch(tags, '[^\n]+') do
  if membership(tag) then
    if not wanted[tag] and committed then redis.call('ZREM', ARGV[2] .. tag, id) end
  elseif not wanted[tag] then
    wanted[tag] = true
    all[#all + 1] = tag
  end
end
if committed then
  for tag in string.gmatch(ARGV[5], '[^\n]+') do
    redis.call('ZADD', ARGV[2] .. tag, 0, id)
  end
end
table.sort(all)
if line or #all > 0 then
  redis.call('HSET', KEYS[3], id, version .. '\t' .. state .. '\t' .. since .. '\t' .. table.concat(all, '\n'))
end
return changed
