-- Saves a room's board as of a seq; an older snapshot never replaces a newer one.
--
-- KEYS: 1 snapshot (hash: seq, strokes)
-- ARGV: 1 seq, 2 strokes (JSON array)
--
-- Returns 1 if saved, 0 if a snapshot as new or newer was already there.
local current = tonumber(redis.call('HGET', KEYS[1], 'seq') or '-1')
if current >= tonumber(ARGV[1]) then
  return 0
end
redis.call('HSET', KEYS[1], 'seq', ARGV[1], 'strokes', ARGV[2])
return 1
