-- Who is in a room, across the cluster: one script, atomic per room, so every
-- transition (joined, away, back, left) happens exactly once whichever node runs it.
--
-- KEYS: 1 members (hash session -> JSON {name, color, key, state, attach}),
--       2 deadlines (sorted set session -> ms: lease end while active, grace end while away),
--       3 tokens (hash resume key -> session), 4 version (incremented on every change)
-- ARGV: 1 action ("join" / "leave" / "tick"), 2 channel to publish changes on
--       ("<version> <JSON change>"), then per action (below).
--
-- Time is Redis's own clock (TIME), so nodes' clocks never disagree about a deadline.

local function now_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end

local function publish(change)
  local version = redis.call('INCR', KEYS[4])
  redis.call('PUBLISH', ARGV[2], version .. ' ' .. cjson.encode(change))
  return version
end

local function member_of(session)
  local raw = redis.call('HGET', KEYS[1], session)
  if raw then return cjson.decode(raw) end
  return nil
end

local function save(session, member)
  redis.call('HSET', KEYS[1], session, cjson.encode(member))
end

local function attached(session, member)
  return publish({event = 'attached', session = session, attach = member.attach,
                  name = member.name, color = member.color})
end

local function remove(session, member)
  redis.call('HDEL', KEYS[1], session)
  redis.call('ZREM', KEYS[2], session)
  redis.call('HDEL', KEYS[3], member.key)
  return publish({event = 'left', session = session})
end

local function go_away(session, member, until_ms)
  member.state = 'away'
  save(session, member)
  redis.call('ZADD', KEYS[2], until_ms, session)
  return publish({event = 'away', session = session})
end

local action = ARGV[1]
local now = now_ms()

if action == 'join' then
  -- ARGV: 3 resume key presented ("" if none), 4 fresh session, 5 its resume key,
  --       6 name, 7 color, 8 attach (this connection), 9 lease ms, 10 most members
  -- Returns {"attached", session, resumed 0/1, version} | {"full", members}
  local session, member, resumed = nil, nil, 0
  if ARGV[3] ~= '' then
    session = redis.call('HGET', KEYS[3], ARGV[3])
    if session then member = member_of(session) end
  end
  if member then
    resumed = 1
  else
    local count = redis.call('HLEN', KEYS[1])
    if count >= tonumber(ARGV[10]) then return {'full', tostring(count)} end
    session = ARGV[4]
    member = {key = ARGV[5]}
    redis.call('HSET', KEYS[3], ARGV[5], session)
  end
  member.name, member.color, member.state, member.attach = ARGV[6], ARGV[7], 'active', ARGV[8]
  save(session, member)
  redis.call('ZADD', KEYS[2], now + tonumber(ARGV[9]), session)
  local version = attached(session, member)
  return {'attached', session, tostring(resumed), tostring(version)}

elseif action == 'leave' then
  -- ARGV: 3 session, 4 attach, 5 "bye" / "dropped", 6 grace ms
  -- A connection that is no longer the member's (replaced elsewhere) changes nothing.
  -- Returns the version of the change, or 0.
  local session = ARGV[3]
  local member = member_of(session)
  if not member or member.attach ~= ARGV[4] or member.state ~= 'active' then return 0 end
  if ARGV[5] == 'bye' then return remove(session, member) end
  return go_away(session, member, now + tonumber(ARGV[6]))

elseif action == 'tick' then
  -- ARGV: 3 lease ms, 4 grace ms, 5 "1" to return the members, then pairs
  --       (session, attach) of the connections the calling node holds.
  -- Refreshes those leases, then sweeps: an active member whose lease ended (its node
  -- stopped refreshing) goes away, until its lease end + grace; an away member whose grace
  -- ended leaves. Returns {version, {lost session, attach, ...}, {session, JSON, ...}}:
  -- "lost" are held connections the store no longer counts as live (the node drops them
  -- and their clients resume).
  local lease, grace = tonumber(ARGV[3]), tonumber(ARGV[4])
  local lost = {}
  for i = 6, #ARGV, 2 do
    local session, attach = ARGV[i], ARGV[i + 1]
    local member = member_of(session)
    if member and member.attach == attach and member.state == 'active' then
      redis.call('ZADD', KEYS[2], now + lease, session)
    else
      table.insert(lost, session)
      table.insert(lost, attach)
    end
  end
  local due = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', now, 'WITHSCORES')
  for i = 1, #due, 2 do
    local session, deadline = due[i], tonumber(due[i + 1])
    local member = member_of(session)
    if not member then
      redis.call('ZREM', KEYS[2], session)
    elseif member.state == 'active' and deadline + grace > now then
      go_away(session, member, deadline + grace)
    else
      remove(session, member)
    end
  end
  local members = {}
  if ARGV[5] == '1' then members = redis.call('HGETALL', KEYS[1]) end
  return {tostring(redis.call('GET', KEYS[4]) or '0'), lost, members}
end

return redis.error_reply('presence: unknown action ' .. tostring(action))
