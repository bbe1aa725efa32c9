-- enqueue-delivery: queue one alert for one subscription, once.
--
-- KEYS[1] delivery record hash   {wh:<sub>}:d:<alertId>
-- KEYS[2] lane list              {wh:<sub>}:lane:<laneId>
-- KEYS[3] due lanes zset         {wh:<sub>}:due
-- KEYS[4] pending zset           {wh:<sub>}:pending
-- KEYS[5] dead letters zset      {wh:<sub>}:dead
-- ARGV[1] alert id   ARGV[2] lane id   ARGV[3] alert type   ARGV[4] payload JSON   ARGV[5] now (ms)
-- ARGV[6] mode: 'queue' (deliver) or 'suppressed' (held back by storm control: straight to dead letters)
--
-- Returns 1 when queued (or held back), 0 when a record for this alert already exists (a replayed outbox
-- entry): the lane, due score and record are then left untouched.
if redis.call('EXISTS', KEYS[1]) == 1 then
  return 0
end
redis.call('HSET', KEYS[1], 'alert', ARGV[1], 'lane', ARGV[2], 'type', ARGV[3], 'body', ARGV[4],
  'attempts', 0, 'next', ARGV[5], 'created', ARGV[5], 'status', '')
if ARGV[6] == 'suppressed' then
  redis.call('HSET', KEYS[1], 'state', 'dead', 'status', 'suppressed')
  redis.call('ZADD', KEYS[5], ARGV[5], ARGV[1])
  return 1
end
redis.call('HSET', KEYS[1], 'state', 'pending')
redis.call('RPUSH', KEYS[2], ARGV[1])
-- NX: a lane already waiting (perhaps for a retry) keeps its schedule; the new alert queues behind.
redis.call('ZADD', KEYS[3], 'NX', ARGV[5], ARGV[2])
redis.call('ZADD', KEYS[4], 'NX', ARGV[5], ARGV[1])
return 1
