-- Appends one op to a room's log, atomically: Tether's log authority in a cluster.
--
-- KEYS: 1 log (stream), 2 head, 3 epoch, 4 op ids (hash), 5 stroke ids on the board (set)
-- ARGV: 1 op id, 2 fingerprint, 3 entry body (JSON without seq), 4 epoch if the room is
--       new, 5 expected seq (0: the next one, whatever it is), 6 channel to publish on,
--       7 what the op does to stroke ids: "add" / "erase" / "clear" / "" , 8 that stroke id
--
-- Returns {"appended", seq} | {"known", "seq:fingerprint"} | {"stroke_taken", ""}
--       | {"out_of_order", last seq}
local head = tonumber(redis.call('GET', KEYS[2]) or '0')
local expected = tonumber(ARGV[5])
if expected > 0 and expected ~= head + 1 then
  return {'out_of_order', tostring(head)}
end
local known = redis.call('HGET', KEYS[4], ARGV[1])
if known then
  return {'known', known}
end
if ARGV[7] == 'add' and redis.call('SISMEMBER', KEYS[5], ARGV[8]) == 1 then
  return {'stroke_taken', ''}
end
local seq = head + 1
redis.call('SET', KEYS[3], ARGV[4], 'NX')
redis.call('XADD', KEYS[1], seq .. '-0', 'e', ARGV[3])
redis.call('HSET', KEYS[4], ARGV[1], seq .. ':' .. ARGV[2])
if ARGV[7] == 'add' then
  redis.call('SADD', KEYS[5], ARGV[8])
elseif ARGV[7] == 'erase' then
  redis.call('SREM', KEYS[5], ARGV[8])
elseif ARGV[7] == 'clear' then
  redis.call('DEL', KEYS[5])
end
redis.call('SET', KEYS[2], seq)
redis.call('PUBLISH', ARGV[6], seq .. ' ' .. ARGV[3])
return {'appended', tostring(seq)}
