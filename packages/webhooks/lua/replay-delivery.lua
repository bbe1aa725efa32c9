-- replay-delivery: put a dead letter back in its lane for a fresh series of attempts.
--
-- KEYS[1] delivery record   KEYS[2] lane list   KEYS[3] due zset   KEYS[4] dead zset   KEYS[5] pending zset
-- ARGV[1] alert id   ARGV[2] lane id (read from the record by the caller)   ARGV[3] now (ms)
--
-- Returns 1 when replayed, 0 when the record is not a dead letter (already replayed, delivered, or gone).
if redis.call('HGET', KEYS[1], 'state') ~= 'dead' or redis.call('HGET', KEYS[1], 'lane') ~= ARGV[2] then
  return 0
end
redis.call('HSET', KEYS[1], 'state', 'pending', 'attempts', 0, 'next', ARGV[3])
redis.call('PERSIST', KEYS[1])
redis.call('ZREM', KEYS[4], ARGV[1])
redis.call('RPUSH', KEYS[2], ARGV[1])
redis.call('ZADD', KEYS[3], 'NX', ARGV[3], ARGV[2])
redis.call('ZADD', KEYS[5], 'NX', ARGV[3], ARGV[1])
return 1
