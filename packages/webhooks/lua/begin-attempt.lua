-- begin-attempt: lock a due lane and return the alert at its head.
--
-- KEYS[1] lane lock string       {wh:<sub>}:lock:<laneId>
-- KEYS[2] lane list              {wh:<sub>}:lane:<laneId>
-- KEYS[3] due lanes zset         {wh:<sub>}:due
-- ARGV[1] lock token (random)   ARGV[2] lock TTL (ms)   ARGV[3] lane id   ARGV[4] now (ms)
--
-- Returns the head alert id when the caller now holds the lane lock; false when the lane is not due, is
-- locked by another worker, or is empty (an empty lane leaves the due set here, atomically with the check,
-- so an enqueue can never be lost between the two).
local head = redis.call('LINDEX', KEYS[2], 0)
if not head then
  redis.call('ZREM', KEYS[3], ARGV[3])
  return false
end
local score = redis.call('ZSCORE', KEYS[3], ARGV[3])
if not score or tonumber(score) > tonumber(ARGV[4]) then
  return false
end
if not redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then
  return false
end
return head
